"""The replay decider: (workflow type, history events[, replay state]) -> decisions.

Events are read once, in order (O(N) for N events). Between two decision tasks the events SWF
recorded are buffered; at each *completed* decision task we apply the events that task could
see (those before its ``DecisionTaskStarted``), run the workflow's coroutines until they block,
and match the commands they produce against the events SWF recorded for that decision
(``ActivityTaskScheduled``, ``TimerStarted``...). A mismatch is a :class:`NonDeterminismError`,
and so is a decision the replayed code made that history does not record at all: SWF records
the event of every decision of a completed task (or its ``*Failed`` event) right after its
``DecisionTaskCompleted``, so once the events up to the next decision task are applied, each
decision that task sent must have been matched (see :meth:`Decider._check_recorded`).
At the last, still open, decision task the pending commands become the decisions to send,
within SWF's caps (decisions per response, request size, open activities and timers).

The decider does the slicing into decision tasks and the closing; applying one event is
:class:`~._history_events.HistoryEvents`' job, and what workflow code asks for is
:class:`~._runtime.WorkflowRuntime`'s. While a strict decider (the default) runs a decision, the
determinism guard is on (store I/O pauses it: see ``payloads._framework_io``).

A :class:`Decider` can be kept between decision tasks of one run (the sticky cache): feeding it
only the new events gives the same decisions as a full replay, because the processing is the
same function of the same events.

A decider that will not be fed again is *discarded*: :meth:`Decider.discard` closes the run's
suspended coroutines at once, harmlessly (see ``_closing``). Every place in the library that
drops a decider discards it; one dropped without that is closed when it is freed.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Iterable
from operator import attrgetter, itemgetter
from typing import Any, Literal

from ..exceptions import (
    CancelledError,
    HistoryError,
    NonDeterminismError,
    SwfObjectsError,
    WorkflowCodeError,
)
from ..payloads._failures import encode_failure
from ..payloads._payload import Payloads, PayloadStore
from ..payloads.storage._offload import as_payload_store
from ..payloads.storage._stores import DataStore
from ..swf.limits import (
    MAX_DECISIONS_PER_RESPONSE,
    MAX_OPEN_ACTIVITIES,
    MAX_OPEN_TIMERS,
)
from ..workflow._context import runtime_var
from ..workflow._declarations import WorkflowType
from ..workflow._functions import WorkflowFunction
from ..workflow._promise import Promise
from ..workflow._state import StateMethod
from ._closing import RunCloser, close_deferred, defer
from ._commands import WAKE_TIMER_PREFIX, Command, ContinueAsNew, built
from ._determinism import DeterminismGuard
from ._event_checks import check_event, check_timestamp, history_error
from ._history_events import HistoryEvents
from ._outgoing import OutgoingHook
from ._runtime import WorkflowRuntime

__all__ = [
    "MAX_DECISIONS",
    "MAX_RESPONSE_CHARS",
    "Decider",
    "Unawaited",
    "check_unawaited",
    "decide",
    "payloads_for",
]

log = logging.getLogger("swfobjects.decider")

Unawaited = Literal["warn", "error", "ignore"]
"""What a decider does when a run completes while promises it started were never awaited:
log a warning (the default), fail the workflow with ``WorkflowCodeError`` (for tests), or
nothing. The same on every executor: the decider decides it."""


def check_unawaited(value: str) -> Unawaited:
    """``value`` if it is an :data:`Unawaited` mode, else ``ValueError`` saying which are."""
    if value not in ("warn", "error", "ignore"):
        raise ValueError(f"unawaited must be 'warn', 'error' or 'ignore', not {value!r}")
    return value  # type: ignore[return-value]


MAX_DECISIONS = MAX_DECISIONS_PER_RESPONSE
"""Decisions per response; the rest go out with the next decision task."""
MAX_RESPONSE_CHARS = 900_000
"""Estimated response size cap: SWF refuses requests over :data:`MAX_REQUEST_BYTES` (1 MiB),
and the sizes are estimates (characters, not bytes), so keep a margin of about 14%."""

_DECISION_TASK_EVENTS = frozenset(
    {
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "DecisionTaskTimedOut",
    }
)
"""Events that delimit decision tasks; the decider reads them itself instead of buffering them."""
_UNBUFFERED = _DECISION_TASK_EVENTS | {"ActivityTaskStarted"}
"""Events never applied to the run: the decision task events, and ``ActivityTaskStarted``
(nothing in replay depends on it, and it is one event in six of a sequential history)."""

_EVENT_ID = itemgetter("eventId")
_EVENT_TYPE = itemgetter("eventType")
_RECORDED_BY = attrgetter("recorded_by")

_PAUSE_GC_FROM = 500
"""Feeds of at least this many events run with the cyclic garbage collector paused.

