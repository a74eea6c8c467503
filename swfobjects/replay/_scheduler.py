"""A tiny deterministic coroutine scheduler for workflow code.

Why not asyncio: replay needs every coroutine to step in exactly the same order on every
decider, in every process, with no clock and no I/O. Here a coroutine steps only when a
promise it awaits settles, and ready coroutines run first-in first-out. A task can be
cancelled: :class:`CancelledError` is thrown in at its current await point, and the promise it
was waiting on is asked to cancel too (so an awaited activity gets ``RequestCancelActivityTask``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Coroutine
from inspect import CORO_CREATED, getcoroutinestate
from types import CoroutineType
from typing import Any, TypeVar

from ..exceptions import CancelledError, WorkflowCodeError
from ..workflow._promise import Promise

__all__ = ["Scheduler", "Task"]

T = TypeVar("T")


class Task:
    """A coroutine on the scheduler, its result promise, and what it waits on.

    Calling the task with a settled promise is its wake-up callback (no closure per await).
    """

    __slots__ = ("coro", "promise", "name", "waiting", "pending_error", "ready")

    def __init__(
        self, coro: Coroutine[Any, Any, Any], promise: Promise[Any], name: str, ready: deque[Task]
    ) -> None:
        self.coro = coro
        self.promise = promise
        self.name = name
        self.waiting: Promise[Any] | None = None
        self.pending_error: BaseException | None = None
        self.ready = ready

    def __call__(self, promise: Promise[Any]) -> None:
        if self.waiting is promise:
            self.waiting = None
            self.ready.append(self)


class Scheduler:
    """Runs workflow coroutines; ``run()`` steps them until none can make progress.

    >>> async def main(): return 2
    >>> s = Scheduler(); p = s.spawn(main()); s.run(); p.result()
    2
    """

    __slots__ = ("_ready", "current")

    def __init__(self) -> None:
        self._ready: deque[Task] = deque()
        self.current: Task | None = None

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "") -> Promise[T]:
        """Start ``coro``; it first steps on the next :meth:`run`."""
        promise: Promise[T] = Promise(name)
        task = Task(coro, promise, name, self._ready)
        promise._cancel_hook = _Canceller(self, task)
        self._ready.append(task)
        return promise

    def spawn_eager(self, coro: Coroutine[Any, Any, T], name: str = "") -> Promise[T]:
        """Start ``coro`` and step it now, up to its first await.

        Used for coroutines given to ``all_of``/``any_of``, so that their first command is
        issued at the moment of the call, in call order.
        """
        promise: Promise[T] = Promise(name)
        task = Task(coro, promise, name, self._ready)
        promise._cancel_hook = _Canceller(self, task)
        self._step(task)
        return promise

    def cancel(self, task: Task, error: BaseException | None = None) -> None:
        """Throw ``CancelledError`` (or ``error``) into ``task`` at its await point."""
        if task.promise.done() or task.pending_error is not None:
            return
        task.pending_error = error or CancelledError(f"{task.name or 'task'} was cancelled")
        waiting, task.waiting = task.waiting, None
        if waiting is not None:
            self._ready.append(task)
            if not waiting.done():
                waiting.cancel()

    def close_unstarted(self) -> None:
        """Close the coroutines that never took a step: their decision was abandoned.

        Closing runs none of their code (they never started) and spares the "coroutine was
        never awaited" warning when the garbage collector finds them.
        """
        for task in self._ready:
            coro = task.coro
            if isinstance(coro, CoroutineType) and getcoroutinestate(coro) == CORO_CREATED:
                coro.close()

    def run(self) -> None:
        """Step ready coroutines until every one waits on an unsettled promise."""
        ready = self._ready
        step = self._step
        while ready:
            step(ready.popleft())

    def _step(self, task: Task) -> None:
        if task.promise.done():
            return
        previous, self.current = self.current, task
        error, task.pending_error = task.pending_error, None
        try:
            if error is None:
                awaited = task.coro.send(None)
            else:
                awaited = task.coro.throw(error)
        except StopIteration as stop:
            task.promise.set_result(stop.value)
            return
        except BaseException as failure:  # noqa: BLE001 - the promise carries it
            task.promise.set_exception(failure)
            return
        finally:
            self.current = previous
        if not isinstance(awaited, Promise):
            task.coro.close()
            task.promise.set_exception(
                WorkflowCodeError(
                    f"workflow code awaited {awaited!r}, which is not a swfobjects Promise; "
                    "workflows run on swfobjects' deterministic scheduler, not asyncio: await "
                    "activity stubs, self.timer(), all_of()/any_of() or your own async helpers"
                )
            )
            return
        task.waiting = awaited
        awaited.add_done_callback(task)


class _Canceller:
    """A task's cancel hook (a slotted object: cheaper than a closure per task)."""

    __slots__ = ("scheduler", "task")

    def __init__(self, scheduler: Scheduler, task: Task) -> None:
        self.scheduler = scheduler
        self.task = task

    def __call__(self) -> None:
        self.scheduler.cancel(self.task)
