"""Decision and activity tasks of the SWF model: polls, activity answers and heartbeats.

``RespondDecisionTaskCompleted`` is not here: carrying out decisions is
:class:`~._decisions.Decisions`' job. This is the SerialExecutor's hot path (one poll and one
answer per activity). Its collaborators' methods are called through the collaborator
(``self._queues.take_activity(...)``), not bound once into attributes: on CPython 3.11 a call
through an attribute holding a bound method is not specialized and costs more.
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from ..swf.limits import MAX_DATA, MAX_HEARTBEAT_DETAILS, MAX_NAME, MAX_PAGE_SIZE, MAX_REASON
from ._due import DueHeap
from ._executions import Executions
from ._paging import page_size, page_token, read_page_token
from ._params import SECONDS
from ._params import text as _text
from ._queues import TaskQueues
from ._registry import Registry
from ._runtime import Runtime
from ._state import Execution, Handler, SwfFault

__all__ = ["Tasks"]

_NO_DECISION_TASK: dict[str, Any] = {"previousStartedEventId": 0, "startedEventId": 0}
"""SWF's answer to a decision poll that found no task, as its wire carries it: no ``taskToken``
member at all (clients test ``"taskToken" in response``; an empty token breaks some)."""
_NO_ACTIVITY_TASK: dict[str, Any] = {"startedEventId": 0}
"""SWF's answer to an activity poll that found no task."""


