"""A tiny deterministic coroutine scheduler for workflow code.

Why not asyncio: replay needs every coroutine to step in exactly the same order on every
decider, in every process, with no clock and no I/O. Here a coroutine steps only when a
promise it awaits settles, and ready coroutines run first-in first-out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Coroutine
from typing import Any, TypeVar

from ._promise import Promise

__all__ = ["Scheduler", "WorkflowCodeError"]

T = TypeVar("T")


class WorkflowCodeError(TypeError):
    """Workflow code awaited something the scheduler cannot drive (an asyncio future, say)."""


class _Task:
    __slots__ = ("coro", "promise", "name")

    def __init__(self, coro: Coroutine[Any, Any, Any], promise: Promise[Any], name: str) -> None:
        self.coro = coro
        self.promise = promise
        self.name = name


class Scheduler:
    """Runs workflow coroutines; ``run()`` steps them until none can make progress.

    >>> async def main(): return 2
    >>> s = Scheduler(); p = s.spawn(main()); s.run(); p.result()
    2
    """

    __slots__ = ("_ready", "_running")

    def __init__(self) -> None:
        self._ready: deque[_Task] = deque()
        self._running = False

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "") -> Promise[T]:
        """Start ``coro``; it first steps on the next :meth:`run` (or at once if running)."""
        promise: Promise[T] = Promise(name)
        task = _Task(coro, promise, name)
        self._ready.append(task)
        return promise

    def spawn_eager(self, coro: Coroutine[Any, Any, T], name: str = "") -> Promise[T]:
        """Start ``coro`` and step it now, up to its first await.

        Used for the framework's own helper coroutines (activity retry loops) so that their
        first command is issued at the moment of the call, in call order.
        """
        promise: Promise[T] = Promise(name)
        self._step(_Task(coro, promise, name))
        return promise

    def has_ready(self) -> bool:
        """True if some coroutine can step."""
        return bool(self._ready)

    def run(self) -> None:
        """Step ready coroutines until every one waits on an unsettled promise."""
        ready = self._ready
        step = self._step
        while ready:
            step(ready.popleft())

    def _step(self, task: _Task) -> None:
        try:
            awaited = task.coro.send(None)
        except StopIteration as stop:
            task.promise.set_result(stop.value)
            return
        except BaseException as error:  # noqa: BLE001 - the promise carries it
            task.promise.set_exception(error)
            return
        if type(awaited) is not Promise and not isinstance(awaited, Promise):
            task.coro.close()
            task.promise.set_exception(
                WorkflowCodeError(
                    f"workflow code awaited {awaited!r}, which is not a swfobjects Promise; "
                    "workflows run on swfobjects' deterministic scheduler, not asyncio: await "
                    "activity stubs, self.timer(), all_of()/any_of() or your own async helpers"
                )
            )
            return
        ready = self._ready
        awaited.add_done_callback(lambda _p: ready.append(task))
