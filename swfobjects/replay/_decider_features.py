"""History events of child workflows, markers, signals and cancellation, for the decider.

A mixin of ``Decider`` (see ``_decider``): each ``_on_<EventType>`` method applies one event
to the run's replay runtime, matching it to the command that caused it.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import (
    ChildWorkflowCancelledError,
    ChildWorkflowFailedError,
    ChildWorkflowTerminatedError,
    ChildWorkflowTimedOutError,
    NonDeterminismError,
    SignalError,
)
from ..payloads._failures import decode_failure
from ..payloads._payload import Payloads
from ..workflow._promise import Promise
from ._runtime import Command, ScheduleRefused, WorkflowRuntime

__all__ = ["FeatureEventsMixin"]


class FeatureEventsMixin:
    """Event handlers for children, markers, signals and cancellation."""

    runtime: WorkflowRuntime
    payloads: Payloads
    main: Promise[Any] | None
    _children: dict[int, Command]
    _signals: dict[int, Command]

    def _pop_command(self, key: str, event: dict[str, Any]) -> Command:
        raise NotImplementedError  # provided by Decider

    # --- markers ------------------------------------------------------------------------

    def _on_MarkerRecorded(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        name = attrs.get("markerName", "")
        command = self.runtime.pending.pop("M:" + name, None)
        if command is None and name not in self.runtime.consumed_markers:
            if name.startswith(("nd.", "cache.", "patch.")):
                raise NonDeterminismError(
                    f"history event {event['eventId']} records marker {name!r}, which the "
                    "replayed workflow code did not ask for; the workflow code changed since "
                    "this execution started",
                    event["eventId"],
                )

    def _on_RecordMarkerFailed(self, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        name = attrs.get("markerName", "")
        command = self.runtime.pending.pop("M:" + name, None)
        if command is not None:  # send it again with the next decision
            command.state = "pending"
            self.runtime.pending["M:" + name] = command

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
        self._children[event["eventId"]] = command

    def _on_StartChildWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self._children.pop(attrs.get("initiatedEventId", 0), None)
        if command is None:
            workflow_id = attrs["workflowId"]
            command = self._pop_command("C:" + workflow_id, event)
        command.state = "closed"
        command.outcome.set_exception(ScheduleRefused(attrs.get("cause", "UNKNOWN")))

    def _on_ChildWorkflowExecutionStarted(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self._children.get(attrs["initiatedEventId"])
        if command is not None:
            command.extra["run_id"] = attrs["workflowExecution"]["runId"]

    def _child_closed(self, event: dict[str, Any], attrs: dict[str, Any]) -> Command | None:
        command = self._children.pop(attrs["initiatedEventId"], None)
        if command is not None:
            command.state = "closed"
        return command

    def _on_ChildWorkflowExecutionCompleted(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self._child_closed(event, attrs)
        if command is not None:
            command.outcome.set_result(attrs.get("result"))

    def _child_error(
        self, event: dict[str, Any], attrs: dict[str, Any], cls: type, what: str
    ) -> None:
        command = self._child_closed(event, attrs)
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
        self._signals[event["eventId"]] = command

    def _on_ExternalWorkflowExecutionSignaled(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self._signals.pop(attrs["initiatedEventId"], None)
        if command is not None:
            command.outcome.set_result(None)

    def _on_SignalExternalWorkflowExecutionFailed(
        self, event: dict[str, Any], attrs: dict[str, Any]
    ) -> None:
        command = self._signals.pop(attrs.get("initiatedEventId", 0), None)
        if command is not None:
            command.outcome.set_exception(
                SignalError(
                    f"signal {command.name!r} to {attrs.get('workflowId')} failed: "
                    f"{attrs.get('cause')}"
                )
            )
