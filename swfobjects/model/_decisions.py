"""How the SWF model carries out the decisions of ``RespondDecisionTaskCompleted``.

Each decision either records its success event (``ActivityTaskScheduled``...) or the matching
``*Failed`` event with SWF's cause; malformed decisions are refused as a whole with a
``ValidationException`` before anything is recorded, as SWF does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..swf._shapes import DECISION_KEYS, decision_attributes_key
from ._state import ActivityTaskState, Execution, SwfFault

if TYPE_CHECKING:
    from ._model import SwfModel

__all__ = ["validate_decisions", "apply_decisions"]

MAX_OPEN = 1000
MAX_DATA = 32_768

_REQUIRED: dict[str, tuple[str, ...]] = {
    "ScheduleActivityTask": ("activityType", "activityId"),
    "RequestCancelActivityTask": ("activityId",),
    "CompleteWorkflowExecution": (),
    "FailWorkflowExecution": (),
    "CancelWorkflowExecution": (),
    "ContinueAsNewWorkflowExecution": (),
    "RecordMarker": ("markerName",),
    "StartTimer": ("timerId", "startToFireTimeout"),
    "CancelTimer": ("timerId",),
    "SignalExternalWorkflowExecution": ("workflowId", "signalName"),
    "RequestCancelExternalWorkflowExecution": ("workflowId",),
    "StartChildWorkflowExecution": ("workflowType", "workflowId"),
    "ScheduleLambdaFunction": ("id", "name"),
}
_LIMITS = {
    "input": MAX_DATA,
    "result": MAX_DATA,
    "details": MAX_DATA,
    "control": MAX_DATA,
    "reason": 256,
    "activityId": 256,
    "timerId": 256,
    "markerName": 256,
    "workflowId": 256,
    "signalName": 256,
    "id": 256,
    "name": 64,
}
_CHECKED_KEYS: dict[str, tuple[str, ...]] = {
    "ScheduleActivityTask": ("activityId", "input", "control"),
    "RequestCancelActivityTask": ("activityId",),
    "CompleteWorkflowExecution": ("result",),
    "FailWorkflowExecution": ("reason", "details"),
    "CancelWorkflowExecution": ("details",),
    "ContinueAsNewWorkflowExecution": ("input",),
    "RecordMarker": ("markerName", "details"),
    "StartTimer": ("timerId", "control"),
    "CancelTimer": ("timerId",),
    "SignalExternalWorkflowExecution": ("workflowId", "signalName", "input", "control"),
    "RequestCancelExternalWorkflowExecution": ("workflowId", "control"),
    "StartChildWorkflowExecution": ("workflowId", "input", "control"),
    "ScheduleLambdaFunction": ("id", "name", "input", "control"),
}
_CHECKED: dict[str, tuple[tuple[str, int], ...]] = {
    decision_type: tuple((key, _LIMITS[key]) for key in keys)
    for decision_type, keys in _CHECKED_KEYS.items()
}
"""Per decision type, the string attributes whose length SWF limits (checked if present)."""
_CLOSE = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


def validate_decisions(decisions: list[Any]) -> None:
    """Refuse malformed decisions with SWF's ``ValidationException`` (nothing recorded)."""
    for index, decision in enumerate(decisions):
        if not isinstance(decision, dict):
            raise SwfFault("ValidationException", f"{_where(index)} must be an object")
        decision_type = decision.get("decisionType")
        if decision_type not in _REQUIRED:
            raise SwfFault(
                "ValidationException",
                f"{_where(index)}.decisionType: unknown decision type {decision_type!r}",
            )
        attrs_key = DECISION_KEYS.get(decision_type) or decision_attributes_key(decision_type)
        attrs = decision.get(attrs_key)
        if attrs is None:
            attrs = {}
        if not isinstance(attrs, dict):
            raise SwfFault("ValidationException", f"{_where(index)}: attributes must be an object")
        for key in _REQUIRED[decision_type]:
            if not attrs.get(key):
                raise SwfFault(
                    "ValidationException",
                    f"{_where(index)}.{attrs_key}.{key}: required for {decision_type}",
                )
        for key, limit in _CHECKED[decision_type]:
            value = attrs.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or len(value) > limit:
                raise SwfFault(
                    "ValidationException",
                    f"1 validation error detected: Value at '{_where(index)}."
                    f"{attrs_key}.{key}' failed to satisfy constraint: Member "
                    f"must have length less than or equal to {limit}",
                )
        if decision_type == "StartTimer" and not _is_seconds(attrs["startToFireTimeout"]):
            raise SwfFault(
                "ValidationException", f"{_where(index)}: startToFireTimeout must be seconds"
            )


