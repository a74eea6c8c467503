"""A tiny deterministic coroutine scheduler for workflow code.

Why not asyncio: replay needs every coroutine to step in exactly the same order on every
decider, in every process, with no clock and no I/O. Here a coroutine steps only when a
promise it awaits settles, and ready coroutines run first-in first-out. A task can be
cancelled: :class:`CancelledError` is thrown in at its current await point, and the promise it
was waiting on is asked to cancel too (so an awaited activity gets ``RequestCancelActivityTask``).
The scheduler keeps every coroutine it has not finished, so that those of an abandoned run
can be closed at a chosen moment (:meth:`Scheduler.close`, see ``_closing``), never by the
garbage collector at an arbitrary one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Coroutine
from typing import Any, TypeVar

from ..exceptions import CancelledError, WorkflowCodeError
from ..workflow._promise import Promise

__all__ = ["CLOSE_ATTEMPTS", "Scheduler", "Task"]

T = TypeVar("T")

CLOSE_ATTEMPTS = 8
"""How many times :meth:`Scheduler.close` closes a coroutine that awaits again while closing
(a ``finally`` that catches ``BaseException`` and awaits once more) before giving up on it."""


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

    __slots__ = ("_ready", "_tasks", "current")

    def __init__(self) -> None:
        self._ready: deque[Task] = deque()
        self._tasks: dict[Task, None] = {}
        """Tasks whose coroutine has not finished, in spawn order (a dict: ordered, O(1) del)."""
        self.current: Task | None = None

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "") -> Promise[T]:
        """Start ``coro``; it first steps on the next :meth:`run`."""
        promise: Promise[T] = Promise(name)
        task = Task(coro, promise, name, self._ready)
        promise._cancel_hook = _Canceller(self, task)
        self._tasks[task] = None
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
        self._tasks[task] = None
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

    def close(self) -> tuple[list[tuple[str, BaseException]], list[Task]]:
        """Close every coroutine not finished yet, in spawn order: their run is abandoned.

        Each is closed as the garbage collector would close it (``GeneratorExit`` at its await
        point, so its ``finally:`` blocks run), but now. What a coroutine raises while closing
        is returned as (task name, error), not raised: nobody awaits an abandoned run. One
        that awaits again while closing is closed again, up to :data:`CLOSE_ATTEMPTS` times;
        the tasks still suspended after that are returned too. The scheduler is empty after.
        """
        tasks, self._tasks = self._tasks, {}
        self._ready.clear()
        errors: list[tuple[str, BaseException]] = []
        stuck: list[Task] = []
        for task in tasks:
            if not _close(task.coro, task.name, errors):
                stuck.append(task)
        return errors, stuck

    def run(self) -> None:
        """Step ready coroutines until every one waits on an unsettled promise."""
        ready = self._ready
        step = self._step
        while ready:
            step(ready.popleft())

    def _step(self, task: Task) -> None:
        if task.promise._state:  # done(), inline: once per step
            return
        previous, self.current = self.current, task
        error, task.pending_error = task.pending_error, None
        try:
            if error is None:
                awaited = task.coro.send(None)
            else:
                awaited = task.coro.throw(error)
        except StopIteration as stop:
            self._tasks.pop(task, None)
            task.promise.set_result(stop.value)
            return
        except BaseException as failure:  # noqa: BLE001 - the promise carries it
            self._tasks.pop(task, None)
            task.promise.set_exception(failure)
            return
        finally:
            self.current = previous
        if not isinstance(awaited, Promise):
            self._tasks.pop(task, None)
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


def _close(coro: Coroutine[Any, Any, Any], name: str, errors: list[tuple[str, Any]]) -> bool:
    """Close ``coro`` and the coroutines it awaits, innermost first; False if it would not.

    Innermost first, because closing the outer one would close the inner ones the same way
    but, if one of them awaited again, leave it suspended and unreachable: the garbage
    collector would close it later, at an arbitrary moment, which is what closing prevents.
    """
    if _frame(coro) is None:  # finished, or not a native coroutine (nothing inside to reach)
        _close_one(coro, name, errors)
        return True
    refusals = 0
    while _frame(coro) is not None:
        inner: Any = coro
        while True:
            awaited = getattr(inner, "cr_await", None) or getattr(inner, "gi_yieldfrom", None)
            if awaited is None or _frame(awaited) is None:
                break
            inner = awaited
        _close_one(inner, name, errors)
        if _frame(inner) is not None:  # it awaited again instead of closing
            refusals += 1
            if refusals >= CLOSE_ATTEMPTS:
                return False
    return True


def _close_one(coro: Any, name: str, errors: list[tuple[str, Any]]) -> None:
    """``coro.close()``, its error (the user's ``finally`` raising) recorded in ``errors``."""
    try:
        coro.close()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - reported by the caller
        errors.append((name, error))


def _frame(coro: Any) -> Any:
    """The frame of a suspended (or unstarted) coroutine or generator; None once finished."""
    return getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)


class _Canceller:
    """A task's cancel hook (a slotted object: cheaper than a closure per task)."""

    __slots__ = ("scheduler", "task")

    def __init__(self, scheduler: Scheduler, task: Task) -> None:
        self.scheduler = scheduler
        self.task = task

    def __call__(self) -> None:
        self.scheduler.cancel(self.task)