Replay allocates many long-lived objects (promises, coroutines, commands); CPython's
generational collector rescans them over and over, which made a 25,000-event fan-out replay
superlinear. Reference counting still frees everything acyclic at once. Small incremental
feeds (the sticky cache) are not worth the pause.
"""


class Decider:
    """Replay state of one workflow run; feed it events, read its decisions.

    >>> decider = Decider(Hello.workflow_type())                  # doctest: +SKIP
    >>> decider.feed(events); decider.decisions()                 # doctest: +SKIP
    [{'decisionType': 'ScheduleActivityTask', ...}]

    ``hooks``: interceptors shown each call the workflow code makes (see ``_outgoing``).
    """

    def __init__(
        self,
        workflow: WorkflowType,
        payloads: Payloads | None = None,
        workflow_id: str = "",
        run_id: str = "",
        strict: bool = True,
        unawaited: Unawaited = "warn",
        hooks: tuple[OutgoingHook, ...] = (),
    ) -> None:
        self.workflow = workflow
        self.unawaited = check_unawaited(unawaited)
        self.guard = DeterminismGuard() if strict else None
        self.payloads = payloads or Payloads()
        self.runtime = WorkflowRuntime(
            workflow, self.payloads, workflow_id, run_id, self.guard, hooks
        )
        self.events = HistoryEvents(self.runtime)
        self.last_event_id = 0
        self.close_decision: dict[str, Any] | None = None
        self.ran_for: int | None = None
        self._buffer: list[dict[str, Any]] = []
        self._started: dict[str, Any] | None = None
        self._visible = 0
        self._current: list[dict[str, Any]] = []
        self._sent: tuple[int, tuple[Command, ...], int, int] | None = None
        """(``DecisionTaskCompleted`` event id, the commands pending when it completed, and the
        open activities and timers then) until the events after it are applied and checked
        to record each command that task sent."""
        self._handlers = HistoryEvents.handlers()
        self._prefetch = getattr(self.payloads.store, "prefetch_events", None)
        self._state: StateMethod | None = getattr(workflow.workflow_class, "_swf_state", None)
        self._last_context: str | None = None
        self.execution_context: str | None = None
        """The encoded ``@state`` to send with :meth:`decisions` (None: none, or unchanged)."""
        self._closer = RunCloser(
            self.runtime.scheduler, f"{workflow.name} ({workflow_id or run_id})"
        )
        """Closes the run's coroutines when :meth:`discard` is called (it holds the scheduler,
        not the decider)."""
        self._finalizer = weakref.finalize(self, defer, self._closer)
        """The safety net: a decider freed undiscarded queues its closer, run at the next
        safe moment (see ``_closing``: never inside the collector)."""
        self._discarded = False
        close_deferred()

    @property
    def closed(self) -> bool:
        """True once history says the run is closed (nothing more to decide)."""
        return self.events.closed

    @property
    def main(self) -> Promise[Any] | None:
        """The workflow's entry coroutine, once ``WorkflowExecutionStarted`` was applied."""
        return self.events.main

    # --- public -------------------------------------------------------------------------

    def discard(self) -> None:
        """Close the run's suspended coroutines now: this decider will not be fed again.

        Their ``finally:`` blocks run at once and reach nothing (see ``_closing``), instead of
        running whenever the garbage collector finds them, inside whatever run is deciding
        then. Idempotent; feeding a discarded decider raises ``RuntimeError``.
        """
        self._discarded = True
        self._finalizer.detach()
        self._closer()

    def feed(self, events: Iterable[dict[str, Any]]) -> None:
        """Process events after :attr:`last_event_id` (older ones are skipped).

        Event ids must continue from there without a gap (SWF numbers a run's events 1, 2,
        3...); a malformed, duplicated or missing event is a :class:`HistoryError`.
        """
        if self._discarded:
            raise RuntimeError(
                f"this Decider of {self.workflow.name} was discarded (its coroutines are "
                "closed); make a new Decider and feed it the whole history"
            )
        close_deferred()
        if not isinstance(events, list):
            try:
                events = list(events)
            except TypeError:
                raise HistoryError(f"a history is a list of events, not {events!r:.60}") from None
        if len(events) < _PAUSE_GC_FROM or not gc.isenabled():
            self._feed(events)
            return
        gc.disable()  # see _PAUSE_GC_FROM
        try:
            self._feed(events)
        finally:
            gc.enable()

    def _feed(self, events: list[dict[str, Any]]) -> None:
        last = self.last_event_id
        event: Any = None
        try:
            if events and events[0]["eventId"] <= last:
                events = [event for event in events if event["eventId"] > last]  # seen already
            if events:
                # one C-level pass: ids must run last + 1, last + 2... (see _out_of_order)
                if list(map(_EVENT_ID, events)) != list(range(last + 1, last + 1 + len(events))):
                    raise _out_of_order(events, last)
                last = events[-1]["eventId"]
        except SwfObjectsError:
            raise
        except Exception as error:
            raise history_error(error, event, events) from error
        # The run's context variable and the determinism guard are set once for the whole
        # feed, not per decision task: a full replay runs one decision per activity, and
        # setting and resetting them each time was a tenth of its cost. What runs between two
        # decisions is the decider's own code (the guard ignores it) and store I/O (which
        # pauses the guard itself, see ``payloads._framework_io``).
        runtime = self.runtime
        token = runtime_var.set(runtime)
        guard = self.guard
        if guard is not None:
            guard.__enter__()
        try:
            self._apply(events)
            self.last_event_id = last
            runtime.history_length = last
            self.execution_context = None
            started = self._started
            live = None if started is None or self.ran_for == started["eventId"] else started
            if live is not None:
                self._run_decision(live, replaying=False)
                self.ran_for = live["eventId"]
        finally:
            if guard is not None:
                guard.__exit__(None, None, None)
            runtime_var.reset(token)
        if live is not None:
            self._current = self._build_decisions(live["eventId"])
            if self._state is not None:
                self.execution_context = self._state_context(self._state)
        runtime.release_observed()

    def _apply(self, events: list[dict[str, Any]]) -> None:
        """Buffer ``events`` and replay every decision task they complete."""
        event: Any = None
        try:
            buffer = self._buffer
            markers_read = False
            for event in events:
                event_type = event["eventType"]
                if event_type not in _UNBUFFERED:
                    buffer.append(event)
                elif event_type == "DecisionTaskStarted":
                    self._started = event
                    self._visible = len(buffer)
                elif event_type == "DecisionTaskCompleted":
                    started = self._started
                    if (
                        not markers_read
                        and started is not None
                        and self.ran_for != started["eventId"]
                    ):
                        self._read_markers(events)  # this feed replays a decision: see there
                        markers_read = True
                    self._decision_completed(event)
                elif event_type == "DecisionTaskTimedOut":
                    self._started = None
        except SwfObjectsError:
            raise
        except Exception as error:
            raise history_error(error, event, events) from error

    def _read_markers(self, events: list[dict[str, Any]]) -> None:
        """Record the value of every marker in ``events`` before any decision is replayed.

        A replayed decision must see the values its own markers got, which history records
        after it. A decision this decider ran live already holds its markers' values, so only
        feeds that replay a decision pay for this pass.
        """
        if "MarkerRecorded" not in map(_EVENT_TYPE, events):  # a C-level scan: most have none
            return
        markers = self.runtime.marker_book.values
        seen: set[str] = set()
        for event in events:
            if event["eventType"] == "MarkerRecorded":
                check_event(event)
                attrs = event["markerRecordedEventAttributes"]
                name = attrs["markerName"]
                if name in seen:
                    raise HistoryError(
                        f"history event {event['eventId']} records marker {name!r} a second "
                        "time; swfobjects records each marker once per run (was the event "
                        "duplicated?)",
                        event["eventId"],
                        "markerName",
                    )
                seen.add(name)
                markers[name] = attrs.get("details")

    def decisions(self) -> list[dict[str, Any]]:
        """The decisions for the open decision task of the events fed so far."""
        if self._started is None or self.closed:
            return []
        return list(self._current)

    # --- decision tasks -----------------------------------------------------------------

    def _decision_completed(self, event: dict[str, Any]) -> None:
        started = self._started
        attrs = event.get("decisionTaskCompletedEventAttributes") or {}
        if started is None or attrs.get("startedEventId", started["eventId"]) != started["eventId"]:
            check_event(event)
            raise HistoryError(
                f"history event {event['eventId']} completes a decision task that is not the "
                f"one started last (started event {attrs.get('startedEventId')!r}, open: "
                f"{None if started is None else started['eventId']}); was an event dropped, "
                "duplicated or moved?",
                event["eventId"],
                "startedEventId",
            )
        if self.ran_for != started["eventId"]:
            self._run_decision(started, replaying=True)
        pending = self.runtime.commands.pending
        if pending:  # what the task sent is picked from these only if one goes unrecorded
            history = self.events
            self._sent = (
                event["eventId"],
                tuple(pending.values()),
                len(history.scheduled),
                len(history.timers),
            )
        if self._state is not None and "executionContext" in attrs:
            self._last_context = attrs["executionContext"]
        self.ran_for = None
        self._started = None

    def _run_decision(self, started: dict[str, Any], replaying: bool) -> None:
        """Apply the events the decision task could see and run the workflow until it blocks
        (inside :meth:`_feed`'s context variable and guard)."""
        visible = self._buffer[: self._visible]
        prefetch = self._prefetch
        if prefetch is not None:
            prefetch(visible)  # a store failure fails the decision task, not the workflow
        del self._buffer[: self._visible]
        self._visible = 0
        runtime = self.runtime
        runtime.replaying = replaying
        runtime.decision_event_id = started["eventId"]
        timestamp = started.get("eventTimestamp")
        if type(timestamp) is not float or not 0.0 <= timestamp <= 253_402_300_799.0:
            check_timestamp(started)  # ints, datetimes and years before 1970 are fine too
        runtime.timestamp = timestamp
        handlers = self._handlers
        history = self.events
        event: Any = None
        try:
            for event in visible:
                found = handlers.get(event["eventType"])
                if found is None:
                    history.apply_unhandled(event)
                    continue
                handler, key = found
                handler(history, event, event.get(key) or {})
        except Exception as error:  # a malformed event: see _event_checks
            if isinstance(error, SwfObjectsError):
                raise
            raise history_error(error, event) from error
        sent = self._sent
        if sent is not None:  # inline: once per decision; see _check_recorded
            self._sent = None
            completed_id = sent[0]
            for command in sent[1]:
                if command.recorded_by <= completed_id:
                    self._check_recorded(sent, started)
                    break
        main = history.main
        if main is None:
            raise HistoryError(
                f"decision task started at event {started['eventId']} has no "
                "WorkflowExecutionStarted event before it; pass the whole history, from "
                "event 1",
                started["eventId"],
            )
        run = runtime.scheduler.run
        run()
        signals = runtime.signals
        while signals.waiters and signals.check_waiters():
            run()
        guard = self.guard
        if guard is not None and guard.violation is not None:
            guard.raise_if_violated(started["eventId"])
        if self.close_decision is None:
            if runtime.fatal is not None:
                self.close_decision = self._failure(runtime.fatal)
            elif main._state:  # done(), inline: once per decision
                self.close_decision = self._close_for(main)

    def _state_context(self, state: StateMethod) -> str | None:
        """The encoded value of the ``@state`` method, or None when it did not change.

        A failing state method is a bug of the workflow code, not of the run: it fails the
        decision task (which SWF retries), so a fixed deploy resumes the execution.
        """
        runtime = self.runtime
        if runtime.instance is None:
            return None
        what = f"state of workflow {self.workflow.name} ({runtime.workflow_id})"
        token = runtime_var.set(runtime)
        try:
            value = getattr(runtime.instance, state.method_name)()
            text = self.payloads.encode(value, state.codec, what, runtime.scope)
        except SwfObjectsError:
            raise
        except Exception as error:
            raise WorkflowCodeError(
                f"{what}: @state method {state.method_name}() failed ({type(error).__name__}: "
                f"{error}); the decision task fails and is retried until the method is fixed"
            ) from error
        finally:
            runtime_var.reset(token)
        if text == self._last_context:
            return None
        self._last_context = text
        return text

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
            forgotten = self._forgotten_awaits()
            if forgotten is not None:
                return self._failure(forgotten)
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

    def _forgotten_awaits(self) -> WorkflowCodeError | None:
        """Warn about (or, with ``unawaited="error"``, return an error for) promises the run
        started and never awaited: a completed workflow that dropped them most likely forgot
        an ``await`` (an activity result never used, a timer that never delayed anything)."""
        if self.unawaited == "ignore":
            return None
        runtime = self.runtime
        dropped = runtime.unawaited()
        if not dropped:
            return None
        names = ", ".join(
            f"{p.description or 'promise'} ({'pending' if not p.done() else 'settled'})"
            for p in dropped[:10]
        ) + (f" and {len(dropped) - 10} more" if len(dropped) > 10 else "")
        message = (
            f"workflow {self.workflow.name} ({runtime.workflow_id}) completed without awaiting "
            f"{len(dropped)} promise(s) it started: {names}. Did you forget `await`? Await "
            "them (or all_of(...)), or cancel() what is no longer needed"
        )
        if self.unawaited == "error":
            return WorkflowCodeError(message)
        if not runtime.replaying:
            log.warning("%s", message)
        return None

    def _failure(self, error: BaseException) -> dict[str, Any]:
        reason, details = encode_failure(
            error, self.payloads, "workflow failure", self.runtime.scope
        )
        return {
            "decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": {"reason": reason, "details": details},
        }

    def _check_recorded(
        self, sent: tuple[int, tuple[Command, ...], int, int], started: dict[str, Any]
    ) -> None:
        """Raise if a decision sent by the last completed decision task has no event.

        ``sent``: that task's ``DecisionTaskCompleted`` event id, the commands pending then and
        the open activities and timers then; some command is still unrecorded since.
        Called once the events before ``started`` are applied: those include every event SWF
        recorded for that task's decisions, and applying one stamps its command's
        ``recorded_by``. A command the task sent (picked as a response picks them: some may
        have been deferred or held) and still unrecorded was decided by the replayed code
        there but never recorded by SWF: the code changed (it makes a decision the execution
        never made) or the event was dropped from the history. Either way, deciding on would
        silently send it again, so the decision task fails instead.
        """
        completed_id, pending, open_activities, open_timers = sent
        if _full_before_unrecorded(pending, completed_id, open_activities, open_timers):
            return
        for command in _select(pending, open_activities, open_timers)[0]:
            if command.recorded_by > completed_id:
                continue
            if (
                command.state == "closed"
                and self.runtime.commands.pending.get(command.key) is not command
            ):
                continue  # withdrawn by the code before it was ever sent: nothing to record
            decision_type = built(command)["decisionType"]
            raise NonDeterminismError(
                f"history event {completed_id} (DecisionTaskCompleted): the replayed workflow "
                f"code made decision {decision_type} {command.ident} in that decision task, but "
                f"no event after it (up to event {started['eventId']}) records it; the workflow "
                "code changed since this execution started, or the history lost that event",
                completed_id,
            )

    def _build_decisions(self, started_event_id: int) -> list[dict[str, Any]]:
        history = self.events
        commands, deferred, held = _select(
            self.runtime.commands.pending.values(), len(history.scheduled), len(history.timers)
        )
        out = [built(command) for command in commands]
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