class Tasks:
    """PollForDecisionTask, PollForActivityTask, RespondActivityTask*, and heartbeats."""

    __slots__ = (
        "_runtime",
        "_queues",
        "_registry",
        "_executions",
        "_due",
        "_listeners",
    )

    def __init__(
        self,
        runtime: Runtime,
        registry: Registry,
        executions: Executions,
        queues: TaskQueues,
        due: DueHeap,
    ) -> None:
        self._runtime = runtime
        self._queues = queues
        self._registry = registry
        self._executions = executions
        self._due = due
        self._listeners = runtime.listeners  # notified inline where it is hot

    def operations(self) -> dict[str, Handler]:
        """The SWF operations this collaborator serves, by name."""
        return {
            "PollForDecisionTask": self.poll_for_decision_task,
            "PollForActivityTask": self.poll_for_activity_task,
            "RespondActivityTaskCompleted": self.respond_activity_task_completed,
            "RespondActivityTaskFailed": self.respond_activity_task_failed,
            "RespondActivityTaskCanceled": self.respond_activity_task_canceled,
            "RecordActivityTaskHeartbeat": self.record_activity_task_heartbeat,
        }

    def _domain(self, name: Any) -> str:
        """``name`` if it is a registered domain, else :meth:`Registry.domain`'s fault.

        :meth:`Registry.domain` written out for the case that raises nothing: every poll
        names its domain, and this is one dictionary lookup instead of a call and three checks.
        """
        domain = self._registry.domains.get(name) if type(name) is str else None
        if domain is None or domain.status != "REGISTERED":
            return self._registry.domain(name).name  # raises SWF's fault
        return domain.name

    # --- decision tasks -----------------------------------------------------------------

    def poll_for_decision_task(self, params: dict[str, Any]) -> dict[str, Any]:
        """Start the next decision task of the task list (or serve a later history page)."""
        domain = self._domain(params.get("domain"))
        task_list = params["taskList"]["name"]
        size = params.get("maximumPageSize")
        if size is None or size == MAX_PAGE_SIZE:  # the default: nothing to check
            size = MAX_PAGE_SIZE
        else:
            size = page_size(params)
        reverse = bool(params.get("reverseOrder"))
        if params.get("nextPageToken"):
            page = read_page_token(params["nextPageToken"], "o", "s")
            token = page.get("t")
            if not isinstance(token, str):
                raise SwfFault("ValidationException", "invalid nextPageToken: no task in it")
            paged = self._queues.paged_decision(token)
            return self._decision_page(
                paged, token, page.get("o", 0), size, reverse, page.get("s", 0)
            )
        execution = self._queues.take_decision(domain, task_list)
        if execution is None:
            return dict(_NO_DECISION_TASK)
        return self._start_decision(execution, params, size, reverse)

    def _start_decision(
        self, execution: Execution, params: dict[str, Any], size: int, reverse: bool
    ) -> dict[str, Any]:
        """Record ``DecisionTaskStarted``, hand out a token, arm the task timeout."""
        attributes: dict[str, Any] = {"scheduledEventId": execution.decision_scheduled_id}
        identity = params.get("identity")
        if identity:
            attributes["identity"] = identity[:MAX_NAME]
        execution.decision_state = "started"
        started_id = self._executions.append(execution, "DecisionTaskStarted", attributes)
        execution.decision_started_id = started_id
        token = self._queues.start_decision(execution)
        if execution.task_timeout != "NONE":
            runtime = self._runtime
            now = runtime.call_now  # runtime.now(), inline: once per decision task
            if now is None:
                now = runtime.now()
            self._due.push(now + SECONDS[execution.task_timeout], "decision", execution, started_id)
        since = 0  # the index of the first event served
        if params.get("startAtPreviousStartedEvent") and execution.previous_started_id:
            # SWF serves "events with eventTimestamp greater than or equal to" that of the
            # previous DecisionTaskStarted: from that event on, itself included. (By timestamp,
            # SWF may add a few earlier events of the same millisecond; deciders skip events
            # they hold. The model cuts by id, so a frozen test clock still gets a short page.)
            since = execution.previous_started_id - 1
        return self._decision_page(execution, token, 0, size, reverse, since)

    def _decision_page(
        self,
        execution: Execution,
        token: str,
        offset: int,
        size: int,
        reverse: bool,
        since: int,
    ) -> dict[str, Any]:
        """A page of the decision task's history (events up to its started event)."""
        events = execution.events[since : execution.decision_started_id]
        if reverse:
            events = events[::-1]
        page = events if offset == 0 and len(events) <= size else events[offset : offset + size]
        response: dict[str, Any] = {
            "taskToken": token,
            "startedEventId": execution.decision_started_id,
            "previousStartedEventId": execution.previous_started_id,
            "workflowExecution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
            "workflowType": execution.workflow_type.copy(),
            "events": page,
        }
        if offset + size < len(events):
            response["nextPageToken"] = page_token({"t": token, "o": offset + size, "s": since})
        return response

    # --- activity tasks -----------------------------------------------------------------

    def poll_for_activity_task(self, params: dict[str, Any]) -> dict[str, Any]:
        """Start the next activity task of the task list and arm its running timeouts."""
        domain = self._domain(params.get("domain"))
        task = self._queues.take_activity(domain, params["taskList"]["name"])
        if task is None:
            return dict(_NO_ACTIVITY_TASK)
        execution = task.execution
        attributes: dict[str, Any] = {"scheduledEventId": task.scheduled_event_id}
        identity = params.get("identity")
        if identity:
            attributes["identity"] = identity[:MAX_NAME]
        task.started_event_id = self._executions.append(
            execution, "ActivityTaskStarted", attributes
        )
        runtime = self._runtime
        now = runtime.call_now  # runtime.now(), inline: once per activity task
        if now is None:
            now = runtime.now()
        task.last_heartbeat = now
        execution.latest_activity_at = now
        if task.start_to_close != "NONE":
            self._due.push(now + SECONDS[task.start_to_close], "activity", task, "START_TO_CLOSE")
        if task.heartbeat != "NONE":
            self._due.push(now + SECONDS[task.heartbeat], "activity", task, "HEARTBEAT")
        response: dict[str, Any] = {
            "taskToken": task.token,
            "activityId": task.activity_id,
            "startedEventId": task.started_event_id,
            "workflowExecution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
            "activityType": task.activity_type.copy(),
        }
        if task.input is not None:
            response["input"] = task.input
        return response

    def _answer_activity(
        self, event_type: str, fields: tuple[tuple[str, int], ...], params: dict[str, Any]
    ) -> dict[str, Any]:
        """Close the activity task named by ``taskToken`` with ``event_type``.

        ``fields``: the request fields copied into the event, with their length limits. The
        three answers below are this method with its first two arguments given
        (``partialmethod``: the handler table then calls it without a frame of its own).
        """
        task = self._queues.activity_task(params.get("taskToken"))
        attributes: dict[str, Any] = {
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        for key, limit in fields:  # all checked before anything changes
            value = params.get(key)
            if value is None:
                continue
            if type(value) is not str or len(value) > limit:
                value = _text(params, key, limit)  # refuses it, naming the problem
            attributes[key] = value
        self._queues.close_activity(task)
        if event_type == "ActivityTaskCanceled" and task.cancel_requested_event_id:
            attributes["latestCancelRequestedEventId"] = task.cancel_requested_event_id
        self._executions.append(task.execution, event_type, attributes)
        for listener in self._listeners:  # runtime.notify(), inline: once per activity task
            listener()
        return {}

    respond_activity_task_completed = partialmethod(
        _answer_activity, "ActivityTaskCompleted", (("result", MAX_DATA),)
    )
    respond_activity_task_failed = partialmethod(
        _answer_activity, "ActivityTaskFailed", (("reason", MAX_REASON), ("details", MAX_DATA))
    )
    respond_activity_task_canceled = partialmethod(
        _answer_activity, "ActivityTaskCanceled", (("details", MAX_DATA),)
    )

    def record_activity_task_heartbeat(self, params: dict[str, Any]) -> dict[str, Any]:
        """Keep the task's heartbeat timeout away; tells whether cancellation was asked."""
        task = self._queues.activity_task(params.get("taskToken"))
        task.heartbeat_details = _text(params, "details", MAX_HEARTBEAT_DETAILS)
        task.last_heartbeat = self._runtime.now()
        return {"cancelRequested": bool(task.cancel_requested_event_id)}
