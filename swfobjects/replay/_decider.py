"""The replay decider: (workflow type, history events[, replay state]) -> decisions.

Events are read once, in order (O(N) for N events). Between two decision tasks the events SWF
recorded are buffered; at each *completed* decision task we apply the events that task could
see (those before its ``DecisionTaskStarted``), run the workflow's coroutines until they block,
and match the commands they produce against the events SWF recorded for that decision
(``ActivityTaskScheduled``, ``TimerStarted``...). A mismatch is a :class:`NonDeterminismError`.
At the last, still open, decision task the pending commands become the decisions to send.

A :class:`Decider` can be kept between decision tasks of one run (the sticky cache): feeding it
only the new events gives the same decisions as a full replay, because the processing is the
same function of the same events.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable
from typing import Any

from ..exceptions import (
    ActivityTaskCancelledError,
    ActivityTaskError,
    ActivityTaskTimeoutError,
    CancelledError,
    NonDeterminismError,
)
from ..payloads._failures import decode_failure, encode_failure
from ..payloads._payload import Payloads
from ..swf._shapes import EVENT_KEYS, event_attributes, event_attributes_key
from ..workflow._context import runtime_var
from ..workflow._declarations import WorkflowType
from ..workflow._promise import Promise
from ._decider_features import FeatureEventsMixin
from ._determinism import DeterminismGuard
from ._runtime import WAKE_TIMER_PREFIX, Command, ScheduleRefused, WorkflowRuntime
from ._runtime_features import ContinueAsNew

__all__ = ["Decider", "decide", "MAX_DECISIONS", "MAX_RESPONSE_CHARS", "MAX_OPEN"]

log = logging.getLogger("swfobjects.decider")

MAX_DECISIONS = 100
"""Decisions per response; the rest go out with the next decision task."""
MAX_RESPONSE_CHARS = 900_000
"""Estimated response size cap (SWF refuses requests over 1 MB)."""
MAX_OPEN = 1000
"""SWF's limit on open activities, and on open timers, per execution."""

_CLOSE_EVENTS = frozenset(
    {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionContinuedAsNew",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionTerminated",
    }
)
_CLOSE_FAILED_EVENTS = frozenset(
    {
        "CompleteWorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        "CancelWorkflowExecutionFailed",
        "ContinueAsNewWorkflowExecutionFailed",
    }
)


_DECISION_TASK_EVENTS = frozenset(
    {
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "DecisionTaskTimedOut",
    }
)
"""Events that delimit decision tasks; the decider reads them itself instead of buffering them."""

_NOTHING_TO_DO = frozenset({"ActivityTaskStarted"})
"""Events replay has no use for (not even a debug log line: they are frequent)."""

_PAUSE_GC_FROM = 500
"""Feeds of at least this many events run with the cyclic garbage collector paused.

Replay allocates many long-lived objects (promises, coroutines, commands); CPython's
generational collector rescans them over and over, which made a 25,000-event fan-out replay
superlinear. Reference counting still frees everything acyclic at once. Small incremental
feeds (the sticky cache) are not worth the pause.
"""


