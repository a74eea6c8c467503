"""The ``Register*Type`` parameters for our type descriptions (their declared defaults)."""

from __future__ import annotations

from typing import Any

from ..swf.limits import MAX_DESCRIPTION
from ..workflow._declarations import ActivityType, WorkflowType

__all__ = ["activity_registration", "workflow_registration"]


def _description(text: str | None) -> dict[str, str]:
    return {"description": text[:MAX_DESCRIPTION]} if text else {}


def activity_registration(activity: ActivityType, domain: str) -> dict[str, Any]:
    """``RegisterActivityType`` parameters carrying the activity's declared defaults."""
    params: dict[str, Any] = {
        "domain": domain,
        "name": activity.name,
        "version": activity.version,
        "defaultTaskList": {"name": activity.task_list},
        "defaultTaskScheduleToStartTimeout": activity.schedule_to_start_timeout,
        "defaultTaskScheduleToCloseTimeout": activity.schedule_to_close_timeout,
        "defaultTaskStartToCloseTimeout": activity.start_to_close_timeout,
        "defaultTaskHeartbeatTimeout": activity.heartbeat_timeout,
        **_description(activity.description),
    }
    if activity.task_priority is not None:
        params["defaultTaskPriority"] = activity.task_priority
    return params


def workflow_registration(workflow: WorkflowType, domain: str) -> dict[str, Any]:
    """``RegisterWorkflowType`` parameters carrying the workflow's declared defaults."""
    params: dict[str, Any] = {
        "domain": domain,
        "name": workflow.name,
        "version": workflow.version,
        "defaultTaskList": {"name": workflow.task_list},
        "defaultExecutionStartToCloseTimeout": workflow.execution_start_to_close_timeout,
        "defaultTaskStartToCloseTimeout": workflow.task_start_to_close_timeout,
        "defaultChildPolicy": workflow.child_policy,
        **_description(workflow.description),
    }
    if workflow.task_priority is not None:
        params["defaultTaskPriority"] = workflow.task_priority
    return params
