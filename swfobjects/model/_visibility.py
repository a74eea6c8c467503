"""Visibility and tagging operations of the SWF model.

List/Count open and closed executions with SWF's filters and paging, pending task counts, and
resource tags. The top of the model next to the façade: these only read the executions, the
task queues and the registry (tags aside), and nothing below depends on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._executions import Executions
from ._paging import paged
from ._params import CLOSE_STATUSES, choice, merged_tags
from ._params import timestamp as _timestamp
from ._queues import TaskQueues
from ._registry import Registry
from ._state import Domain, Execution, Handler, SwfFault

__all__ = ["Visibility"]

_ARN_DOMAIN = "/domain/"


def _time_test(spec: Any, key: str) -> Callable[[float | None], bool]:
    """A predicate for SWF's ``ExecutionTimeFilter`` (``oldestDate`` required)."""
    if not isinstance(spec, dict) or "oldestDate" not in spec:
        raise SwfFault("ValidationException", f"{key}.oldestDate is required")
    oldest = _timestamp(spec["oldestDate"], f"{key}.oldestDate")
    latest = spec.get("latestDate")
    newest = None if latest is None else _timestamp(latest, f"{key}.latestDate")

    def test(when: float | None) -> bool:
        return when is not None and when >= oldest and (newest is None or when <= newest)

    return test


class Visibility:
    """List*/Count* executions, CountPending*Tasks and TagResource/UntagResource/ListTags."""

    __slots__ = ("_registry", "_executions", "_queues")

    def __init__(self, registry: Registry, executions: Executions, queues: TaskQueues) -> None:
        self._registry = registry
        self._executions = executions
        self._queues = queues

    def operations(self) -> dict[str, Handler]:
        """The SWF operations this collaborator serves, by name."""
        return {
            "ListOpenWorkflowExecutions": self.list_open_workflow_executions,
            "ListClosedWorkflowExecutions": self.list_closed_workflow_executions,
            "CountOpenWorkflowExecutions": self.count_open_workflow_executions,
            "CountClosedWorkflowExecutions": self.count_closed_workflow_executions,
            "CountPendingActivityTasks": self.count_pending_activity_tasks,
            "CountPendingDecisionTasks": self.count_pending_decision_tasks,
            "ListTagsForResource": self.list_tags_for_resource,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
        }

    # --- executions ---------------------------------------------------------------------

    def _select(self, params: dict[str, Any], closed: bool) -> tuple[list[Execution], str]:
        """The executions matching a List/Count request, and the timestamp they sort by."""
        tests_of_time = {  # the values first, as SWF checks them before their combination
            key: _time_test(params[key], key)
            for key in ("startTimeFilter", "closeTimeFilter")
            if params.get(key) is not None
        }
        if closed and params.get("closeStatusFilter") is not None:
            choice(params["closeStatusFilter"], "status", CLOSE_STATUSES, required=True)
        domain = self._registry.domain(params.get("domain"), registered=False).name
        exclusive = ["executionFilter", "typeFilter", "tagFilter"]
        if closed:
            exclusive.append("closeStatusFilter")
        given = [key for key in exclusive if params.get(key) is not None]
        if len(given) > 1:
            raise SwfFault(
                "ValidationException",
                f"{' and '.join(given)} are mutually exclusive: give at most one",
            )
        start, close = params.get("startTimeFilter"), params.get("closeTimeFilter")
        if closed and (start is None) == (close is None):
            raise SwfFault(
                "ValidationException", "give exactly one of startTimeFilter and closeTimeFilter"
            )
        if not closed and start is None:
            raise SwfFault("ValidationException", "startTimeFilter is required")
        if start is not None:
            in_time, attr = tests_of_time["startTimeFilter"], "started_at"
        else:
            in_time, attr = tests_of_time["closeTimeFilter"], "closed_at"
        tests: list[Callable[[Execution], bool]] = [
            lambda e: e.domain == domain and e.is_open != closed,
            lambda e: in_time(getattr(e, attr)),
        ]
        if params.get("executionFilter") is not None:
            workflow_id = params["executionFilter"]["workflowId"]
            tests.append(lambda e: e.workflow_id == workflow_id)
        if params.get("typeFilter") is not None:
            name, version = params["typeFilter"]["name"], params["typeFilter"].get("version")
            tests.append(
                lambda e: (
                    e.workflow_type["name"] == name
                    and (version is None or e.workflow_type["version"] == version)
                )
            )
        if params.get("tagFilter") is not None:
            tag = params["tagFilter"]["tag"]
            tests.append(lambda e: tag in e.tags)
        if params.get("closeStatusFilter") is not None:
            status = choice(params["closeStatusFilter"], "status", CLOSE_STATUSES, required=True)
            tests.append(lambda e: e.close_status == status)
        found = [e for e in self._executions.runs.values() if all(test(e) for test in tests)]
        return found, attr

    def _list(self, params: dict[str, Any], closed: bool) -> dict[str, Any]:
        found, attr = self._select(params, closed)
        # SWF lists newest first; reverseOrder gives oldest first.
        found.sort(key=lambda e: getattr(e, attr), reverse=not params.get("reverseOrder"))
        infos = [self._executions.execution_info(e) for e in found]
        return paged(infos, "executionInfos", params)

    def list_open_workflow_executions(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._list(params, closed=False)

    def list_closed_workflow_executions(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._list(params, closed=True)

    def count_open_workflow_executions(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"count": len(self._select(params, closed=False)[0]), "truncated": False}

    def count_closed_workflow_executions(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"count": len(self._select(params, closed=True)[0]), "truncated": False}

    # --- pending tasks ------------------------------------------------------------------

    def count_pending_activity_tasks(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._registry.domain(params.get("domain"), registered=False).name
        count = self._queues.count_activities(domain, params["taskList"]["name"])
        return {"count": count, "truncated": False}

    def count_pending_decision_tasks(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._registry.domain(params.get("domain"), registered=False).name
        count = self._queues.count_decisions(domain, params["taskList"]["name"])
        return {"count": count, "truncated": False}

    # --- tags ---------------------------------------------------------------------------

    def _tagged(self, params: dict[str, Any]) -> Domain:
        """The domain a ``resourceArn`` names (only domains carry resource tags)."""
        arn = params.get("resourceArn")
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise SwfFault("ValidationException", "resourceArn must be an SWF domain ARN")
        _, sep, name = arn.partition(_ARN_DOMAIN)
        domain = self._registry.domains.get(name) if sep else None
        if domain is None:
            raise SwfFault("UnknownResourceFault", f"Unknown resource: {arn}")
        return domain

    def list_tags_for_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._tagged(params)
        return {"tags": [{"key": k, "value": v} for k, v in domain.tags.items()]}

    def tag_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._tagged(params)
        domain.tags = merged_tags(domain.tags, params["tags"])
        return {}

    def untag_resource(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._tagged(params)
        keys = params["tagKeys"]
        if not isinstance(keys, list):
            raise SwfFault("ValidationException", "tagKeys must be a list")
        for key in keys:
            domain.tags.pop(key, None)
        return {}