class Decider(FeatureEventsMixin):
    """Replay state of one workflow run; feed it events, read its decisions.

    >>> decider = Decider(Hello.workflow_type())                  # doctest: +SKIP
    >>> decider.feed(events); decider.decisions()                 # doctest: +SKIP
    [{'decisionType': 'ScheduleActivityTask', ...}]
    """

    def __init__(
        self,
        workflow: WorkflowType,
        payloads: Payloads | None = None,
        workflow_id: str = "",
        run_id: str = "",
        strict: bool = False,
    ) -> None:
        self.workflow = workflow
        self.guard = DeterminismGuard() if strict else None
        self.payloads = payloads or Payloads()
        self.runtime = WorkflowRuntime(workflow, self.payloads, workflow_id, run_id)
        self.runtime.guard = self.guard
        self.last_event_id = 0
        self.closed = False
        self.main: Promise[Any] | None = None
        self.close_decision: dict[str, Any] | None = None
        self.last_completed_started_id = 0
        self.ran_for: int | None = None
        self._buffer: list[dict[str, Any]] = []
        self._started: dict[str, Any] | None = None
        self._visible = 0
        self._scheduled: dict[int, Command] = {}
        self._timers: dict[str, Command] = {}
        self._children: dict[int, Command] = {}
        self._signals: dict[int, Command] = {}
        self._current: list[dict[str, Any]] = []
        self._handlers = self._build_handlers()
        self._prefetch = getattr(self.payloads.store, "prefetch_events", None)

    # --- public -------------------------------------------------------------------------

    def feed(self, events: Iterable[dict[str, Any]]) -> None:
        """Process events after :attr:`last_event_id` (older ones are skipped)."""
        if not isinstance(events, list):
            events = list(events)
        if len(events) < _PAUSE_GC_FROM or not gc.isenabled():
            self._feed(events)
            return
        gc.disable()  # see _PAUSE_GC_FROM
        try:
            self._feed(events)
        finally:
            gc.enable()

    def _feed(self, events: Iterable[dict[str, Any]]) -> None:
        if not isinstance(events, list):
            events = list(events)
        last = self.last_event_id
        if events and events[0]["eventId"] <= last:
            events = [event for event in events if event["eventId"] > last]  # seen already
        if events:
            last = events[-1]["eventId"]  # SWF histories are in ascending order
        buffer = self._buffer
        markers_read = False
        for event in events:
            event_type = event["eventType"]
            if event_type not in _DECISION_TASK_EVENTS:
                buffer.append(event)
            elif event_type == "DecisionTaskStarted":
                self._started = event
                self._visible = len(buffer)
            elif event_type == "DecisionTaskCompleted":
                started = self._started
                if not markers_read and started is not None and self.ran_for != started["eventId"]:
                    self._read_markers(events)  # this feed replays a decision: see _read_markers
                    markers_read = True
                self._decision_completed(event)
            elif event_type == "DecisionTaskTimedOut":
                self._started = None
        self.last_event_id = last
        self.runtime.history_length = last
        started = self._started
        if started is not None and self.ran_for != started["eventId"]:
            self._run_decision(started, replaying=False)
            self.ran_for = started["eventId"]
            self._current = self._build_decisions(started["eventId"])

    def _read_markers(self, events: list[dict[str, Any]]) -> None:
        """Record the value of every marker in ``events`` before any decision is replayed.

        A replayed decision must see the values its own markers got, which history records
        after it. A decision this decider ran live already holds its markers' values, so only
        feeds that replay a decision pay for this pass.
        """
        markers = self.runtime.markers
        for event in events:
            if event["eventType"] == "MarkerRecorded":
                attrs = event.get("markerRecordedEventAttributes") or {}
                markers[attrs.get("markerName", "")] = attrs.get("details")

    def decisions(self) -> list[dict[str, Any]]:
        """The decisions for the open decision task of the events fed so far."""
        if self._started is None or self.closed:
            return []
        return list(self._current)

    # --- decision tasks -----------------------------------------------------------------

    def _decision_completed(self, event: dict[str, Any]) -> None:
        started = self._started
        attrs = event.get("decisionTaskCompletedEventAttributes", {})
        if started is None or attrs.get("startedEventId", started["eventId"]) != started["eventId"]:
            return
        if self.ran_for != started["eventId"]:
            self._run_decision(started, replaying=True)
        self.ran_for = None
        self._started = None
        self.last_completed_started_id = started["eventId"]

    def _run_decision(self, started: dict[str, Any], replaying: bool) -> None:
        visible = self._buffer[: self._visible]
        prefetch = self._prefetch
        if prefetch is not None:
            prefetch(visible)  # a store failure fails the decision task, not the workflow
        del self._buffer[: self._visible]
        self._visible = 0
        runtime = self.runtime
        runtime.replaying = replaying
        runtime.timestamp = started["eventTimestamp"]
        token = runtime_var.set(runtime)
        guard = self.guard
        try:
            if guard is not None:
                guard.__enter__()
            handlers = self._handlers
            for event in visible:
                event_type = event["eventType"]
                handler = handlers.get(event_type)
                if handler is None:
                    self._apply_unhandled(event)
                    continue
                key = EVENT_KEYS.get(event_type) or event_attributes_key(event_type)
                handler(event, event.get(key) or {})
            run = runtime.scheduler.run
            run()
            while runtime.waiters and runtime.check_waiters():
                run()
        finally:
            if guard is not None:
                guard.__exit__(None, None, None)
            runtime_var.reset(token)
        if guard is not None:
            guard.raise_if_violated(started["eventId"])
        if self.close_decision is None:
            if runtime.fatal is not None:
                self.close_decision = self._failure(runtime.fatal)
            elif self.main is not None and self.main.done():
                self.close_decision = self._close_for(self.main)

    def _close_for(self, main: Promise[Any]) -> dict[str, Any]:
        workflow = self.workflow
        error = main.exception()
        if error is None:
            try:
                result = self.payloads.encode(
                    main.result(),
                    workflow.result,
                    f"result of workflow {workflow.name}",
                    self.runtime.scope,
                    workflow.result_store,
                )
            except Exception as exc:  # noqa: BLE001 - becomes the workflow's failure
                return self._failure(exc)
            attributes = {} if result == "null" else {"result": result}
            return {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": attributes,
            }
        if isinstance(error, ContinueAsNew):
            return {
                "decisionType": "ContinueAsNewWorkflowExecution",
                "continueAsNewWorkflowExecutionDecisionAttributes": {"input": error.input_text},
            }
        if isinstance(error, CancelledError) and self.runtime.cancel_requested:
            return {
                "decisionType": "CancelWorkflowExecution",
                "cancelWorkflowExecutionDecisionAttributes": {},
            }
        return self._failure(error)

    def _failure(self, error: BaseException) -> dict[str, Any]:
        reason, details = encode_failure(
            error, self.payloads, "workflow failure", self.runtime.scope
        )
        return {
            "decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": {"reason": reason, "details": details},
        }

    def _build_decisions(self, started_event_id: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        size = 0
        open_activities = len(self._scheduled)
        open_timers = len(self._timers)
        deferred = False
        held = False
        for command in self.runtime.pending.values():
            if len(out) >= MAX_DECISIONS - 2 or size + command.size > MAX_RESPONSE_CHARS:
                deferred = True
                break
            if command.kind == "activity":
                if open_activities >= MAX_OPEN:
                    held = True
                    continue
                open_activities += 1
            elif command.kind == "timer":
                if open_timers >= MAX_OPEN - 1:
                    held = True
                    continue
                open_timers += 1
            out.append(command.decision)
            size += command.size
        if deferred:
            out.append(
                {
                    "decisionType": "StartTimer",
                    "startTimerDecisionAttributes": {
                        "timerId": f"{WAKE_TIMER_PREFIX}{started_event_id}",
                        "startToFireTimeout": "0",
                    },
                }
            )
        elif not held and self.close_decision is not None:
            out.append(self.close_decision)
        return out

    # --- events -------------------------------------------------------------------------

    def _build_handlers(self) -> dict[str, Callable[[dict[str, Any], dict[str, Any]], None]]:
        table: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {}
        for name in dir(self):
            if name.startswith("_on_"):
                table[name[4:]] = getattr(self, name)
        return table

    def _apply_unhandled(self, event: dict[str, Any]) -> None:
        """An event no ``_on_<type>`` handler reads: closes the run, or is ignored."""
        event_type = event["eventType"]
        if event_type in _NOTHING_TO_DO:
            pass
        elif event_type in _CLOSE_EVENTS:
            self.closed = True
        elif event_type in _CLOSE_FAILED_EVENTS:
            pass  # the close decision is sent again with the next decision task
        else:
            log.debug("event %s (%s) ignored", event["eventId"], event_type)

    def _pop_command(self, key: str, event: dict[str, Any]) -> Command:
        """The pending command ``event`` records (now open), or a NonDeterminismError."""
        command = self.runtime.pending.pop(key, None)
        if command is None:
            waiting = ", ".join(list(self.runtime.pending)[:5]) or "none"
            subject = _subject(event)
            raise NonDeterminismError(
                f"history event {event['eventId']} ({event['eventType']}: {subject}) has no "
                f"matching call in the replayed workflow code (calls waiting to be sent: "
                f"{waiting}); the workflow code changed since this execution started",
                event["eventId"],
            )
        command.state = "open"
        return command

    def _on_WorkflowExecutionStarted(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        workflow = self.workflow
        try:
            data = self.payloads.decode_data(attrs.get("input"), f"input of {workflow.name}")
            args, kwargs = workflow.arguments.decode(data)
        except Exception as exc:  # noqa: BLE001 - fails the workflow, visibly
            error = exc

            async def main() -> Any:
                raise error

        else:
            instance = self.runtime.instance = workflow.workflow_class()

            async def main() -> Any:
                return await getattr(instance, workflow.method_name)(*args, **kwargs)

        self.main = self.runtime.scheduler.spawn(main(), f"workflow {workflow.name}")

    def _on_ActivityTaskScheduled(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        activity_id = attrs["activityId"]
        kind = attrs.get("activityType", {})
        command = self._pop_command("A:" + activity_id, event)
        if kind.get("name") != command.name or kind.get("version") != command.version:
            raise NonDeterminismError(
                f"history event {event['eventId']} scheduled activity {activity_id} as "
                f"{kind.get('name')} {kind.get('version')}, but the replayed code calls "
                f"{command.name} {command.version} there; the workflow code changed since this "
                "execution started",
                event["eventId"],
            )
        self._scheduled[event["eventId"]] = command

    def _on_ScheduleActivityTaskFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        activity_id = attrs["activityId"]
        command = self._pop_command("A:" + activity_id, event)
        command.outcome.set_exception(ScheduleRefused(attrs.get("cause", "UNKNOWN")))

    def _closed_activity(self, event: dict[str, Any], attrs: dict[str, Any]) -> Command:
        scheduled_id = attrs["scheduledEventId"]
        command = self._scheduled.pop(scheduled_id, None)
        if command is not None:
            command.state = "closed"
        if command is None:
            raise NonDeterminismError(
                f"history event {event['eventId']} ({event['eventType']}) refers to scheduled "
                f"event {scheduled_id}, which replay did not see as an open activity",
                event["eventId"],
            )
        return command

    def _on_ActivityTaskCompleted(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        self._closed_activity(event, attrs).outcome.set_result(attrs.get("result"))

    def _on_ActivityTaskFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        command = self._closed_activity(event, attrs)
        failure = decode_failure(attrs.get("reason"), attrs.get("details"), self.payloads)
        command.outcome.set_exception(
            ActivityTaskError(
                failure.message,
                type_name=failure.type_name,
                remote_traceback=failure.traceback,
                details=failure.details,
                reason=attrs.get("reason") or "",
                activity_id=command.key[2:],
                activity_name=command.name,
            )
        )

    def _on_ActivityTaskTimedOut(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        command = self._closed_activity(event, attrs)
        timeout_type = attrs.get("timeoutType", "")
        command.outcome.set_exception(
            ActivityTaskTimeoutError(
                f"timed out ({timeout_type})",
                timeout_type=timeout_type,
                details=attrs.get("details"),
                activity_id=command.key[2:],
                activity_name=command.name,
            )
        )

    def _on_ActivityTaskCanceled(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        command = self._closed_activity(event, attrs)
        command.outcome.set_exception(
            ActivityTaskCancelledError(
                f"activity {command.name} ({command.key[2:]}) was cancelled",
                attrs.get("details"),
            )
        )

    def _on_TimerStarted(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        timer_id = attrs["timerId"]
        if timer_id.startswith(WAKE_TIMER_PREFIX):
            return
        self._timers[timer_id] = self._pop_command("T:" + timer_id, event)

    def _on_TimerFired(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        command = self._timers.pop(attrs["timerId"], None)
        if command is not None:
            command.state = "closed"
            command.outcome.set_result(None)

    def _on_StartTimerFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        timer_id = attrs["timerId"]
        if timer_id.startswith(WAKE_TIMER_PREFIX):
            return
        command = self._pop_command("T:" + timer_id, event)
        command.outcome.set_exception(ScheduleRefused(attrs.get("cause", "UNKNOWN")))

    def _on_TimerCanceled(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        timer_id = attrs["timerId"]
        self._pop_command("CT:" + timer_id, event)
        command = self._timers.pop(timer_id, None)
        if command is not None:
            command.state = "closed"
            command.outcome.set_exception(CancelledError(f"timer {timer_id} cancelled"))

    def _on_CancelTimerFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        self._pop_command("CT:" + attrs["timerId"], event)

    def _on_ActivityTaskCancelRequested(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        self._pop_command("RCA:" + attrs["activityId"], event)

    def _on_RequestCancelActivityTaskFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._pop_command("RCA:" + attrs["activityId"], event)


def _subject(event: dict[str, Any]) -> str:
    """What a history event is about, for error messages: ``activity 5 (noop)``, ``timer t1``."""
    attrs = event_attributes(event)
    kind = attrs.get("activityType") or attrs.get("workflowType") or {}
    name = f" ({kind['name']})" if kind.get("name") else ""
    for key, label in (
        ("activityId", "activity"),
        ("timerId", "timer"),
        ("signalName", "signal"),
        ("workflowId", "workflow"),
    ):
        if key in attrs:
            return f"{label} {attrs[key]}{name}"
    return "no id"


def decide(
    workflow_class: type,
    events: Iterable[dict[str, Any]],
    *,
    workflow_id: str = "",
    run_id: str = "",
    payloads: Payloads | None = None,
    strict: bool = True,
) -> list[dict[str, Any]]:
    """The decisions a decider makes for the last decision task in ``events``.

    A pure function of its arguments, for tests and tools: feed it a recorded history
    (``GetWorkflowExecutionHistory``'s ``events``) and check what the workflow code does next.

    >>> decide(Hello, handle.history())                  # doctest: +SKIP
    [{'decisionType': 'CompleteWorkflowExecution', ...}]
    """
    workflow = getattr(workflow_class, "_swf_workflow", None)
    if workflow is None:
        raise TypeError(f"{workflow_class!r} is not a swfobjects Workflow class")
    decider = Decider(workflow, payloads, workflow_id, run_id, strict=strict)
    decider.feed(events)
    return decider.decisions()
