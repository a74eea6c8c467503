"""The core of the SWF model: state, dispatch of operations, events and decision scheduling.

``ModelCore`` holds what every part of the model shares; the operations live in mixins
(``_swf_types``, ``_swf_queries``, ``_swf_tasks``, ``_swf_clock``) and in ``SwfModel``.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import os
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..swf._shapes import EVENT_KEYS, event_attributes_key
from ._state import ActivityTaskState, Domain, Execution, SwfFault

__all__ = ["ModelCore", "MAX_OPEN", "MAX_PAGE", "MAX_DATA", "MAX_ID", "MAX_HISTORY"]

MAX_OPEN = 1000
MAX_PAGE = 1000
MAX_DATA = 32_768
MAX_ID = 256
MAX_HISTORY = 25_000
_MIN_COMPACT = 256

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


def _seconds(value: str | None) -> float | None:
    """Seconds in an SWF timeout string; None for "NONE"/absent."""
    if value is None or value == "NONE":
        return None
    return float(value)


_ID_SOURCE = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=lambda: _ID_SOURCE.seed(os.urandom(32)))


def _random_id() -> str:
    """128 random bits in hex: run ids and task tokens (unique, not a secret: the model is
    in-process or on loopback, and a per-call ``os.urandom`` was a visible cost per task)."""
    return _ID_SOURCE.getrandbits(128).to_bytes(16, "big").hex()


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


class ModelCore:
    """State and shared helpers of the SWF model (see ``SwfModel``)."""

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
        self._compact_due_at = _MIN_COMPACT
        self._seq = itertools.count()
        self.listeners: list[Callable[[], None]] = []
        self.new_id: Callable[[], str] = _random_id  # seam: the local service journals ids
        self._call_now: float | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}

    # --- dispatch -----------------------------------------------------------------------

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one SWF API operation; raises :class:`SwfFault` with SWF's error codes."""
        handler = self._handlers.get(operation)
        if handler is None:
            handler = getattr(self, "op_" + operation, None)
            if handler is None:
                raise SwfFault("UnknownOperationException", f"unknown operation {operation!r}")
            self._handlers[operation] = handler
        if not isinstance(params, dict):
            raise SwfFault("SerializationException", "the request body must be a JSON object")
        now = self._call_now = float(self.clock())  # one timestamp for all events of a call
        try:
            due = self._due
            if due and due[0][0] <= now:
                self.advance()
            return handler(params)
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
        due = self._due
        heapq.heappush(due, (when, next(self._seq), item))
        if len(due) > self._compact_due_at:
            self._compact_due()

    def _compact_due(self) -> None:
        """Drop the entries of timers and timeouts whose task or execution has closed.

        Closing never searches the heap: stale entries are skipped when they come due. Without
        this sweep a long run would keep one or two per activity it ever ran (memory, and a
        deeper heap for every push); swept whenever the heap doubles, it costs O(1) per push.
        """
        due = self._due  # in place: advance() may be iterating over this very list
        due[:] = [entry for entry in due if self._still_pending(entry[2])]
        heapq.heapify(due)
        self._compact_due_at = max(_MIN_COMPACT, 2 * len(due))

    def _new_token(self, target: Any) -> str:
        token = self.new_id()
        self.tokens[token] = target
        return token

    def _append(self, execution: Execution, event_type: str, attributes: dict[str, Any]) -> int:
        events = execution.events
        event_id = len(events) + 1
        now = self._call_now
        events.append(
            {
                "eventTimestamp": now if now is not None else float(self.clock()),
                "eventType": event_type,
                "eventId": event_id,
                EVENT_KEYS.get(event_type) or event_attributes_key(event_type): attributes,
            }
        )
        if execution.close_status is None:
            if event_type in _DECISION_WAKERS:
                self._need_decision(execution)  # may append (and check) DecisionTaskScheduled
            if (
                event_id >= MAX_HISTORY - 1  # the terminated event is the last one
                and execution.close_status is None
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
        queue = self.decision_queues.get(key)
        if queue is None:
            queue = self.decision_queues[key] = deque()
        queue.append((execution, event_id))
        self._notify()

    def _close_activity(self, task: ActivityTaskState) -> None:
        del task.execution.activities[task.activity_id]
        if task.token:
            self.tokens.pop(task.token, None)

    # --- provided by SwfModel -----------------------------------------------------------

    def advance(self) -> int:
        raise NotImplementedError

    def _still_pending(self, item: tuple[Any, ...]) -> bool:
        raise NotImplementedError

    def _terminate(
        self,
        execution: Execution,
        cause: str | None,
        reason: str | None,
        details: str | None,
        policy: str | None = None,
    ) -> None:
        raise NotImplementedError

    def close(
        self,
        execution: Execution,
        status: str,
        event_type: str,
        attributes: dict[str, Any],
        child_policy: str | None = None,
    ) -> int:
        raise NotImplementedError