def _select(
    pending: Iterable[Command], open_activities: int, open_timers: int
) -> tuple[list[Command], bool, bool]:
    """The ``pending`` commands a response sends, in order, within SWF's caps (decisions and
    characters per response; open activities and timers, given how many are open); and
    whether some were deferred (the response is full) or held (at an open limit)."""
    out: list[Command] = []
    size = 0
    deferred = False
    held = False
    for command in pending:
        if command.builder is not None:
            command.complete()  # its size and decision are needed now
        if len(out) >= MAX_DECISIONS - 2 or size + command.size > MAX_RESPONSE_CHARS:
            deferred = True
            break
        if command.kind == "activity":
            if open_activities >= MAX_OPEN_ACTIVITIES:
                held = True
                continue
            open_activities += 1
        elif command.kind == "timer":
            if open_timers >= MAX_OPEN_TIMERS - 1:  # one left for the wake-up timer
                held = True
                continue
            open_timers += 1
        out.append(command)
        size += command.size
    return out, deferred, held


def _full_before_unrecorded(
    pending: tuple[Command, ...], completed_id: int, open_activities: int, open_timers: int
) -> bool:
    """True when the commands a response picks (:func:`_select`) from ``pending`` reach the
    cap on decisions per response before the first one history has not recorded since event
    ``completed_id``: that one and every later one were deferred, whatever their sizes.

    A shortcut for :meth:`Decider._check_recorded`, which otherwise sizes every command
    (encoding the input of calls replay left unencoded): a fan-out replay defers most of its
    calls this way in each decision task. When no open limit can be reached within the cap,
    ``_select`` holds nothing, so it picks the first ``cap`` commands if they fit: if all of
    those were recorded, the rest were deferred. False only means "not sure" (fewer commands
    than the cap, a limit within reach, or an unrecorded one within the cap): the full check.
    """
    cap = MAX_DECISIONS - 2
    return (
        len(pending) > cap
        and open_activities + cap <= MAX_OPEN_ACTIVITIES
        and open_timers + cap <= MAX_OPEN_TIMERS - 1
        and min(map(_RECORDED_BY, pending[:cap])) > completed_id  # one C-level pass
    )


