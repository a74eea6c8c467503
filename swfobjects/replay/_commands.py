"""Commands: the decisions a workflow run wants sent, and the book that queues them.

Every decision workflow code causes is built here (so its SWF shape is written once), queued
in :class:`CommandBook` under a key unique per run, and matched by the decider against the
event SWF recorded for it. Cancelling a command is one rule for timers, activities and child
workflows: drop it if it was never sent, else send its cancel decision.
"""

from __future__ import annotations

import math
import os
import random
import sys
from functools import partial
from typing import Any, Protocol

from ..exceptions import CancelledError, DeclarationError
from ..workflow._declarations import ActivityType, WorkflowType
from ..workflow._options import RetryPolicy
from ..workflow._promise import Promise

__all__ = [
    "RATE_CAUSES",
    "WAKE_TIMER_PREFIX",
    "Command",
    "CommandBook",
    "ContinueAsNew",
    "Outcome",
    "ScheduleRefused",
    "activity_attributes",
    "backoff",
    "built",
]

RATE_CAUSES = frozenset(
    {
        "ACTIVITY_CREATION_RATE_EXCEEDED",
        "OPEN_ACTIVITIES_LIMIT_EXCEEDED",
        "TIMER_CREATION_RATE_EXCEEDED",
        "OPEN_TIMERS_LIMIT_EXCEEDED",
        "CHILD_CREATION_RATE_EXCEEDED",
        "OPEN_CHILDREN_LIMIT_EXCEEDED",
        "OPEN_WORKFLOWS_LIMIT_EXCEEDED",
        "WORKFLOW_CREATION_RATE_EXCEEDED",
        "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
    }
)
"""``*Failed`` causes that mean "not now": retried with capped backoff, never raised."""

WAKE_TIMER_PREFIX = "_wake."
"""Timers the decider starts itself to come back for decisions it could not send at once."""


class ScheduleRefused(Exception):
    """Internal: SWF answered a decision with a ``*Failed`` event of this ``cause``."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class ContinueAsNew(BaseException):
    """Internal: unwinds the workflow to close the run with ``ContinueAsNewWorkflowExecution``.

    A ``BaseException`` so that workflow code's ``except Exception`` does not swallow it.
    """

    def __init__(self, input_text: str) -> None:
        super().__init__("continue as new")
        self.input_text = input_text


class Outcome(Protocol):
    """What a command's events settle: a :class:`Promise`, or (for activities, the hot path)
    the :class:`~._calls.ActivityCall` itself, which saves a promise per activity."""

    @property
    def description(self) -> str: ...

    def set_result(self, value: Any) -> None: ...

    def set_exception(self, error: BaseException) -> None: ...


class DecisionBuilder(Protocol):
    """What builds an activity decision made lazily (the activity call): its attributes, with
    its ``input``; ``recorded`` is the input SWF recorded for the decision, if it did."""

    def decision_attributes(self, activity_id: str, recorded: Any = None) -> dict[str, Any]: ...


class ActivityOutcome(Outcome, DecisionBuilder, Protocol):
    """An activity call: its commands' outcome, and the builder of their decisions."""


def activity_attributes(template: dict[str, Any], activity_id: str, text: str) -> dict[str, Any]:
    """A ``ScheduleActivityTask``'s attributes: the call-independent ``template`` (task list,
    timeouts, type), the attempt's id and the call's input."""
    attributes = template.copy()
    attributes["activityId"] = activity_id
    attributes["input"] = text
    return attributes


