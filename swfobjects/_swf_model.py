"""An in-memory model of Amazon SWF's state machine, speaking SWF's own JSON shapes.

``SwfModel.call("StartWorkflowExecution", {...})`` takes and returns exactly the request and
response dicts of SWF's JSON API (botocore's model), and records exactly SWF's history events.
It is the one implementation of SWF semantics in this project: the SerialExecutor drives it
in-process, and ``swfobjects local`` serves it over HTTP with locking and long polling.

Time comes from an injected clock (epoch seconds). Nothing fires on its own: callers call
:meth:`SwfModel.advance` (the service does it from a background thread, the SerialExecutor
when it is idle), and :meth:`SwfModel.next_due` says when the next timer or timeout is due.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import os
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ._swf_queries import QueriesMixin
from ._swf_state import (
    ActivityTaskState,
    ChildState,
    Domain,
    Execution,
    SwfFault,
    TimerState,
)
from ._swf_types import TypesMixin

__all__ = ["SwfModel", "SwfFault"]

MAX_OPEN = 1000
MAX_PAGE = 1000
MAX_DATA = 32_768
MAX_ID = 256
MAX_HISTORY = 25_000

_DECISION_WAKERS = frozenset(
    {
        "WorkflowExecutionStarted",
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
        "TimerFired",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "StartChildWorkflowExecutionFailed",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionFailed",
        "ScheduleActivityTaskFailed",
        "RequestCancelActivityTaskFailed",
        "StartTimerFailed",
        "CancelTimerFailed",
        "RecordMarkerFailed",
        "ScheduleLambdaFunctionFailed",
        "CompleteWorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        "CancelWorkflowExecutionFailed",
        "ContinueAsNewWorkflowExecutionFailed",
        "DecisionTaskTimedOut",
    }
)


def _attr_key(event_type: str) -> str:
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


def _seconds(value: str | None) -> float | None:
    """Seconds in an SWF timeout string; None for "NONE"/absent."""
    if value is None or value == "NONE":
        return None
    return float(value)


def _random_id() -> str:
    return os.urandom(16).hex()


def _page_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _read_page_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(data, dict):
            raise ValueError
        return data
    except (ValueError, TypeError):
        raise SwfFault("ValidationException", f"invalid nextPageToken {token[:40]!r}") from None


class SwfModel(TypesMixin, QueriesMixin):
    """SWF's semantics in memory. Not thread-safe: the local service serializes calls.

    >>> model = SwfModel(clock=lambda: 0.0)
    >>> model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    {}
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.domains: dict[str, Domain] = {}
        self.types: dict[tuple[str, str, str, str], Any] = {}
        self.executions: dict[tuple[str, str, str], Execution] = {}
        self.open_by_id: dict[tuple[str, str], Execution] = {}
        self.decision_queues: dict[tuple[str, str], deque[tuple[Execution, int]]] = {}
        self.activity_queues: dict[tuple[str, str], deque[ActivityTaskState]] = {}
        self.tokens: dict[str, Any] = {}
        self._due: list[tuple[float, int, tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self.listeners: list[Callable[[], None]] = []
        self.new_id: Callable[[], str] = _random_id  # seam: the local service journals ids
        self._call_now: float | None = None

    # --- dispatch -----------------------------------------------------------------------

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one SWF API operation; raises :class:`SwfFault` with SWF's error codes."""
        handler = getattr(self, "op_" + operation, None)
        if handler is None:
            raise SwfFault("UnknownOperationException", f"unknown operation {operation!r}")
        if not isinstance(params, dict):
            raise SwfFault("SerializationException", "the request body must be a JSON object")
        self._call_now = float(self.clock())  # one timestamp for all events of a call
        try:
            self.advance()
            return handler(params)  # type: ignore[no-any-return]
        except (KeyError, TypeError, AttributeError) as exc:
            raise SwfFault(
                "ValidationException", f"{operation}: missing or malformed field ({exc})"
            ) from None
        finally:
            self._call_now = None

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()

    # --- helpers ------------------------------------------------------------------------

    def now(self) -> float:
        """The model's current time (epoch seconds; fixed for the duration of one call)."""
        now = self._call_now
        return now if now is not None else float(self.clock())

    def _domain(self, name: Any, *, registered: bool = True) -> Domain:
        if not isinstance(name, str):
            raise SwfFault("ValidationException", "domain must be a string")
        domain = self.domains.get(name)
        if domain is None:
            raise SwfFault("UnknownResourceFault", f"Unknown domain: {name}")
        if registered and domain.status != "REGISTERED":
            raise SwfFault("DomainDeprecatedFault", f"Domain is deprecated: {name}")
        return domain

    def _text(
        self, params: dict[str, Any], key: str, limit: int = MAX_DATA, required: bool = False
    ) -> str | None:
        value = params.get(key)
        if value is None:
            if required:
                raise SwfFault("ValidationException", f"{key} is required")
            return None
        if not isinstance(value, str):
            raise SwfFault("ValidationException", f"{key} must be a string")
        if len(value) > limit:
            raise SwfFault(
                "ValidationException",
                f"1 validation error detected: Value at '{key}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {limit}",
            )
        return value

    def _name(self, params: dict[str, Any], key: str) -> str:
        value = self._text(params, key, MAX_ID, required=True)
        assert value is not None
        if not value:
            raise SwfFault("ValidationException", f"{key} must not be empty")
        return value

    def _timeout(self, value: Any, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not (value == "NONE" or value.isdigit()):
            raise SwfFault("ValidationException", f"{key} must be a number of seconds or NONE")
        return value

    def _push_due(self, when: float, *item: Any) -> None:
        heapq.heappush(self._due, (when, next(self._seq), item))

    def _new_token(self, target: Any) -> str:
        token = self.new_id() + self.new_id()
        self.tokens[token] = target
        return token

    def _append(self, execution: Execution, event_type: str, attributes: dict[str, Any]) -> int:
        event_id = len(execution.events) + 1
        execution.events.append(
            {
                "eventTimestamp": self.now(),
                "eventType": event_type,
                "eventId": event_id,
                _attr_key(event_type): attributes,
            }
        )
        if event_type in _DECISION_WAKERS and execution.is_open:
            self._need_decision(execution)
        if (
            len(execution.events) >= MAX_HISTORY - 1  # the terminated event is the last one
            and execution.is_open
            and event_type != "WorkflowExecutionTerminated"
        ):
            self._terminate(execution, "EVENT_LIMIT_EXCEEDED", None, None)
        return event_id

    def _need_decision(self, execution: Execution) -> None:
        if execution.decision_state == "started":
            execution.decision_needed = True
        elif execution.decision_state == "none":
            self._schedule_decision(execution)

    def _schedule_decision(self, execution: Execution) -> None:
        execution.decision_state = "scheduled"
        execution.decision_needed = False
        execution.decision_scheduled_at = self.now()
        attributes: dict[str, Any] = {
            "taskList": {"name": execution.task_list},
            "startToCloseTimeout": execution.task_timeout,
        }
        if execution.task_priority is not None:
            attributes["taskPriority"] = execution.task_priority
        event_id = self._append(execution, "DecisionTaskScheduled", attributes)
        execution.decision_scheduled_id = event_id
        key = (execution.domain, execution.task_list)
        self.decision_queues.setdefault(key, deque()).append((execution, event_id))
        self._notify()

    def _find(self, domain: str, ref: Any) -> Execution:
        if not isinstance(ref, dict) or "workflowId" not in ref:
            raise SwfFault("ValidationException", "execution must have a workflowId")
        run_id = ref.get("runId")
        if run_id:
            execution = self.executions.get((domain, ref["workflowId"], run_id))
        else:
            execution = self.open_by_id.get((domain, ref["workflowId"]))
            if execution is None:
                latest = [
                    e
                    for (d, w, _), e in self.executions.items()
                    if d == domain and w == ref["workflowId"]
                ]
                execution = max(latest, key=lambda e: e.started_at) if latest else None
        if execution is None:
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown execution: WorkflowExecution=[workflowId={ref['workflowId']}, "
                f"runId={run_id}]",
            )
        return execution

    def _open(self, domain: str, workflow_id: str, run_id: str | None) -> Execution:
        execution = self.open_by_id.get((domain, workflow_id))
        if execution is None or (run_id and execution.run_id != run_id):
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]",
            )
        return execution

    # --- starting executions ------------------------------------------------------------

    def op_StartWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        workflow_id = self._name(params, "workflowId")
        execution = self._start(domain, workflow_id, params, parent=None)
        return {"runId": execution.run_id}

    def _start(
        self,
        domain: str,
        workflow_id: str,
        params: dict[str, Any],
        parent: tuple[Execution, int] | None,
        continued: str | None = None,
    ) -> Execution:
        """Start a run, or raise SwfFault(code) describing why SWF would refuse."""
        wtype = params.get("workflowType")
        if not isinstance(wtype, dict) or "name" not in wtype or "version" not in wtype:
            raise SwfFault("ValidationException", "workflowType needs name and version")
        record = self.types.get(("workflow", domain, wtype["name"], wtype["version"]))
        if record is None:
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown type: WorkflowType=[name={wtype['name']}, version={wtype['version']}]",
            )
        if record.status != "REGISTERED":
            raise SwfFault("TypeDeprecatedFault", f"WorkflowType is deprecated: {wtype}")
        if (domain, workflow_id) in self.open_by_id:
            raise SwfFault(
                "WorkflowExecutionAlreadyStartedFault",
                f"Workflow execution already started: {workflow_id}",
            )
        defaults = record.defaults

        def pick(key: str, default_key: str, fault: str) -> Any:
            value = params.get(key)
            if value is None:
                value = defaults.get(default_key)
            if value is None:
                raise SwfFault("DefaultUndefinedFault", fault)
            return value

        task_list = pick("taskList", "defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED")["name"]
        execution_timeout = self._timeout(
            pick(
                "executionStartToCloseTimeout",
                "defaultExecutionStartToCloseTimeout",
                "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
            ),
            "executionStartToCloseTimeout",
        )
        if execution_timeout == "NONE":
            raise SwfFault("ValidationException", "executionStartToCloseTimeout cannot be NONE")
        task_timeout = self._timeout(
            pick(
                "taskStartToCloseTimeout",
                "defaultTaskStartToCloseTimeout",
                "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
            ),
            "taskStartToCloseTimeout",
        )
        child_policy = pick("childPolicy", "defaultChildPolicy", "DEFAULT_CHILD_POLICY_UNDEFINED")
        tags = params.get("tagList") or []
        if len(tags) > 5 or any(not isinstance(t, str) or len(t) > MAX_ID for t in tags):
            raise SwfFault("ValidationException", "tagList takes at most 5 tags of 256 chars")
        input_text = self._text(params, "input")
        priority = params.get("taskPriority", defaults.get("defaultTaskPriority"))
        execution = Execution(
            domain=domain,
            workflow_id=workflow_id,
            run_id=self.new_id(),
            workflow_type={"name": wtype["name"], "version": wtype["version"]},
            task_list=task_list,
            task_priority=priority,
            child_policy=child_policy,
            execution_timeout=execution_timeout or "NONE",
            task_timeout=task_timeout or "NONE",
            tags=list(tags),
            started_at=self.now(),
            lambda_role=params.get("lambdaRole"),
        )
        attributes: dict[str, Any] = {
            "executionStartToCloseTimeout": execution.execution_timeout,
            "taskStartToCloseTimeout": execution.task_timeout,
            "childPolicy": child_policy,
            "taskList": {"name": task_list},
            "workflowType": dict(execution.workflow_type),
        }
        if input_text is not None:
            attributes["input"] = input_text
        if priority is not None:
            attributes["taskPriority"] = priority
        if tags:
            attributes["tagList"] = list(tags)
        if continued:
            attributes["continuedExecutionRunId"] = continued
        if parent is not None:
            execution.parent = parent[0].execution_ref
            execution.parent_initiated_event_id = parent[1]
            attributes["parentWorkflowExecution"] = parent[0].execution_ref
            attributes["parentInitiatedEventId"] = parent[1]
        if execution.lambda_role:
            attributes["lambdaRole"] = execution.lambda_role
        self.executions[(domain, workflow_id, execution.run_id)] = execution
        self.open_by_id[(domain, workflow_id)] = execution
        self._append(execution, "WorkflowExecutionStarted", attributes)
        limit = _seconds(execution.execution_timeout)
        if limit is not None:
            self._push_due(execution.started_at + limit, "execution", execution)
        return execution

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
                or not execution.is_open
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
                and execution.is_open
                and execution.decision_scheduled_id == scheduled_id
            ):
                return True
            queue.popleft()
        return False

    def _start_decision(
        self, execution: Execution, params: dict[str, Any], page_size: int, reverse: bool
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {"scheduledEventId": execution.decision_scheduled_id}
        if params.get("identity"):
            attributes["identity"] = params["identity"][:MAX_ID]
        execution.decision_state = "started"
        started_id = self._append(execution, "DecisionTaskStarted", attributes)
        execution.decision_started_id = started_id
        token = self._new_token(execution)
        if execution.decision_token:
            self.tokens.pop(execution.decision_token, None)
        execution.decision_token = token
        limit = _seconds(execution.task_timeout)
        if limit is not None:
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
        page = events[offset : offset + page_size]
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
            or not execution.is_open
        ):
            raise SwfFault("UnknownResourceFault", "Unknown decision task token (stale or closed)")
        return execution

    def op_RespondDecisionTaskCompleted(self, params: dict[str, Any]) -> dict[str, Any]:
        execution = self._decision_task(params.get("taskToken"))
        decisions = params.get("decisions") or []
        if not isinstance(decisions, list):
            raise SwfFault("ValidationException", "decisions must be a list")
        from ._swf_decisions import apply_decisions, validate_decisions

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
        apply_decisions(self, execution, decisions, completed_id, unhandled)
        if execution.is_open:
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
                not execution.is_open
                or task.token is not None
                or execution.activities.get(task.activity_id) is not task
            ):
                continue
            attributes: dict[str, Any] = {"scheduledEventId": task.scheduled_event_id}
            if params.get("identity"):
                attributes["identity"] = params["identity"][:MAX_ID]
            task.started_event_id = self._append(execution, "ActivityTaskStarted", attributes)
            task.token = self._new_token(task)
            task.last_heartbeat = self.now()
            execution.latest_activity_at = self.now()
            limit = _seconds(task.start_to_close)
            if limit is not None:
                self._push_due(self.now() + limit, "activity", task, "START_TO_CLOSE")
            beat = _seconds(task.heartbeat)
            if beat is not None:
                self._push_due(self.now() + beat, "activity", task, "HEARTBEAT")
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
                task.execution.is_open
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
            or not task.execution.is_open
        ):
            raise SwfFault("UnknownResourceFault", "Unknown activity task token (stale or closed)")
        return task

    def _close_activity(self, task: ActivityTaskState) -> None:
        del task.execution.activities[task.activity_id]
        if task.token:
            self.tokens.pop(task.token, None)

    def op_RespondActivityTaskCompleted(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self._activity_task(params.get("taskToken"))
        result = self._text(params, "result")
        self._close_activity(task)
        attributes: dict[str, Any] = {
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        if result is not None:
            attributes["result"] = result
        self._append(task.execution, "ActivityTaskCompleted", attributes)
        self._notify()
        return {}

    def op_RespondActivityTaskFailed(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self._activity_task(params.get("taskToken"))
        reason = self._text(params, "reason", MAX_ID)
        details = self._text(params, "details")
        self._close_activity(task)
        attributes: dict[str, Any] = {
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        if reason is not None:
            attributes["reason"] = reason
        if details is not None:
            attributes["details"] = details
        self._append(task.execution, "ActivityTaskFailed", attributes)
        self._notify()
        return {}

    def op_RespondActivityTaskCanceled(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self._activity_task(params.get("taskToken"))
        details = self._text(params, "details")
        self._close_activity(task)
        attributes: dict[str, Any] = {
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        if details is not None:
            attributes["details"] = details
        if task.cancel_requested_event_id:
            attributes["latestCancelRequestedEventId"] = task.cancel_requested_event_id
        self._append(task.execution, "ActivityTaskCanceled", attributes)
        self._notify()
        return {}

    def op_RecordActivityTaskHeartbeat(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self._activity_task(params.get("taskToken"))
        task.heartbeat_details = self._text(params, "details", 2048)
        task.last_heartbeat = self.now()
        return {"cancelRequested": bool(task.cancel_requested_event_id)}

    # --- signals, cancellation, termination ---------------------------------------------

    def op_SignalWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        execution = self._open(domain, self._name(params, "workflowId"), params.get("runId"))
        attributes: dict[str, Any] = {"signalName": self._name(params, "signalName")}
        signal_input = self._text(params, "input")
        if signal_input is not None:
            attributes["input"] = signal_input
        self._append(execution, "WorkflowExecutionSignaled", attributes)
        self._notify()
        return {}

    def op_RequestCancelWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        execution = self._open(domain, self._name(params, "workflowId"), params.get("runId"))
        self._request_cancel(execution, {})
        self._notify()
        return {}

    def _request_cancel(self, execution: Execution, attributes: dict[str, Any]) -> None:
        execution.cancel_requested = True
        self._append(execution, "WorkflowExecutionCancelRequested", attributes)

    def op_TerminateWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        execution = self._open(domain, self._name(params, "workflowId"), params.get("runId"))
        policy = params.get("childPolicy") or execution.child_policy
        self._terminate(
            execution,
            None,
            self._text(params, "reason", MAX_ID),
            self._text(params, "details"),
            policy,
        )
        self._notify()
        return {}

    def _terminate(
        self,
        execution: Execution,
        cause: str | None,
        reason: str | None,
        details: str | None,
        policy: str | None = None,
    ) -> None:
        attributes: dict[str, Any] = {"childPolicy": policy or execution.child_policy}
        if reason is not None:
            attributes["reason"] = reason
        if details is not None:
            attributes["details"] = details
        if cause is not None:
            attributes["cause"] = cause
        self.close(
            execution,
            "TERMINATED",
            "WorkflowExecutionTerminated",
            attributes,
            attributes["childPolicy"],
        )

    # --- closing ------------------------------------------------------------------------

    def close(
        self,
        execution: Execution,
        status: str,
        event_type: str,
        attributes: dict[str, Any],
        child_policy: str | None = None,
    ) -> int:
        """Record the close event, drop open work, notify the parent, apply the child policy."""
        event_id = self._append(execution, event_type, attributes)
        execution.close_status = status
        execution.closed_at = self.now()
        execution.decision_state = "none"
        if execution.decision_token:
            self.tokens.pop(execution.decision_token, None)
            execution.decision_token = None
        for task in list(execution.activities.values()):
            self._close_activity(task)
        execution.timers.clear()
        key = (execution.domain, execution.workflow_id)
        if self.open_by_id.get(key) is execution:
            del self.open_by_id[key]
        self._apply_child_policy(execution, child_policy or execution.child_policy)
        self._report_to_parent(execution, status, attributes)
        self._notify()
        return event_id

    def _apply_child_policy(self, execution: Execution, policy: str) -> None:
        for child in list(execution.children.values()):
            target = self.open_by_id.get((execution.domain, child.workflow_id))
            if target is None or target.run_id != child.run_id:
                continue
            if policy == "TERMINATE":
                self._terminate(target, "CHILD_POLICY_APPLIED", None, None)
            elif policy == "REQUEST_CANCEL":
                self._request_cancel(target, {"cause": "CHILD_POLICY_APPLIED"})

    def _report_to_parent(
        self, execution: Execution, status: str, attributes: dict[str, Any]
    ) -> None:
        if execution.parent is None:
            return
        parent = self.executions.get(
            (execution.domain, execution.parent["workflowId"], execution.parent["runId"])
        )
        if parent is None or not parent.is_open:
            return
        child = parent.children.pop(execution.parent_initiated_event_id, None)
        if child is None:
            return
        event_type = {
            "COMPLETED": "ChildWorkflowExecutionCompleted",
            "FAILED": "ChildWorkflowExecutionFailed",
            "CANCELED": "ChildWorkflowExecutionCanceled",
            "TIMED_OUT": "ChildWorkflowExecutionTimedOut",
            "TERMINATED": "ChildWorkflowExecutionTerminated",
            "CONTINUED_AS_NEW": None,
        }[status]
        if event_type is None:
            return  # the new run reports instead
        report: dict[str, Any] = {
            "workflowExecution": execution.execution_ref,
            "workflowType": dict(execution.workflow_type),
            "initiatedEventId": child.initiated_event_id,
            "startedEventId": child.started_event_id,
        }
        for key in ("result", "reason", "details", "timeoutType"):
            if key in attributes:
                report[key] = attributes[key]
        self._append(parent, event_type, report)

    def start_child(self, parent: Execution, params: dict[str, Any], initiated_id: int) -> str:
        """Start a child run for an initiated event; returns "" or SWF's failure cause."""
        try:
            child = self._start(
                parent.domain, params["workflowId"], params, parent=(parent, initiated_id)
            )
        except SwfFault as fault:
            return {
                "UnknownResourceFault": "WORKFLOW_TYPE_DOES_NOT_EXIST",
                "TypeDeprecatedFault": "WORKFLOW_TYPE_DEPRECATED",
                "WorkflowExecutionAlreadyStartedFault": "WORKFLOW_ALREADY_RUNNING",
                "DefaultUndefinedFault": fault.message,
            }.get(fault.code, "OPERATION_NOT_PERMITTED")
        state = ChildState(
            params["workflowId"], initiated_id, dict(child.workflow_type), child.run_id
        )
        parent.children[initiated_id] = state
        state.started_event_id = self._append(
            parent,
            "ChildWorkflowExecutionStarted",
            {
                "workflowExecution": child.execution_ref,
                "workflowType": dict(child.workflow_type),
                "initiatedEventId": initiated_id,
            },
        )
        return ""

    def continue_as_new(self, execution: Execution, params: dict[str, Any]) -> str:
        """Start the next run of ``execution``; returns its run id."""
        key = (execution.domain, execution.workflow_id)
        self.open_by_id.pop(key, None)
        parent = None
        if execution.parent is not None:
            owner = self.executions.get(
                (execution.domain, execution.parent["workflowId"], execution.parent["runId"])
            )
            if owner is not None:
                parent = (owner, execution.parent_initiated_event_id)
        try:
            successor = self._start(
                execution.domain,
                execution.workflow_id,
                params,
                parent=parent,
                continued=execution.run_id,
            )
        except SwfFault:
            self.open_by_id[key] = execution
            raise
        if parent is not None:
            child = parent[0].children.get(execution.parent_initiated_event_id)
            if child is not None:
                child.run_id = successor.run_id
        return successor.run_id

    # --- time ---------------------------------------------------------------------------

    def next_due(self) -> float | None:
        """When the next timer or timeout is due (epoch seconds), or None."""
        return self._due[0][0] if self._due else None

    def due_kinds(self) -> set[str]:
        """The kinds of pending timeouts ("timer", "activity", "decision", "execution")."""
        return {item[0] for _, _, item in self._due if self._still_pending(item)}

    def _still_pending(self, item: tuple[Any, ...]) -> bool:
        kind = item[0]
        if kind == "timer":
            execution, timer = item[1], item[2]
            return execution.is_open and execution.timers.get(timer.timer_id) is timer
        if kind == "activity":
            task = item[1]
            return (
                task.execution.is_open and task.execution.activities.get(task.activity_id) is task
            )
        if kind == "decision":
            return item[1].is_open and item[1].decision_started_id == item[2]
        return bool(item[1].is_open)

    def advance(self) -> int:
        """Fire every timer and timeout due by now; returns how many fired."""
        fired = 0
        due = self._due
        now = self.now()
        while due and due[0][0] <= now:
            when, _, item = heapq.heappop(due)
            if self._still_pending(item) and self._fire(item, when):
                fired += 1
        if fired:
            self._notify()
        return fired

    def _fire(self, item: tuple[Any, ...], when: float) -> bool:
        kind = item[0]
        if kind == "timer":
            execution, timer = item[1], item[2]
            del execution.timers[timer.timer_id]
            self._append(
                execution,
                "TimerFired",
                {"timerId": timer.timer_id, "startedEventId": timer.started_event_id},
            )
            return True
        if kind == "decision":
            execution, started_id = item[1], item[2]
            if execution.decision_state != "started":
                return False
            if execution.decision_token:
                self.tokens.pop(execution.decision_token, None)
                execution.decision_token = None
            execution.decision_state = "none"
            execution.decision_needed = False
            self._append(
                execution,
                "DecisionTaskTimedOut",
                {
                    "timeoutType": "START_TO_CLOSE",
                    "scheduledEventId": execution.decision_scheduled_id,
                    "startedEventId": started_id,
                },
            )
            return True
        if kind == "execution":
            execution = item[1]
            self.close(
                execution,
                "TIMED_OUT",
                "WorkflowExecutionTimedOut",
                {"timeoutType": "START_TO_CLOSE", "childPolicy": execution.child_policy},
            )
            return True
        task, timeout_type = item[1], item[2]
        return self._activity_timeout(task, timeout_type, when)

    def _activity_timeout(self, task: ActivityTaskState, timeout_type: str, when: float) -> bool:
        started = bool(task.started_event_id)
        if timeout_type == "SCHEDULE_TO_START" and started:
            return False
        if timeout_type in ("START_TO_CLOSE", "HEARTBEAT") and not started:
            return False
        if timeout_type == "HEARTBEAT":
            beat = _seconds(task.heartbeat) or 0.0
            if task.last_heartbeat + beat > when:
                self._push_due(task.last_heartbeat + beat, "activity", task, "HEARTBEAT")
                return False
        self._close_activity(task)
        attributes: dict[str, Any] = {
            "timeoutType": timeout_type,
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        if task.heartbeat_details is not None:
            attributes["details"] = task.heartbeat_details
        self._append(task.execution, "ActivityTaskTimedOut", attributes)
        return True

    def schedule_activity(self, execution: Execution, task: ActivityTaskState) -> None:
        """Queue an activity task and arm its schedule-to-start/close timeouts."""
        execution.activities[task.activity_id] = task
        self.activity_queues.setdefault((execution.domain, task.task_list), deque()).append(task)
        for timeout, kind in (
            (task.schedule_to_start, "SCHEDULE_TO_START"),
            (task.schedule_to_close, "SCHEDULE_TO_CLOSE"),
        ):
            limit = _seconds(timeout)
            if limit is not None:
                self._push_due(task.scheduled_at + limit, "activity", task, kind)

    def start_timer(
        self, execution: Execution, timer_id: str, seconds: float, started_id: int
    ) -> None:
        """Arm a timer."""
        timer = TimerState(timer_id, started_id, self.now() + seconds)
        execution.timers[timer_id] = timer
        self._push_due(timer.fire_at, "timer", execution, timer)

    # --- history and description --------------------------------------------------------

    def op_GetWorkflowExecutionHistory(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain"), registered=False).name
        execution = self._find(domain, params.get("execution"))
        page_size = int(params.get("maximumPageSize") or MAX_PAGE)
        if not 1 <= page_size <= MAX_PAGE:
            raise SwfFault("ValidationException", "maximumPageSize must be 1..1000")
        events = execution.events[::-1] if params.get("reverseOrder") else execution.events
        offset = 0
        if params.get("nextPageToken"):
            offset = int(_read_page_token(params["nextPageToken"]).get("o", 0))
        response: dict[str, Any] = {"events": events[offset : offset + page_size]}
        if offset + page_size < len(events):
            response["nextPageToken"] = _page_token({"o": offset + page_size})
        return response

    def op_DescribeWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain"), registered=False).name
        execution = self._find(domain, params.get("execution"))
        return self.describe(execution)

    def execution_info(self, execution: Execution) -> dict[str, Any]:
        """SWF's ``WorkflowExecutionInfo`` for a run."""
        info: dict[str, Any] = {
            "execution": execution.execution_ref,
            "workflowType": dict(execution.workflow_type),
            "startTimestamp": execution.started_at,
            "executionStatus": "OPEN" if execution.is_open else "CLOSED",
            "cancelRequested": execution.cancel_requested,
        }
        if execution.tags:
            info["tagList"] = list(execution.tags)
        if execution.parent is not None:
            info["parent"] = dict(execution.parent)
        if not execution.is_open:
            info["closeTimestamp"] = execution.closed_at
            info["closeStatus"] = execution.close_status
        return info

    def describe(self, execution: Execution) -> dict[str, Any]:
        """SWF's ``WorkflowExecutionDetail`` for a run."""
        configuration: dict[str, Any] = {
            "taskStartToCloseTimeout": execution.task_timeout,
            "executionStartToCloseTimeout": execution.execution_timeout,
            "taskList": {"name": execution.task_list},
            "childPolicy": execution.child_policy,
        }
        if execution.task_priority is not None:
            configuration["taskPriority"] = execution.task_priority
        if execution.lambda_role:
            configuration["lambdaRole"] = execution.lambda_role
        detail: dict[str, Any] = {
            "executionInfo": self.execution_info(execution),
            "executionConfiguration": configuration,
            "openCounts": {
                "openActivityTasks": len(execution.activities),
                "openDecisionTasks": int(execution.decision_state != "none"),
                "openTimers": len(execution.timers),
                "openChildWorkflowExecutions": len(execution.children),
                "openLambdaFunctions": 0,
            },
        }
        if execution.latest_activity_at is not None:
            detail["latestActivityTaskTimestamp"] = execution.latest_activity_at
        if execution.latest_context is not None:
            detail["latestExecutionContext"] = execution.latest_context
        return detail

    def _domain_open(self, domain: str) -> list[Execution]:
        return [e for e in self.open_by_id.values() if e.domain == domain]

    def _new_domain(self, name: str, retention: str, description: str | None) -> Domain:
        domain = Domain(name, retention, description)
        self.domains[name] = domain
        return domain
