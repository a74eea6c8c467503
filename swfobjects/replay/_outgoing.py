"""Outgoing calls as interceptors see them, and the hook through which they add headers.

Workflow code's calls (activities, child workflows, signals) are turned into decisions by the
runtime, below the worker package where interceptors are configured. So the replay package
defines what an outgoing call looks like (:class:`OutgoingCall`), what a run looks like
(:class:`WorkflowRun`) and the one method it needs (:class:`OutgoingHook`); the worker's
``Interceptor`` implements it. The client calls the same hook for ``executor.start()``.

The hook runs each time workflow code makes the call, on replay too: the headers it adds go
into the decision's input, and a replay must decide the same input, so they must depend only
on the call and the run (``call.caller``), never on the clock or a random source (a decider's
determinism guard watches the hook as it watches workflow code).
``call.replaying`` says when the call is being replayed, for hooks that count things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["CallKind", "OutgoingCall", "OutgoingHook", "WorkflowRun", "outgoing_headers"]

CallKind = Literal["activity", "child_workflow", "signal", "start_workflow"]
"""What an outgoing call does: schedule an activity, start a child workflow, signal an
execution (from workflow code), or start a workflow (``executor.start()``)."""


@dataclass(frozen=True)
class WorkflowRun:
    """One workflow run, as the decider knows it once its start event is read."""

    workflow_name: str
    workflow_version: str
    workflow_id: str
    run_id: str
    headers: Mapping[str, str]
    """The headers the run was started with (see ``swfobjects.payloads._headers``)."""
    started_at: float
    """Epoch seconds of the run's ``WorkflowExecutionStarted`` event."""


@dataclass
class OutgoingCall:
    """A call about to leave: an interceptor may add ``headers``, which travel with its input.

    ``name``/``version`` are the activity's or workflow's type (for a signal: the signal name
    and ``""``); ``target_id`` the activity id, the workflow id started, or the workflow id
    signalled. ``caller`` is the run making the call (None for ``executor.start()``).
    Headers reach activities and workflows. Signals are shown to hooks (to count them, say)
    but carry no headers: a signal's receiver has no hook to read them, so adding one raises.
    """

    kind: CallKind
    name: str
    version: str
    target_id: str
    caller: WorkflowRun | None = None
    replaying: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class OutgoingHook(Protocol):
    """What the runtime and the client need from an interceptor."""

    def outgoing_call(self, call: OutgoingCall) -> None:
        """See (and add ``headers`` to) a call before it is encoded."""


def outgoing_headers(hooks: Sequence[OutgoingHook], call: OutgoingCall) -> dict[str, str]:
    """The headers ``hooks`` add to ``call``, each hook in order (the first sees none)."""
    for hook in hooks:
        hook.outgoing_call(call)
    return call.headers