class Command:
    """One decision the workflow wants sent, and the outcome its events settle.

    ``key`` is unique per run (``"A:<activityId>"``, ``"T:<timerId>"``...); ``size`` is an
    estimate of its share of the response, for the request size cap; ``state`` is "pending"
    (not yet seen in history), "open" (recorded, awaiting its outcome) or "closed";
    ``run_id`` is a started child's run id (needed to cancel it); ``recorded_by`` is the id of
    the last history event that recorded this decision (its ``*Scheduled``, ``*Started``,
    ``*Initiated``, ``MarkerRecorded`` or ``*Failed`` event; 0: none yet), which the decider
    compares with the decision task that sent it.

    ``builder``, when set, builds the decision, which is None until then (an activity call
    replay made without encoding its input: the call is the builder); :meth:`complete` sets
    it, and ``size``. Whatever reads ``decision`` or ``size`` calls :meth:`complete` first
    (the decider's ``_select``).
    ``recorded`` is the attributes of the ``ActivityTaskScheduled`` event that recorded an
    activity decision (None before): the input that event carries is the text the live run
    sent, so a recorded decision takes it instead of encoding its arguments again (a fan-out
    replay may size recorded decisions, see ``_select``).
    """

    __slots__ = (
        "key",
        "kind",
        "decision",
        "outcome",
        "size",
        "name",
        "version",
        "state",
        "run_id",
        "recorded_by",
        "builder",
        "recorded",
    )

    def __init__(
        self,
        key: str,
        kind: str,
        decision: dict[str, Any] | None,
        outcome: Outcome,
        size: int = 300,
        name: str = "",
        version: str = "",
    ) -> None:
        self.key = key
        self.kind = kind
        self.decision = decision
        self.outcome = outcome
        self.size = size
        self.name = name
        self.version = version
        self.state = "pending"
        self.run_id = ""
        self.recorded_by = 0
        self.builder: DecisionBuilder | None = None
        self.recorded: dict[str, Any] | None = None

    def complete(self) -> None:
        """Build the decision of a command made without one (see the class docstring)."""
        builder = self.builder
        if builder is None:
            return
        recorded = self.recorded
        attributes = builder.decision_attributes(
            self.ident, None if recorded is None else recorded.get("input")
        )
        self.decision = {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": attributes,
        }
        self.size = len(attributes["input"]) + 400
        self.builder = None

    @property
    def ident(self) -> str:
        """The SWF id the command carries (activity id, timer id, workflow id...)."""
        return self.key.partition(":")[2]


def built(command: Command) -> dict[str, Any]:
    """``command``'s decision, which :func:`_select`'s callers know is built (it completes
    every command it picks)."""
    decision = command.decision
    if decision is None:
        raise RuntimeError(f"decision {command.key} read before it was built (complete() it)")
    return decision


_CANCELS = {
    "timer": ("CT:", "CancelTimer", "cancelTimerDecisionAttributes", "timerId"),
    "activity": (
        "RCA:",
        "RequestCancelActivityTask",
        "requestCancelActivityTaskDecisionAttributes",
        "activityId",
    ),
    "child": (
        "RCE:",
        "RequestCancelExternalWorkflowExecution",
        "requestCancelExternalWorkflowExecutionDecisionAttributes",
        "workflowId",
    ),
}
"""Per cancellable kind: key prefix, decision type, attributes key, id attribute."""