def _where(index: int) -> str:
    """How SWF names the ``index``-th decision in an error (built only when one is raised)."""
    return f"decisions.{index + 1}.member"


def _is_seconds(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit()


def apply_decisions(
    model: SwfModel,
    execution: Execution,
    decisions: list[dict[str, Any]],
    completed_id: int,
    unhandled: bool,
) -> None:
    """Record the outcome of each decision, in order."""
    for decision in decisions:
        if execution.close_status is not None:
            break
        decision_type = decision["decisionType"]
        attrs_key = DECISION_KEYS.get(decision_type) or decision_attributes_key(decision_type)
        attrs = dict(decision.get(attrs_key) or {})
        if decision_type in _CLOSE:
            _close(model, execution, decision_type, attrs, completed_id, unhandled)
        else:
            _HANDLERS[decision_type](model, execution, attrs, completed_id)


def _fail(model: SwfModel, execution: Execution, event: str, attrs: dict[str, Any]) -> None:
    model._append(execution, event, attrs)


def _schedule_activity(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    kind = attrs["activityType"]
    activity_id = attrs["activityId"]
    record = model.types.get(("activity", execution.domain, kind.get("name"), kind.get("version")))
    cause = _schedule_activity_refusal(execution, record, activity_id)
    if cause is not None or record is None:
        _refuse_activity(model, execution, kind, activity_id, cause or "", completed_id)
        return
    defaults = record.defaults
    get = attrs.get
    task_list = get("taskList") or defaults.get("defaultTaskList")
    to_start = get("scheduleToStartTimeout") or defaults.get("defaultTaskScheduleToStartTimeout")
    to_close = get("scheduleToCloseTimeout") or defaults.get("defaultTaskScheduleToCloseTimeout")
    start_to_close = get("startToCloseTimeout") or defaults.get("defaultTaskStartToCloseTimeout")
    heartbeat = get("heartbeatTimeout") or defaults.get("defaultTaskHeartbeatTimeout")
    if not task_list:
        cause = "DEFAULT_TASK_LIST_UNDEFINED"
    elif to_start is None:
        cause = "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"
    elif to_close is None:
        cause = "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"
    elif start_to_close is None:
        cause = "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"
    elif heartbeat is None:
        cause = "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"
    if cause is not None:
        _refuse_activity(model, execution, kind, activity_id, cause, completed_id)
        return
    activity_type = dict(kind)
    task_list_name = task_list["name"]
    event: dict[str, Any] = {
        "activityType": activity_type,
        "activityId": activity_id,
        "taskList": {"name": task_list_name},
        "decisionTaskCompletedEventId": completed_id,
        "scheduleToStartTimeout": to_start,
        "scheduleToCloseTimeout": to_close,
        "startToCloseTimeout": start_to_close,
        "heartbeatTimeout": heartbeat,
    }
    text = get("input")
    if text is not None:
        event["input"] = text
    control = get("control")
    if control is not None:
        event["control"] = control
    priority = get("taskPriority", defaults.get("defaultTaskPriority"))
    if priority is not None:
        event["taskPriority"] = priority
    scheduled_id = model._append(execution, "ActivityTaskScheduled", event)
    model.schedule_activity(
        execution,
        ActivityTaskState(
            execution,
            activity_id,
            activity_type,
            scheduled_id,
            task_list_name,
            text,
            to_start,
            to_close,
            start_to_close,
            heartbeat,
            priority,
            model.now(),
        ),
    )


def _refuse_activity(
    model: SwfModel,
    execution: Execution,
    kind: dict[str, Any],
    activity_id: str,
    cause: str,
    completed_id: int,
) -> None:
    attributes = {
        "activityType": dict(kind),
        "activityId": activity_id,
        "cause": cause,
        "decisionTaskCompletedEventId": completed_id,
    }
    _fail(model, execution, "ScheduleActivityTaskFailed", attributes)


def _schedule_activity_refusal(execution: Execution, record: Any, activity_id: str) -> str | None:
    """SWF's ``ScheduleActivityTaskFailed`` cause for this type and id, if it refuses."""
    if record is None:
        return "ACTIVITY_TYPE_DOES_NOT_EXIST"
    if record.status != "REGISTERED":
        return "ACTIVITY_TYPE_DEPRECATED"
    if activity_id in execution.activities:
        return "ACTIVITY_ID_ALREADY_IN_USE"
    if len(execution.activities) >= MAX_OPEN:
        return "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
    return None


def _request_cancel_activity(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    activity_id = attrs["activityId"]
    task = execution.activities.get(activity_id)
    if task is None:
        _fail(
            model,
            execution,
            "RequestCancelActivityTaskFailed",
            {
                "activityId": activity_id,
                "cause": "ACTIVITY_ID_UNKNOWN",
                "decisionTaskCompletedEventId": completed_id,
            },
        )
        return
    task.cancel_requested_event_id = model._append(
        execution,
        "ActivityTaskCancelRequested",
        {"decisionTaskCompletedEventId": completed_id, "activityId": activity_id},
    )
    if not task.started_event_id:
        model._close_activity(task)
        model._append(
            execution,
            "ActivityTaskCanceled",
            {
                "scheduledEventId": task.scheduled_event_id,
                "startedEventId": 0,
                "latestCancelRequestedEventId": task.cancel_requested_event_id,
            },
        )


def _start_timer(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    timer_id = attrs["timerId"]
    cause = None
    if timer_id in execution.timers:
        cause = "TIMER_ID_ALREADY_IN_USE"
    elif len(execution.timers) >= MAX_OPEN:
        cause = "OPEN_TIMERS_LIMIT_EXCEEDED"
    if cause is not None:
        _fail(
            model,
            execution,
            "StartTimerFailed",
            {
                "timerId": timer_id,
                "cause": cause,
                "decisionTaskCompletedEventId": completed_id,
            },
        )
        return
    event: dict[str, Any] = {
        "timerId": timer_id,
        "startToFireTimeout": attrs["startToFireTimeout"],
        "decisionTaskCompletedEventId": completed_id,
    }
    if attrs.get("control") is not None:
        event["control"] = attrs["control"]
    started_id = model._append(execution, "TimerStarted", event)
    model.start_timer(execution, timer_id, float(attrs["startToFireTimeout"]), started_id)


def _cancel_timer(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    timer_id = attrs["timerId"]
    timer = execution.timers.pop(timer_id, None)
    if timer is None:
        _fail(
            model,
            execution,
            "CancelTimerFailed",
            {
                "timerId": timer_id,
                "cause": "TIMER_ID_UNKNOWN",
                "decisionTaskCompletedEventId": completed_id,
            },
        )
        return
    model._append(
        execution,
        "TimerCanceled",
        {
            "timerId": timer_id,
            "startedEventId": timer.started_event_id,
            "decisionTaskCompletedEventId": completed_id,
        },
    )


def _record_marker(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    event: dict[str, Any] = {
        "markerName": attrs["markerName"],
        "decisionTaskCompletedEventId": completed_id,
    }
    if attrs.get("details") is not None:
        event["details"] = attrs["details"]
    model._append(execution, "MarkerRecorded", event)


def _start_child(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    record = model.types.get(
        (
            "workflow",
            execution.domain,
            attrs["workflowType"].get("name"),
            attrs["workflowType"].get("version"),
        )
    )
    defaults = record.defaults if record is not None else {}
    event: dict[str, Any] = {
        "workflowId": attrs["workflowId"],
        "workflowType": dict(attrs["workflowType"]),
        "taskList": attrs.get("taskList") or defaults.get("defaultTaskList") or {"name": ""},
        "decisionTaskCompletedEventId": completed_id,
        "childPolicy": attrs.get("childPolicy")
        or defaults.get("defaultChildPolicy")
        or "TERMINATE",
    }
    for key in (
        "control",
        "input",
        "executionStartToCloseTimeout",
        "taskPriority",
        "taskStartToCloseTimeout",
        "tagList",
        "lambdaRole",
    ):
        if attrs.get(key) is not None:
            event[key] = attrs[key]
    cause = None
    if len(execution.children) >= MAX_OPEN:
        cause = "OPEN_CHILDREN_LIMIT_EXCEEDED"
    initiated_id = model._append(execution, "StartChildWorkflowExecutionInitiated", event)
    if cause is None:
        cause = model.start_child(execution, attrs, initiated_id)
    if cause:
        failed: dict[str, Any] = {
            "workflowType": dict(attrs["workflowType"]),
            "cause": cause,
            "workflowId": attrs["workflowId"],
            "initiatedEventId": initiated_id,
            "decisionTaskCompletedEventId": completed_id,
        }
        if attrs.get("control") is not None:
            failed["control"] = attrs["control"]
        _fail(model, execution, "StartChildWorkflowExecutionFailed", failed)


def _external(model: SwfModel, execution: Execution, attrs: dict[str, Any]) -> Execution | None:
    target = model.open_by_id.get((execution.domain, attrs["workflowId"]))
    if target is None or (attrs.get("runId") and target.run_id != attrs["runId"]):
        return None
    return target


def _unknown_external(
    model: SwfModel,
    execution: Execution,
    event_type: str,
    attrs: dict[str, Any],
    initiated_id: int,
    completed_id: int,
) -> None:
    """The ``*Failed`` event for a signal or cancel request to an execution that is not open."""
    failed: dict[str, Any] = {
        "workflowId": attrs["workflowId"],
        "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        "initiatedEventId": initiated_id,
        "decisionTaskCompletedEventId": completed_id,
    }
    for key in ("runId", "control"):
        if attrs.get(key) is not None:
            failed[key] = attrs[key]
    _fail(model, execution, event_type, failed)


def _signal_external(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    event: dict[str, Any] = {
        "workflowId": attrs["workflowId"],
        "signalName": attrs["signalName"],
        "decisionTaskCompletedEventId": completed_id,
    }
    for key in ("runId", "input", "control"):
        if attrs.get(key) is not None:
            event[key] = attrs[key]
    initiated_id = model._append(execution, "SignalExternalWorkflowExecutionInitiated", event)
    target = _external(model, execution, attrs)
    if target is None:
        _unknown_external(
            model,
            execution,
            "SignalExternalWorkflowExecutionFailed",
            attrs,
            initiated_id,
            completed_id,
        )
        return
    signaled: dict[str, Any] = {
        "signalName": attrs["signalName"],
        "externalWorkflowExecution": execution.execution_ref,
        "externalInitiatedEventId": initiated_id,
    }
    if attrs.get("input") is not None:
        signaled["input"] = attrs["input"]
    model._append(target, "WorkflowExecutionSignaled", signaled)
    model._append(
        execution,
        "ExternalWorkflowExecutionSignaled",
        {
            "workflowExecution": target.execution_ref,
            "initiatedEventId": initiated_id,
        },
    )


def _cancel_external(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    event: dict[str, Any] = {
        "workflowId": attrs["workflowId"],
        "decisionTaskCompletedEventId": completed_id,
    }
    for key in ("runId", "control"):
        if attrs.get(key) is not None:
            event[key] = attrs[key]
    initiated_id = model._append(
        execution, "RequestCancelExternalWorkflowExecutionInitiated", event
    )
    target = _external(model, execution, attrs)
    if target is None:
        _unknown_external(
            model,
            execution,
            "RequestCancelExternalWorkflowExecutionFailed",
            attrs,
            initiated_id,
            completed_id,
        )
        return
    model._request_cancel(
        target,
        {
            "externalWorkflowExecution": execution.execution_ref,
            "externalInitiatedEventId": initiated_id,
        },
    )
    model._append(
        execution,
        "ExternalWorkflowExecutionCancelRequested",
        {
            "workflowExecution": target.execution_ref,
            "initiatedEventId": initiated_id,
        },
    )


def _schedule_lambda(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int
) -> None:
    # A local service has no Lambda: answer as SWF does in a region without it.
    _fail(
        model,
        execution,
        "ScheduleLambdaFunctionFailed",
        {
            "id": attrs["id"],
            "name": attrs["name"],
            "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
            "decisionTaskCompletedEventId": completed_id,
        },
    )


_HANDLERS = {
    "ScheduleActivityTask": _schedule_activity,
    "RequestCancelActivityTask": _request_cancel_activity,
    "StartTimer": _start_timer,
    "CancelTimer": _cancel_timer,
    "RecordMarker": _record_marker,
    "StartChildWorkflowExecution": _start_child,
    "SignalExternalWorkflowExecution": _signal_external,
    "RequestCancelExternalWorkflowExecution": _cancel_external,
    "ScheduleLambdaFunction": _schedule_lambda,
}

_CLOSE_EVENTS = {
    "CompleteWorkflowExecution": (
        "COMPLETED",
        "WorkflowExecutionCompleted",
        "CompleteWorkflowExecutionFailed",
        ("result",),
    ),
    "FailWorkflowExecution": (
        "FAILED",
        "WorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        ("reason", "details"),
    ),
    "CancelWorkflowExecution": (
        "CANCELED",
        "WorkflowExecutionCanceled",
        "CancelWorkflowExecutionFailed",
        ("details",),
    ),
}


def _close(
    model: SwfModel,
    execution: Execution,
    decision_type: str,
    attrs: dict[str, Any],
    completed_id: int,
    unhandled: bool,
) -> None:
    if decision_type == "ContinueAsNewWorkflowExecution":
        _continue_as_new(model, execution, attrs, completed_id, unhandled)
        return
    status, event_type, failed_type, keys = _CLOSE_EVENTS[decision_type]
    if unhandled or execution.decision_needed:
        _fail(
            model,
            execution,
            failed_type,
            {
                "cause": "UNHANDLED_DECISION",
                "decisionTaskCompletedEventId": completed_id,
            },
        )
        return
    event: dict[str, Any] = {"decisionTaskCompletedEventId": completed_id}
    for key in keys:
        if attrs.get(key) is not None:
            event[key] = attrs[key]
    model.close(execution, status, event_type, event)


def _continue_as_new(
    model: SwfModel, execution: Execution, attrs: dict[str, Any], completed_id: int, unhandled: bool
) -> None:
    if unhandled or execution.decision_needed:
        _fail(
            model,
            execution,
            "ContinueAsNewWorkflowExecutionFailed",
            {
                "cause": "UNHANDLED_DECISION",
                "decisionTaskCompletedEventId": completed_id,
            },
        )
        return
    params = {
        "workflowType": {
            "name": execution.workflow_type["name"],
            "version": attrs.get("workflowTypeVersion") or execution.workflow_type["version"],
        },
        "taskList": attrs.get("taskList") or {"name": execution.task_list},
        "executionStartToCloseTimeout": attrs.get("executionStartToCloseTimeout")
        or execution.execution_timeout,
        "taskStartToCloseTimeout": attrs.get("taskStartToCloseTimeout") or execution.task_timeout,
        "childPolicy": attrs.get("childPolicy") or execution.child_policy,
        "tagList": attrs.get("tagList") if attrs.get("tagList") is not None else execution.tags,
    }
    for key in ("input", "taskPriority", "lambdaRole"):
        if attrs.get(key) is not None:
            params[key] = attrs[key]
    try:
        new_run_id = model.continue_as_new(execution, params)
    except SwfFault as fault:
        cause = {
            "UnknownResourceFault": "WORKFLOW_TYPE_DOES_NOT_EXIST",
            "TypeDeprecatedFault": "WORKFLOW_TYPE_DEPRECATED",
        }.get(
            fault.code,
            fault.message if fault.code == "DefaultUndefinedFault" else "OPERATION_NOT_PERMITTED",
        )
        _fail(
            model,
            execution,
            "ContinueAsNewWorkflowExecutionFailed",
            {
                "cause": cause,
                "decisionTaskCompletedEventId": completed_id,
            },
        )
        return
    event: dict[str, Any] = {
        "decisionTaskCompletedEventId": completed_id,
        "newExecutionRunId": new_run_id,
        "executionStartToCloseTimeout": params["executionStartToCloseTimeout"],
        "taskList": params["taskList"],
        "taskStartToCloseTimeout": params["taskStartToCloseTimeout"],
        "childPolicy": params["childPolicy"],
        "workflowType": params["workflowType"],
    }
    for key in ("input", "taskPriority", "lambdaRole"):
        if params.get(key) is not None:
            event[key] = params[key]
    if params["tagList"]:
        event["tagList"] = params["tagList"]
    model.close(execution, "CONTINUED_AS_NEW", "WorkflowExecutionContinuedAsNew", event)
