"""The promise combinators ``all_of`` and ``any_of``.

Apart from :class:`~._promise.Promise` itself because the seam (``_context``) names promises
while these need the seam: a coroutine given to them is started on the workflow's scheduler.
"""

from __future__ import annotations

import inspect
from collections.abc import Coroutine
from itertools import repeat
from typing import Any

from ._context import current_runtime
from ._promise import Promise, gather

__all__ = ["all_of", "any_of"]


def _as_promise(item: Any) -> Promise[Any]:
    """A promise for ``item``: itself, or a coroutine started on the workflow's scheduler."""
    if isinstance(item, Promise):
        return item
    if inspect.iscoroutine(item):
        return current_runtime("all_of()/any_of() of a coroutine").spawn_eager(
            item, getattr(item, "__qualname__", "coroutine")
        )
    raise TypeError(f"expected a Promise or a coroutine, got {type(item).__name__}")


def all_of(*promises: Promise[Any] | Coroutine[Any, Any, Any]) -> Promise[list[Any]]:
    """A promise of all results, in argument order.

    Fails as soon as any input fails (with that error), like ``asyncio.gather``. Coroutines
    (calls of your own ``async def`` helpers) are started as workflow tasks.

    >>> a, b = Promise[int](), Promise[int]()
    >>> both = all_of(a, b); a.set_result(1); b.set_result(2); both.result()
    [1, 2]
    """
    if all(map(isinstance, promises, repeat(Promise))):  # one C-level pass: the usual case
        inputs: tuple[Promise[Any], ...] = promises  # type: ignore[assignment]
    else:
        inputs = tuple(_as_promise(p) for p in promises)
    combined = gather(inputs)
    combined._cancel_hook = lambda: _cancel_all(inputs)
    return combined


def _cancel_all(promises: tuple[Promise[Any], ...]) -> None:
    for promise in promises:
        promise.cancel()


def any_of(*promises: Promise[Any] | Coroutine[Any, Any, Any]) -> Promise[Promise[Any]]:
    """A promise of the first input to settle (the promise itself, so you can tell which).

    ``first = await any_of(a, b)`` then ``await first`` gives its value or raises its error.
    """
    if not promises:
        raise ValueError("any_of() needs at least one promise")
    inputs = tuple(_as_promise(p) for p in promises)
    combined: Promise[Promise[Any]] = Promise("any_of")

    def settled(promise: Promise[Any]) -> None:
        if not combined.done():
            combined.set_result(promise)

    for promise in inputs:
        promise.add_done_callback(settled)
    combined._cancel_hook = lambda: _cancel_all(inputs)
    return combined
