"""Interceptors: the hooks for metrics, tracing and context propagation.

An :class:`Interceptor` overrides the hooks it needs; every default passes through. Executors
and workers take ``interceptors=[...]``; the first in the list is the outermost: its
``decision_task`` and ``execute_activity`` wrap the second's, and it sees an outgoing call
first. The hooks, and when they run:

``outgoing_call(call)``
    Workflow code schedules an activity, starts a child workflow or signals an execution, or
    ``executor.start()`` starts a workflow. The hook may add ``call.headers``, which travel
    in the call's input to the activity or workflow that runs it (see ``_headers``). It runs
    on replay too, so what it adds must depend only on the call and ``call.caller`` (see
    ``swfobjects.replay._outgoing``).
``decision_task(task, call_next)``
    Around each decision task a decider answers (one per real decision, never on replay).
    ``task.run`` and ``task.decisions`` are filled in when ``call_next()`` returns (the run
    is known once the decider has read its start, which a cache miss fetches inside).
``workflow_started(run)`` / ``workflow_closed(close)``
    Within the decision task that handles the run's start, and the one that decides to close
    it (complete, fail, cancel, continue as new). A run that SWF closes without a decider
    (timed out, terminated) has no ``workflow_closed``.
``execute_activity(activity, call_next)``
    Around the activity method, in the worker that runs it, with the task's info, the
    headers its caller sent and its attempt; ``call_next()`` returns the activity's result
    (or raises its exception), and the hook returns the result to report.

Hooks run in the worker's threads: an interceptor shared by threads must be thread-safe.

>>> class CountActivities(Interceptor):
...     def __init__(self) -> None:
...         self.runs = 0
...     def execute_activity(self, activity, call_next):
...         self.runs += 1
...         return call_next()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from ..replay._outgoing import OutgoingCall, WorkflowRun
from ._activities import ActivityExecution

__all__ = [
    "ActivityExecution",
    "CloseOutcome",
    "DecisionTask",
    "Interceptor",
    "WorkflowClose",
    "checked_interceptors",
    "run_intercepted",
]

CloseOutcome = Literal["completed", "failed", "canceled", "continued_as_new"]
"""How a decider closed a run."""


@dataclass
class DecisionTask:
    """A decision task, as ``decision_task`` hooks see it."""

    workflow_name: str
    workflow_version: str
    workflow_id: str
    run_id: str
    started_event_id: int
    previous_started_event_id: int
    """0 for the run's first decision task."""
    run: WorkflowRun | None = None
    """The run (its start headers, start time), once the decider has read its start."""
    decisions: tuple[Mapping[str, Any], ...] = ()
    """The decisions made, once ``call_next()`` returned."""
    decided_at: float = 0.0
    """Epoch seconds of the task's ``DecisionTaskStarted`` event (SWF's clock), with ``run``."""


@dataclass(frozen=True)
class WorkflowClose:
    """A run a decider decided to close."""

    run: WorkflowRun
    outcome: CloseOutcome
    reason: str = ""
    """The failure's reason (``"failed"`` only)."""
    closed_at: float = 0.0
    """Epoch seconds of the closing decision task's start (SWF's clock, like
    ``run.started_at``)."""


class Interceptor:
    """Hooks around what workers and executors do; override the ones you need.

    See the module docstring for when each runs. Every default passes through.
    """

    def outgoing_call(self, call: OutgoingCall) -> None:
        """See a call before it is encoded; add ``call.headers`` to send with it."""

    def decision_task(self, task: DecisionTask, call_next: Callable[[], None]) -> None:
        """Around a decision task; must call ``call_next()`` once."""
        call_next()

    def workflow_started(self, run: WorkflowRun) -> None:
        """A run's first decision task is being answered."""

    def workflow_closed(self, close: WorkflowClose) -> None:
        """A decision task closes the run."""

    def execute_activity(self, activity: ActivityExecution, call_next: Callable[[], Any]) -> Any:
        """Around an activity attempt; returns the result to report (``call_next()``'s)."""
        return call_next()


def checked_interceptors(interceptors: Iterable[Interceptor]) -> tuple[Interceptor, ...]:
    """``interceptors`` as a tuple, each checked to be an :class:`Interceptor`."""
    out = tuple(interceptors)
    for interceptor in out:
        if not isinstance(interceptor, Interceptor):
            raise TypeError(
                f"interceptors take Interceptor instances (subclass "
                f"swfobjects.worker.Interceptor), not {interceptor!r}"
            )
    return out


def run_intercepted(
    interceptors: tuple[Interceptor, ...], task: DecisionTask, innermost: Callable[[], None]
) -> None:
    """``innermost()`` wrapped by each interceptor's ``decision_task``, the first outermost."""
    call: Callable[[], None] = innermost
    for interceptor in reversed(interceptors):
        call = partial(interceptor.decision_task, task, call)
    call()