def _out_of_order(events: list[dict[str, Any]], last: int) -> HistoryError:
    """The error for the first event whose id is not the one after the event before it."""
    expected = last + 1
    for event in events:
        check_event(event)
        if event["eventId"] != expected:
            break
        expected += 1
    return HistoryError(
        f"history event {event['eventId']} ({event['eventType']}) is where event {expected} "
        "should be: SWF numbers a run's events 1, 2, 3... in order, so events were dropped, "
        "duplicated or reordered (or the history does not start at event 1)",
        event["eventId"],
        "eventId",
    )


def decide(
    workflow_class: type | WorkflowFunction[..., Any],
    events: Iterable[dict[str, Any]],
    *,
    workflow_id: str = "",
    run_id: str = "",
    payloads: Payloads | None = None,
    data_store: DataStore | PayloadStore | None = None,
    domain: str = "",
    strict: bool = True,
) -> list[dict[str, Any]]:
    """The decisions a decider makes for the last decision task in ``events``.

    A pure function of its arguments, for tests and tools: feed it a recorded history
    (``GetWorkflowExecutionHistory``'s ``events``) and check what the workflow code does next.
    ``data_store`` is the store the workers were given (a ``DataStore`` such as ``FileStore``
    or ``S3Store``, or an ``OffloadingStore``), so payloads that travelled out of band are read
    back as the executors read them; ``domain`` is the SWF domain the history comes from.

    >>> decide(Hello, handle.history())                  # doctest: +SKIP
    [{'decisionType': 'CompleteWorkflowExecution', ...}]
    >>> decide(Big, events, data_store=FileStore("/mnt/payloads"), domain="shop")  # doctest: +SKIP
    """
    workflow = getattr(workflow_class, "_swf_workflow", None)
    if workflow is None:
        raise TypeError(f"{workflow_class!r} is not a swfobjects Workflow class")
    decider = Decider(
        workflow, payloads_for(payloads, data_store, domain), workflow_id, run_id, strict=strict
    )
    try:
        decider.feed(events)
        return decider.decisions()
    finally:
        decider.discard()


def payloads_for(
    payloads: Payloads | None, data_store: DataStore | PayloadStore | None, domain: str
) -> Payloads | None:
    """The payload layer for ``payloads=`` or ``data_store=`` (not both: they say the same)."""
    if data_store is None:
        return payloads
    if payloads is not None:
        raise TypeError("pass payloads= or data_store=, not both (data_store= is the usual one)")
    return Payloads(store=as_payload_store(data_store, domain))
