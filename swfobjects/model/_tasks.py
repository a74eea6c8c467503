"""Decision and activity task operations of the SWF model: polls, responses, heartbeats."""

from __future__ import annotations

from typing import Any

from ._core import (
    MAX_DATA,
    MAX_ID,
    MAX_PAGE,
    ModelCore,
    _page_token,
    _read_page_token,
)
from ._decisions import apply_decisions, validate_decisions
from ._state import ActivityTaskState, Execution, SwfFault

__all__ = ["TasksMixin"]


class TasksMixin(ModelCore):
    """PollForDecisionTask ... RecordActivityTaskHeartbeat."""

    # --- decision tasks -----------------------------------------------------------------

    def op_PollForDecisionTask(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        task_list = params["taskList"]["name"]
        page_size = int(params.get("maximumPageSize") or MAX_PAGE)
        if not 1 <= page_size <= MAX_PAGE:
            raise SwfFault("ValidationException", "maximumPageSize must be 1..1000")
        reverse = bool(params.get("reverseOrder"))
        if params.get("nextPageToken"):
            page = _read_page_token(params["nextPageToken"])
            execution = self.tokens.get(page.get("t", ""))
            if not isinstance(execution, Execution) or execution.decision_token != page["t"]:
                raise SwfFault("UnknownResourceFault", "decision task is no longer open")
            return self._decision_page(
                execution, page["t"], page["o"], page_size, reverse, page.get("s", 0)
            )
        queue = self.decision_queues.get((domain, task_list))
        while queue:
            execution, scheduled_id = queue.popleft()
            if (
                execution.decision_state != "scheduled"
                or execution.decision_scheduled_id != scheduled_id
                or execution.close_status is not None
            ):
                continue
            return self._start_decision(execution, params, page_size, reverse)
        return {"taskToken": "", "startedEventId": 0, "previousStartedEventId": 0, "events": []}

    def has_decision_task(self, domain: str, task_list: str) -> bool:
        """True if a poll on this task list would get a decision task now."""
        queue = self.decision_queues.get((domain, task_list))
        while queue:
            execution, scheduled_id = queue[0]
            if (
                execution.decision_state == "scheduled"
                and execution.close_status is None
                and execution.decision_scheduled_id == scheduled_id
            ):
                return True
            queue.popleft()
        return False

    def _start_decision(
        self, execution: Execution, params: dict[str, Any], page_size: int, reverse: bool
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {"scheduledEventId": execution.decision_scheduled_id}
        identity = params.get("identity")
        if identity:
            attributes["identity"] = identity[:MAX_ID]
        execution.decision_state = "started"
        started_id = self._append(execution, "DecisionTaskStarted", attributes)
        execution.decision_started_id = started_id
        token = self._new_token(execution)
        if execution.decision_token:
            self.tokens.pop(execution.decision_token, None)
        execution.decision_token = token
        if execution.task_timeout != "NONE":
            limit = float(execution.task_timeout)
            self._push_due(self.now() + limit, "decision", execution, started_id)
        since = 0
        if params.get("startAtPreviousStartedEvent") and execution.previous_started_id:
            since = execution.previous_started_id
        return self._decision_page(execution, token, 0, page_size, reverse, since)

    def _decision_page(
        self,
        execution: Execution,
        token: str,
        offset: int,
        page_size: int,
        reverse: bool,
        since: int,
    ) -> dict[str, Any]:
        events = execution.events[since : execution.decision_started_id]
        if reverse:
            events = events[::-1]
        page = (
            events
            if offset == 0 and len(events) <= page_size
            else events[offset : offset + page_size]
        )
        response: dict[str, Any] = {
            "taskToken": token,
            "startedEventId": execution.decision_started_id,
            "previousStartedEventId": execution.previous_started_id,
            "workflowExecution": execution.execution_ref,
            "workflowType": dict(execution.workflow_type),
            "events": page,
        }
        if offset + page_size < len(events):
            response["nextPageToken"] = _page_token(
                {"t": token, "o": offset + page_size, "s": since}
            )
        return response

    def _decision_task(self, token: Any) -> Execution:
        execution = self.tokens.get(token) if isinstance(token, str) else None
        if (
            not isinstance(execution, Execution)
            or execution.decision_token != token
            or execution.decision_state != "started"
            or execution.close_status is not None
        ):
            raise SwfFault("UnknownResourceFault", "Unknown decision task token (stale or closed)")
        return execution

    def op_RespondDecisionTaskCompleted(self, params: dict[str, Any]) -> dict[str, Any]:
        execution = self._decision_task(params.get("taskToken"))
        decisions = params.get("decisions") or []
        if not isinstance(decisions, list):
            raise SwfFault("ValidationException", "decisions must be a list")
        validate_decisions(decisions)
        context = self._text(params, "executionContext")
        self.tokens.pop(execution.decision_token or "", None)
        execution.decision_token = None
        attributes: dict[str, Any] = {
            "scheduledEventId": execution.decision_scheduled_id,
            "startedEventId": execution.decision_started_id,
        }
        if context is not None:
            attributes["executionContext"] = context
            execution.latest_context = context
        unhandled = execution.decision_needed
        execution.decision_needed = False  # the state stays "started": wakers only mark
        completed_id = self._append(execution, "DecisionTaskCompleted", attributes)
        execution.previous_started_id = execution.decision_started_id
        apply_decisions(self, execution, decisions, completed_id, unhandled)  # type: ignore[arg-type]
        if execution.close_status is None:
            needed = unhandled or execution.decision_needed
            execution.decision_state = "none"
            if needed:
                self._schedule_decision(execution)
        self._notify()
        return {}

    # --- activity tasks -----------------------------------------------------------------

    def op_PollForActivityTask(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        queue = self.activity_queues.get((domain, params["taskList"]["name"]))
        while queue:
            task = queue.popleft()
            execution = task.execution
            if (
                execution.close_status is not None
                or task.token is not None
                or execution.activities.get(task.activity_id) is not task
            ):
                continue
            attributes: dict[str, Any] = {"scheduledEventId": task.scheduled_event_id}
            identity = params.get("identity")
            if identity:
                attributes["identity"] = identity[:MAX_ID]
            task.started_event_id = self._append(execution, "ActivityTaskStarted", attributes)
            task.token = self._new_token(task)
            now = self.now()
            task.last_heartbeat = now
            execution.latest_activity_at = now
            if task.start_to_close != "NONE":
                self._push_due(now + float(task.start_to_close), "activity", task, "START_TO_CLOSE")
            if task.heartbeat != "NONE":
                self._push_due(now + float(task.heartbeat), "activity", task, "HEARTBEAT")
            response: dict[str, Any] = {
                "taskToken": task.token,
                "activityId": task.activity_id,
                "startedEventId": task.started_event_id,
                "workflowExecution": execution.execution_ref,
                "activityType": dict(task.activity_type),
            }
            if task.input is not None:
                response["input"] = task.input
            return response
        return {"taskToken": "", "activityId": "", "startedEventId": 0}

    def has_activity_task(self, domain: str, task_list: str) -> bool:
        """True if a poll on this task list would get an activity task now."""
        queue = self.activity_queues.get((domain, task_list))
        while queue:
            task = queue[0]
            if (
                task.execution.close_status is None
                and task.token is None
                and task.execution.activities.get(task.activity_id) is task
            ):
                return True
            queue.popleft()
        return False

    def _activity_task(self, token: Any) -> ActivityTaskState:
        task = self.tokens.get(token) if isinstance(token, str) else None
        if (
            not isinstance(task, ActivityTaskState)
            or task.token != token
            or task.execution.activities.get(task.activity_id) is not task
            or task.execution.close_status is not None
        ):
            raise SwfFault("UnknownResourceFault", "Unknown activity task token (stale or closed)")
        return task

    def _answer_activity(
        self, params: dict[str, Any], event_type: str, fields: tuple[tuple[str, int], ...]
    ) -> dict[str, Any]:
        """Close the activity task named by ``taskToken`` with ``event_type``.

        ``fields``: the request fields copied into the event, with their length limits.
        """
        task = self._activity_task(params.get("taskToken"))
        attributes: dict[str, Any] = {
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        for key, limit in fields:  # all checked before anything changes
            value = self._text(params, key, limit)
            if value is not None:
                attributes[key] = value
        self._close_activity(task)
        if event_type == "ActivityTaskCanceled" and task.cancel_requested_event_id:
            attributes["latestCancelRequestedEventId"] = task.cancel_requested_event_id
        self._append(task.execution, event_type, attributes)
        self._notify()
        return {}

    def op_RespondActivityTaskCompleted(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._answer_activity(params, "ActivityTaskCompleted", (("result", MAX_DATA),))

    def op_RespondActivityTaskFailed(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._answer_activity(
            params, "ActivityTaskFailed", (("reason", MAX_ID), ("details", MAX_DATA))
        )

    def op_RespondActivityTaskCanceled(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._answer_activity(params, "ActivityTaskCanceled", (("details", MAX_DATA),))

    def op_RecordActivityTaskHeartbeat(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self._activity_task(params.get("taskToken"))
        task.heartbeat_details = self._text(params, "details", 2048)
        task.last_heartbeat = self.now()
        return {"cancelRequested": bool(task.cancel_requested_event_id)}
