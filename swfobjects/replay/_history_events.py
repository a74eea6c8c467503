"""Applying history events to a run's replay: one ``_on_<EventType>`` method per event type.

:class:`HistoryEvents` matches each event to the command that caused it (a mismatch is a
:class:`NonDeterminismError`), settles that command's promise, and keeps the tables of what is
open in SWF (activities, timers, children, outgoing signals) that later events refer to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

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
    NonDeterminismError,
    SignalError,
)
from ..payloads._failures import decode_failure
from ..swf._shapes import event_attributes
from ..workflow._promise import Promise
from ._commands import WAKE_TIMER_PREFIX, Command, ScheduleRefused
from ._runtime import WorkflowRuntime

__all__ = ["HistoryEvents", "Handler"]

log = logging.getLogger("swfobjects.decider")

Handler = Callable[[dict[str, Any], dict[str, Any]], None]
"""An event handler: ``handler(event, its attributes)``."""

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
_NOTHING_TO_DO = frozenset({"ActivityTaskStarted"})
"""Events replay has no use for (not even a debug log line: they are frequent)."""


class HistoryEvents:
    """The event handlers of one run, and the commands open in SWF that events refer to."""

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

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler, for every ``_on_<EventType>`` method."""
        table: dict[str, Handler] = {}
        for name in dir(self):
            if name.startswith("_on_"):
                table[name[4:]] = getattr(self, name)
        return table

    def apply_unhandled(self, event: dict[str, Any]) -> None:
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
        command = self.pending.pop(key, None)
        if command is None:
            waiting = ", ".join(list(self.pending)[:5]) or "none"
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
        self.timers[timer_id] = self._pop_command("T:" + timer_id, event)

    def _on_TimerFired(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        command = self.timers.pop(attrs["timerId"], None)
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
        name = attrs.get("markerName", "")
        command = self.pending.pop("M:" + name, None)
        if command is None and name not in self.runtime.marker_book.consumed:
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
        if command is not None:
            command.run_id = attrs["workflowExecution"]["runId"]

    def _child_closed(self, attrs: dict[str, Any]) -> Command | None:
        command = self.children.pop(attrs["initiatedEventId"], None)
        if command is not None:
            command.state = "closed"
        return command

    def _on_ChildWorkflowExecutionCompleted(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self._child_closed(attrs)
        if command is not None:
            command.outcome.set_result(attrs.get("result"))

    def _child_error(self, attrs: dict[str, Any], cls: type[ChildWorkflowError], what: str) -> None:
        command = self._child_closed(attrs)
        if command is None:
            return
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
        self._child_error(attrs, ChildWorkflowFailedError, "failed")

    def _on_ChildWorkflowExecutionTimedOut(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(attrs, ChildWorkflowTimedOutError, "timed out")

    def _on_ChildWorkflowExecutionCanceled(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(attrs, ChildWorkflowCancelledError, "was cancelled")

    def _on_ChildWorkflowExecutionTerminated(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._child_error(attrs, ChildWorkflowTerminatedError, "was terminated")

    def _on_RequestCancelExternalWorkflowExecutionInitiated(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        self._pop_command("RCE:" + attrs["workflowId"], event)

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
        if command is not None:
            command.outcome.set_result(None)

    def _on_SignalExternalWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self.signals.pop(attrs.get("initiatedEventId", 0), None)
        if command is not None:
            command.outcome.set_exception(
                SignalError(
                    f"signal {command.name!r} to {attrs.get('workflowId')} failed: "
                    f"{attrs.get('cause')}"
                )
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
