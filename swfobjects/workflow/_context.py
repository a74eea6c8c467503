"""The seam between user code and the engine running it.

Workflow code (``Workflow`` helpers, stubs, ``@nondeterministic``/``@cached``, ``all_of`` of
coroutines) reaches the replay of the decision in progress only through
:class:`WorkflowContext`, found in :data:`runtime_var`; activity code reaches the task it runs
(for heartbeats) only through :class:`ActivityContext`, found in :data:`activity_var`. This
package *defines* the two Protocols and the context variables; the engines (``replay``,
``worker``) implement and set them. That keeps the imports running one way, and lets one
workflow API run on several executors.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from types import TracebackType
from typing import Any, NoReturn, Protocol, TypeVar

from ..exceptions import SignalError
from ..payloads._codecs import Codec
from ..payloads._payload import Payloads
from ._declarations import ActivityType, WorkflowType
from ._options import Timeout
from ._promise import Promise

__all__ = [
    "ActivityContext",
    "ActivityInfo",
    "TimeoutScope",
    "WorkflowContext",
    "activity_var",
    "current_activity",
    "current_runtime",
    "runtime_var",
]

T = TypeVar("T")


class TimeoutScope(Protocol):
    """What ``async with self.timeout(seconds):`` enters: it cancels its body when time is up.

    The body sees ``CancelledError`` at its await point; leaving the scope then raises
    ``TimeoutError``. Declared here so workflow code's types never name the engine.
    """

    async def __aenter__(self) -> TimeoutScope:
        """Start the scope's timer."""

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        """Turn the scope's own cancellation into ``TimeoutError``; cancel a pending timer."""


class WorkflowContext(Protocol):
    """What workflow code may ask of the engine replaying the decision in progress.

    Everything here is deterministic: called again on replay with the same history, it gives
    the same answers and issues the same commands.
    """

    @property
    def workflow_id(self) -> str:
        """This execution's workflow id."""

    @property
    def run_id(self) -> str:
        """This execution's run id."""

    @property
    def payloads(self) -> Payloads:
        """The payload layer: how inputs are encoded for SWF (signals, ``continue_as_new``)."""

    @property
    def history_length(self) -> int:
        """Events in this run's history so far."""

    @property
    def cancel_requested(self) -> bool:
        """True once someone asked to cancel this execution."""

    @property
    def unhandled_signals(self) -> list[tuple[str, str | None]]:
        """Signals with no ``@signal`` handler, as (name, raw input)."""

    @property
    def signal_errors(self) -> list[SignalError]:
        """Signals whose input could not be decoded."""

    @property
    def is_replaying(self) -> bool:
        """True while the code re-runs a decision history already recorded (logs stay quiet)."""

    @property
    def workflow_type(self) -> str:
        """The SWF name of this execution's workflow type."""

    @property
    def decision_event_id(self) -> int:
        """The ``DecisionTaskStarted`` event id of the decision in progress."""

    def now(self) -> dt.datetime:
        """The event time of the decision in progress, timezone-aware UTC."""

    def random(self) -> random.Random:
        """The run's seeded random source (the same sequence on every replay)."""

    def start_timer(self, seconds: Timeout) -> Promise[None]:
        """A durable timer settled ``seconds`` from now."""

    def wait_for(self, predicate: Callable[[], bool]) -> Promise[None]:
        """A promise settled once ``predicate()`` is true."""

    def timeout(self, seconds: float | dt.timedelta) -> TimeoutScope:
        """An ``async with`` scope that cancels its body after ``seconds``."""

    def continue_as_new(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> NoReturn:
        """Close this run and start the next one with these arguments."""

    def patched(self, change_id: str) -> bool:
        """True for executions that run the new code path of ``change_id``."""

    def signal_external(
        self, workflow_id: str, name: str, input_text: str | None, run_id: str | None = None
    ) -> Promise[None]:
        """Signal another execution with already encoded input."""

    def schedule_activity(
        self, activity: ActivityType, arguments: dict[str, Any], overrides: dict[str, Any]
    ) -> Promise[Any]:
        """Call an activity (with its retries); the promise gives its decoded result."""

    def start_child(
        self, workflow: WorkflowType, arguments: dict[str, Any], overrides: dict[str, Any]
    ) -> Promise[Any]:
        """Start a child workflow; the promise gives its decoded result."""

    def marker_value(self, name: str, compute: Callable[[], T], codec: Codec, what: str) -> T:
        """The value recorded in marker ``name``, computing and recording it the first time."""

    def nondeterministic_name(self, method: str) -> str:
        """The marker name of the next ``@nondeterministic`` call of ``method``."""

    def cached_name(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """The marker name of a ``@cached`` call of ``method`` with these arguments."""

    def spawn_eager(self, coro: Coroutine[Any, Any, T], name: str) -> Promise[T]:
        """Run ``coro`` as a workflow task, stepping it at once up to its first await."""


class ActivityInfo(Protocol):
    """What an activity can know about the task it runs."""

    @property
    def activity_id(self) -> str: ...
    @property
    def activity_name(self) -> str: ...
    @property
    def activity_version(self) -> str: ...
    @property
    def workflow_id(self) -> str: ...
    @property
    def run_id(self) -> str: ...
    @property
    def started_event_id(self) -> int: ...
    @property
    def task_token(self) -> str: ...


class ActivityContext(Protocol):
    """The activity task running in this thread, as activity code sees it."""

    @property
    def info(self) -> ActivityInfo:
        """The task's ids, type and token."""

    def heartbeat(self, details: Any) -> bool:
        """Report progress; True if cancellation of the task was asked."""


runtime_var: ContextVar[WorkflowContext | None] = ContextVar("swfobjects_runtime", default=None)
"""The engine replaying the decision in progress in this context (set by the decider)."""
activity_var: ContextVar[ActivityContext | None] = ContextVar("swfobjects_activity", default=None)
"""The activity task running in this thread (set by the activity worker)."""


def current_runtime(what: str) -> WorkflowContext:
    """The runtime of the workflow decision running now, or a clear error naming ``what``."""
    runtime = runtime_var.get()
    if runtime is None:
        raise RuntimeError(
            f"{what} can only be used inside a workflow's @decision_task while an executor "
            "runs it (SerialExecutor().run(...), SWFExecutor workers, or swfobjects.decide); "
            "to run an activity's code directly, call the method on a worker instance"
        )
    return runtime


def current_activity(what: str) -> ActivityContext:
    """The activity task running in this thread, or a clear error."""
    task = activity_var.get()
    if task is None:
        raise RuntimeError(f"{what} can only be called while an executor runs an activity task")
    return task