class CommandBook:
    """The commands of one run not yet seen in history, in the order workflow code made them.

    ``pending`` is read by the decider: it pops a command when its event arrives and sends the
    rest as the next decisions. ``sources`` (None unless a replay tool asks for it with
    :meth:`trace_sources`) maps each command key to the workflow source line that made it,
    so a non-determinism can be shown at the line of code, not only at the event.
    """

    __slots__ = ("pending", "sources")

    def __init__(self) -> None:
        self.pending: dict[str, Command] = {}
        self.sources: dict[str, str] | None = None

    def trace_sources(self) -> None:
        """Record where workflow code made each command (costs a stack walk per command)."""
        if self.sources is None:
            self.sources = {}

    def add(self, command: Command) -> None:
        """Queue a decision; it is sent with the next response (subject to the caps)."""
        if command.key in self.pending:
            raise DeclarationError(f"duplicate command id {command.key!r}")
        self.pending[command.key] = command
        if self.sources is not None:
            self.sources[command.key] = workflow_line()

    def drop(self, command: Command) -> bool:
        """Withdraw a command not yet sent (seen in no history); True if it was pending."""
        if self.pending.get(command.key) is command:
            del self.pending[command.key]
            command.state = "closed"
            return True
        return False

    def cancel(self, command: Command) -> None:
        """Cancel a timer, activity or child: drop it if not sent yet, else ask SWF to."""
        if self.drop(command):
            command.outcome.set_exception(
                CancelledError(f"{command.outcome.description} cancelled")
            )
        elif command.state == "open":
            prefix, decision_type, attributes_key, id_key = _CANCELS[command.kind]
            ident = command.ident
            attributes = {id_key: ident}
            if command.run_id:
                attributes["runId"] = command.run_id
            decision = {"decisionType": decision_type, attributes_key: attributes}
            self.add(Command(prefix + ident, "cancel", decision, Promise()))

    # --- the decisions ------------------------------------------------------------------

    def start_timer(self, timer_id: str, delay: float) -> Promise[None]:
        """Queue a ``StartTimer``; its promise is settled by ``TimerFired``."""
        outcome: Promise[None] = Promise(f"timer {timer_id}")
        decision = {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {
                "timerId": timer_id,
                "startToFireTimeout": str(int(math.ceil(delay))),
            },
        }
        command = Command("T:" + timer_id, "timer", decision, outcome, name=timer_id)
        outcome._cancel_hook = partial(self.cancel, command)
        self.add(command)
        return outcome

    def schedule_activity(
        self,
        activity: ActivityType,
        activity_id: str,
        template: dict[str, Any],
        input_text: str | None,
        call: ActivityOutcome,
    ) -> Command:
        """Queue one ``ScheduleActivityTask`` (``template``'s attributes, with this id and
        input); its events settle ``call`` with the raw result text (the call cancels it with
        :meth:`cancel`). With ``input_text`` None, the call gives the decision when it is
        needed (see :class:`Command`): most replayed calls never are."""
        key = "A:" + activity_id
        if input_text is None:
            command = Command(key, "activity", None, call, 0, activity.name, activity.version)
            command.builder = call
        else:
            decision = {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": activity_attributes(
                    template, activity_id, input_text
                ),
            }
            size = len(input_text) + 400
            command = Command(
                key, "activity", decision, call, size, activity.name, activity.version
            )
        pending = self.pending  # add(), inlined: once per activity call
        if key in pending or self.sources is not None:
            self.add(command)  # a duplicate id (the error), or sources to trace
        else:
            pending[key] = command
        return command

    def start_child(self, workflow: WorkflowType, attributes: dict[str, Any]) -> Promise[Any]:
        """Queue one ``StartChildWorkflowExecution``; its promise gives the raw result."""
        workflow_id = attributes["workflowId"]
        outcome: Promise[Any] = Promise(f"child {workflow_id}")
        decision = {
            "decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": attributes,
        }
        size = len(attributes["input"]) + 400
        command = Command(
            "C:" + workflow_id, "child", decision, outcome, size, workflow.name, workflow.version
        )
        outcome._cancel_hook = partial(self.cancel, command)
        self.add(command)
        return outcome

    def record_marker(self, name: str, details: str | None) -> None:
        """Queue a ``RecordMarker`` (nothing awaits it: the value is known already)."""
        attributes: dict[str, Any] = {"markerName": name}
        if details is not None:
            attributes["details"] = details
        decision = {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": attributes}
        size = len(details or "") + 200
        self.add(Command("M:" + name, "marker", decision, Promise(), size, name))

    def signal_external(
        self, control: str, workflow_id: str, name: str, input_text: str | None, run_id: str | None
    ) -> Promise[None]:
        """Queue a ``SignalExternalWorkflowExecution``; ``control`` names it in history."""
        attributes: dict[str, Any] = {
            "workflowId": workflow_id,
            "signalName": name,
            "control": control,
        }
        if run_id:
            attributes["runId"] = run_id
        if input_text is not None:
            attributes["input"] = input_text
        outcome: Promise[None] = Promise(f"signal {name} to {workflow_id}")
        decision = {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": attributes,
        }
        size = len(input_text or "") + 300
        self.add(Command("S:" + control, "signal", decision, outcome, size, name))
        return outcome


THROTTLE_WAIT = RetryPolicy(
    initial_interval=1.0, backoff_coefficient=2.0, maximum_interval=60.0, jitter=0.5
)
"""The wait before re-sending a decision SWF refused for a rate or limit cause."""


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def workflow_line() -> str:
    """``file:line in function`` of the innermost workflow code on the stack, or "".

    The first frame outside swfobjects is the workflow's, unless the decider is reached first:
    then the command was made by the framework itself (a retry after its backoff timer).
    """
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR):
            return f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        if filename.endswith("_decider.py"):
            return ""
        frame = frame.f_back  # type: ignore[assignment]
    return ""


def backoff(attempt: int, rng: random.Random) -> float:
    """Capped exponential wait (1, 2, 4... 60 s) with +-50% jitter, for refused schedules."""
    return THROTTLE_WAIT.delay(attempt, rng)
