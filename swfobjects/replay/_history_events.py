"""Applying history events to a run's replay: one ``_on_<EventType>`` method per event type.

:class:`HistoryEvents` matches each event to the command that caused it (a mismatch is a
:class:`NonDeterminismError`), settles that command's promise, and keeps the tables of what is
open in SWF (activities, timers, children, outgoing signals) that later events refer to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from ..exceptions import (
    ActivityTaskCancelledError,
    ActivityTaskError,
    ActivityTaskTimeoutError,
    CancelledError,
    ChildWorkflowCancelledError,
    ChildWorkflowError,
    ChildWorkflowFailedError,
    ChildWorkflowTerminatedError,
    ChildWorkflowTimedOutError,
    HistoryError,
    NonDeterminismError,
    SignalError,
)
from ..payloads._failures import decode_failure
from ..payloads._headers import split_headers
from ..swf._shapes import CLOSE_EVENT_TYPES, event_attributes, event_attributes_key
from ..workflow._promise import Promise
from ._commands import WAKE_TIMER_PREFIX, Command, ScheduleRefused
from ._event_checks import FIELDS, check_event, checked
from ._runtime import WorkflowRuntime

__all__ = ["HistoryEvents", "Handler"]

log = logging.getLogger("swfobjects.decider")

Handler = Callable[["HistoryEvents", dict[str, Any], dict[str, Any]], None]
"""An event handler: ``handler(history_events, event, its attributes)``; one plain function
per event type, shared by every run (nothing is built per run)."""
Dispatch = dict[str, tuple[Handler, str]]
"""Event type -> (its handler, the key of its attributes in the event)."""

_CLOSE_FAILED_EVENTS = frozenset(
    {
        "CompleteWorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        "CancelWorkflowExecutionFailed",
        "ContinueAsNewWorkflowExecutionFailed",
    }
)
_NOTHING_TO_DO = frozenset({"ActivityTaskStarted"})
"""Events replay has no use for (not even a debug log line: they are frequent)."""
_HOT = frozenset({"ActivityTaskScheduled", "ActivityTaskCompleted"})
"""Events too frequent to check against ``FIELDS`` before applying (see ``_event_checks``)."""


class HistoryEvents:
    """The event handlers of one run, and the commands open in SWF that events refer to."""

    _handler_table: ClassVar[Dispatch | None] = None

    def __init__(self, runtime: WorkflowRuntime) -> None:
        self.runtime = runtime
        self.workflow = runtime.workflow
        self.payloads = runtime.payloads
        self.pending = runtime.commands.pending
        self.main: Promise[Any] | None = None
        self.closed = False
        self.scheduled: dict[int, Command] = {}
        self.timers: dict[str, Command] = {}
        self.children: dict[int, Command] = {}
        self.signals: dict[int, Command] = {}
        self.markers: set[str] = set()

    @classmethod
    def handlers(cls) -> Dispatch:
        """Event type -> (handler, attributes key), for every ``_on_<EventType>`` method
        (built once: the decider's event loop makes one lookup per event).

        Handlers of the rarer events check the event's shape first (``checked``); the hot ones
        rely on the decider turning the errors of a malformed event into a HistoryError.
        """
        table = cls._handler_table
        if table is None:
            table = {}
            for name in dir(cls):
                if name.startswith("_on_"):
                    event_type = name[4:]
                    function: Handler = getattr(cls, name)
                    table[event_type] = (
                        function
                        if event_type in _HOT or event_type not in FIELDS
                        else checked(function),
                        event_attributes_key(event_type),
                    )
            cls._handler_table = table
        return table

    def apply_unhandled(self, event: dict[str, Any]) -> None:
        """An event no ``_on_<type>`` handler reads: closes the run, or is ignored."""
        event_type = event["eventType"]
        if event_type in _NOTHING_TO_DO:
            pass
        elif event_type in CLOSE_EVENT_TYPES:
            self.closed = True
        elif event_type in _CLOSE_FAILED_EVENTS:
            pass  # the close decision is sent again with the next decision task
        elif not isinstance(event_type, str):
            check_event(event)
        else:
            log.debug("event %s (%s) ignored", event["eventId"], event_type)

    def _pop_command(self, key: str, event: dict[str, Any]) -> Command:
        """The pending command ``event`` records (now open), or a NonDeterminismError."""
        command = self.pending.pop(key, None)
        if command is None:
            check_event(event)  # a malformed event is a HistoryError, not code that changed
            waiting = ", ".join(list(self.pending)[:5]) or "none"
            subject = _subject(event)
            raise NonDeterminismError(
                f"history event {event['eventId']} ({event['eventType']}: {subject}) has no "
                f"matching call in the replayed workflow code (calls waiting to be sent: "
                f"{waiting}); the workflow code changed since this execution started",
                event["eventId"],
            )
        command.state = "open"
        command.recorded_by = event["eventId"]
        return command

    def _on_WorkflowExecutionStarted(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        if self.main is not None:
            raise HistoryError(
                f"history event {event['eventId']} is a second WorkflowExecutionStarted; a run "
                "starts once (was the history duplicated or two histories joined?)",
                event["eventId"],
                "eventType",
            )
        workflow = self.workflow
        try:
            runtime = self.runtime
            runtime.started_at = event.get("eventTimestamp", 0.0)
            data = self.payloads.decode_data(attrs.get("input"), f"input of {workflow.name}")
            data, runtime.headers = split_headers(data)
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
        command = self.pending.pop("A:" + activity_id, None)  # _pop_command, inlined: one
        if command is None:  # event in three of a sequential history, one in two of a fan-out
            command = self._pop_command("A:" + activity_id, event)
        command.state = "open"
        command.recorded_by = event["eventId"]
        command.recorded = attrs
        if kind.get("name") != command.name or kind.get("version") != command.version:
            check_event(event)
            raise NonDeterminismError(
                f"history event {event['eventId']} scheduled activity {activity_id} as "
                f"{kind.get('name')} {kind.get('version')}, but the replayed code calls "
                f"{command.name} {command.version} there; the workflow code changed since this "
                "execution started",
                event["eventId"],
            )
        self.scheduled[event["eventId"]] = command

    def _on_ScheduleActivityTaskFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        activity_id = attrs["activityId"]
        command = self._pop_command("A:" + activity_id, event)
        command.outcome.set_exception(ScheduleRefused(attrs.get("cause", "UNKNOWN")))

    def _closed_activity(self, event: dict[str, Any], attrs: dict[str, Any]) -> Command:
        scheduled_id = attrs["scheduledEventId"]
        command = self.scheduled.pop(scheduled_id, None)
        if command is not None:
            command.state = "closed"
        if command is None:
            check_event(event)
            raise NonDeterminismError(
                f"history event {event['eventId']} ({event['eventType']}) refers to scheduled "
                f"event {scheduled_id}, which replay did not see as an open activity",
                event["eventId"],
            )
        return command

    def _on_ActivityTaskCompleted(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        result = attrs.get("result")
        if result is not None and type(result) is not str:
            check_event(event)
        command = self.scheduled.pop(attrs["scheduledEventId"], None)  # _closed_activity's
        if command is None:  # fast path, inlined: one event in three of a sequential history
            command = self._closed_activity(event, attrs)
        command.state = "closed"
        command.outcome.set_result(result)

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
        self.timers[timer_id] = self._pop_command("T:" + timer_id, event)

    def _on_TimerFired(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        timer_id = attrs["timerId"]
        command = self.timers.pop(timer_id, None)
        if command is not None:
            command.state = "closed"
            command.outcome.set_result(None)
        elif not timer_id.startswith(WAKE_TIMER_PREFIX):
            raise HistoryError(
                f"history event {event['eventId']} fires timer {timer_id!r}, which is not "
                "running (no TimerStarted before it, or it fired or was cancelled already)",
                event["eventId"],
                "timerId",
            )

    def _on_StartTimerFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        timer_id = attrs["timerId"]
        if timer_id.startswith(WAKE_TIMER_PREFIX):
            return
        command = self._pop_command("T:" + timer_id, event)
        command.outcome.set_exception(ScheduleRefused(attrs.get("cause", "UNKNOWN")))

    def _on_TimerCanceled(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        timer_id = attrs["timerId"]
        self._pop_command("CT:" + timer_id, event)
        command = self.timers.pop(timer_id, None)
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

    # --- markers ------------------------------------------------------------------------

    def _on_MarkerRecorded(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        name = attrs["markerName"]
        if name in self.markers:
            raise HistoryError(
                f"history event {event['eventId']} records marker {name!r} a second time; "
                "swfobjects records each marker once per run (was the event duplicated?)",
                event["eventId"],
                "markerName",
            )
        self.markers.add(name)
        command = self.pending.pop("M:" + name, None)
        if command is not None:
            command.recorded_by = event["eventId"]
        elif name not in self.runtime.marker_book.consumed:
            if name.startswith(("nd.", "cache.", "patch.")):
                raise NonDeterminismError(
                    f"history event {event['eventId']} records marker {name!r}, which the "
                    "replayed workflow code did not ask for; the workflow code changed since "
                    "this execution started",
                    event["eventId"],
                )

    def _on_RecordMarkerFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        name = attrs.get("markerName", "")
        command = self.pending.pop("M:" + name, None)
        if command is not None:  # send it again with the next decision
            command.state = "pending"
            command.recorded_by = event["eventId"]
            self.pending["M:" + name] = command

    # --- children -----------------------------------------------------------------------

    def _on_StartChildWorkflowExecutionInitiated(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        workflow_id = attrs["workflowId"]
        command = self._pop_command("C:" + workflow_id, event)
        name = attrs.get("workflowType", {}).get("name")
        if name != command.name:
            raise NonDeterminismError(
                f"history event {event['eventId']} started child {workflow_id} as {name}, but "
                f"the replayed code starts {command.name} there",
                event["eventId"],
            )
        self.children[event["eventId"]] = command

    def _on_StartChildWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self.children.pop(attrs.get("initiatedEventId", 0), None)
        if command is None:
            workflow_id = attrs["workflowId"]
            command = self._pop_command("C:" + workflow_id, event)
        command.state = "closed"
        command.outcome.set_exception(ScheduleRefused(attrs.get("cause", "UNKNOWN")))

    def _on_ChildWorkflowExecutionStarted(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self.children.get(attrs["initiatedEventId"])
        if command is None:
            raise _unknown_initiated(event, attrs, "child workflow")
        command.run_id = attrs["workflowExecution"]["runId"]

    def _child_closed(self, event: dict[str, Any], attrs: dict[str, Any]) -> Command:
        command = self.children.pop(attrs["initiatedEventId"], None)
        if command is None:
            raise _unknown_initiated(event, attrs, "child workflow")
        command.state = "closed"
        return command

    def _on_ChildWorkflowExecutionCompleted(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_closed(event, attrs).outcome.set_result(attrs.get("result"))

    def _child_error(
        self,
        event: dict[str, Any],
        attrs: dict[str, Any],
        cls: type[ChildWorkflowError],
        what: str,
    ) -> None:
        command = self._child_closed(event, attrs)
        execution = attrs.get("workflowExecution") or {}
        details: Any = attrs.get("details")
        reason = attrs.get("reason") or attrs.get("timeoutType") or ""
        if cls is ChildWorkflowFailedError:
            details = decode_failure(attrs.get("reason"), attrs.get("details"), self.payloads)
        command.outcome.set_exception(
            cls(
                f"child workflow {command.name} ({execution.get('workflowId')}) {what}"
                + (f": {reason}" if reason else ""),
                workflow_id=execution.get("workflowId", ""),
                run_id=execution.get("runId", ""),
                workflow_name=command.name,
                reason=reason,
                details=details,
                remote_traceback=getattr(details, "traceback", ""),
            )
        )

    def _on_ChildWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(event, attrs, ChildWorkflowFailedError, "failed")

    def _on_ChildWorkflowExecutionTimedOut(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(event, attrs, ChildWorkflowTimedOutError, "timed out")

    def _on_ChildWorkflowExecutionCanceled(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(event, attrs, ChildWorkflowCancelledError, "was cancelled")

    def _on_ChildWorkflowExecutionTerminated(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(event, attrs, ChildWorkflowTerminatedError, "was terminated")

    def _on_RequestCancelExternalWorkflowExecutionInitiated(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._pop_command("RCE:" + attrs["workflowId"], event)

    def _on_RequestCancelExternalWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        """The cancel request of a child was refused (the child closed meanwhile, or SWF
        refused the decision outright): nothing waits for it; it is not sent again."""
        command = self.pending.pop("RCE:" + attrs["workflowId"], None)
        if command is not None:
            command.state = "closed"
            command.recorded_by = event["eventId"]

    # --- signals and cancellation -------------------------------------------------------

    def _on_WorkflowExecutionSignaled(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        self.runtime.deliver_signal(
            attrs.get("signalName", ""), attrs.get("input"), event["eventId"]
        )

    def _on_WorkflowExecutionCancelRequested(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self.runtime.cancel_requested = True
        if self.main is not None:
            self.main.cancel()

    def _on_SignalExternalWorkflowExecutionInitiated(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        control = attrs.get("control", "")
        command = self._pop_command("S:" + control, event)
        self.signals[event["eventId"]] = command

    def _on_ExternalWorkflowExecutionSignaled(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self.signals.pop(attrs["initiatedEventId"], None)
        if command is None:
            raise _unknown_initiated(event, attrs, "outgoing signal")
        command.outcome.set_result(None)

    def _on_SignalExternalWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self.signals.pop(attrs.get("initiatedEventId", 0), None)
        if command is None:  # refused as a decision, without an initiated event before it
            command = self.pending.pop("S:" + attrs.get("control", ""), None)
            if command is not None:
                command.state = "closed"
                command.recorded_by = event["eventId"]
        if command is not None:
            command.outcome.set_exception(
                SignalError(
                    f"signal {command.name!r} to {attrs.get('workflowId')} failed: "
                    f"{attrs.get('cause')}"
                )
            )


def _unknown_initiated(event: dict[str, Any], attrs: dict[str, Any], what: str) -> HistoryError:
    return HistoryError(
        f"history event {event['eventId']} ({event['eventType']}) refers to initiated event "
        f"{attrs['initiatedEventId']}, which replay did not see start a {what} that is still "
        "open (was that event dropped, or this one duplicated?)",
        event["eventId"],
        "initiatedEventId",
    )


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
