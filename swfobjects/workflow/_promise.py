"""The :class:`Promise`: the values workflow code awaits.

A :class:`Promise` is settled by the decider when history says so (an activity completed, a
timer fired). Workflow coroutines ``await`` promises; the replay scheduler resumes
them, in a deterministic order, when the promise settles. There is no asyncio loop: awaiting
anything that is not a ``Promise`` inside a workflow is an error. The combinators ``all_of`` and
``any_of`` live in ``_combinators``, above the seam (``_context``) they need for coroutines.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

__all__ = ["Promise", "gather"]

T = TypeVar("T")

_PENDING = 0
_FULFILLED = 1
_REJECTED = 2


class Promise(Generic[T]):
    """The eventual result of an activity, timer, child workflow or helper coroutine.

    ``await promise`` gives the result or raises the error. A promise settles once; callbacks
    run in the order they were added.

    >>> p = Promise[int]()
    >>> p.set_result(3); p.result()
    3
    """

    __slots__ = ("_state", "_value", "_callbacks", "_cancel_hook", "_description", "observed")

    def __init__(self, description: str = "") -> None:
        self._state = _PENDING
        self._value: Any = None
        self._callbacks: list[Callable[[Promise[T]], None]] | None = None
        self._cancel_hook: Callable[[], None] | None = None
        self._description = description
        self.observed = False
        """True once something awaited the promise, read its outcome or subscribed to it: a
        workflow that completes while promises it started were never observed has most likely
        forgotten an ``await`` (the decider warns about them)."""

    @property
    def description(self) -> str:
        """What the promise stands for, as errors and warnings name it (``timer t1``).

        Read-only, so that a subclass may build it only when it is shown (an activity call
        does: one f-string fewer per activity)."""
        return self._description

    def __repr__(self) -> str:
        state = ("pending", "fulfilled", "rejected")[self._state]
        label = f" {self.description}" if self.description else ""
        return f"<Promise{label} {state}>"

    def done(self) -> bool:
        """True once the promise has a result or an error."""
        return self._state != _PENDING

    def failed(self) -> bool:
        """True if the promise settled with an error."""
        return self._state == _REJECTED

    def result(self) -> T:
        """The result; raises the error if it failed, ``RuntimeError`` while still pending."""
        self.observed = True
        if self._state == _FULFILLED:
            return self._value  # type: ignore[no-any-return]
        if self._state == _REJECTED:
            raise self._value
        raise RuntimeError(f"{self!r} is not settled yet: await it instead")

    def exception(self) -> BaseException | None:
        """The error the promise failed with, or None."""
        self.observed = True
        if self._state == _PENDING:
            raise RuntimeError(f"{self!r} is not settled yet")
        return self._value if self._state == _REJECTED else None

    def set_result(self, value: T) -> None:
        """Fulfil the promise (decider and combinators only)."""
        if self._state != _PENDING:
            raise RuntimeError(f"{self!r} is already settled")
        self._state = _FULFILLED
        self._value = value
        self._cancel_hook = None  # _fire(), inlined: every activity result passes here twice
        callbacks, self._callbacks = self._callbacks, None
        if callbacks:
            for callback in callbacks:
                callback(self)

    def set_exception(self, error: BaseException) -> None:
        """Reject the promise (decider and combinators only)."""
        if self._state != _PENDING:
            raise RuntimeError(f"{self!r} is already settled")
        self._state = _REJECTED
        self._value = error
        self._fire()

    def cancel(self) -> bool:
        """Ask for cancellation; False if already settled or not cancellable.

        An activity gets ``RequestCancelActivityTask``, a timer ``CancelTimer``, a child
        workflow a cancellation request, a coroutine a ``CancelledError`` at its await point.
        The promise settles when the cancellation takes effect (history says so).
        """
        hook = self._cancel_hook
        if self._state != _PENDING or hook is None:
            return False
        self._cancel_hook = None
        hook()
        return True

    def add_done_callback(self, callback: Callable[[Promise[T]], None]) -> None:
        """Call ``callback(promise)`` when settled (at once if already settled)."""
        self.observed = True
        if self._state != _PENDING:
            callback(self)
        elif self._callbacks is None:
            self._callbacks = [callback]
        else:
            self._callbacks.append(callback)

    def _fire(self) -> None:
        self._cancel_hook = None  # settled: nothing to cancel, and no reference cycle kept
        callbacks, self._callbacks = self._callbacks, None
        if callbacks:
            for callback in callbacks:
                callback(self)

    def __await__(self) -> Generator[Promise[T], None, T]:
        if self._state == _PENDING:
            yield self
        if self._state == _FULFILLED:  # result(), inlined: once per await
            self.observed = True
            return self._value  # type: ignore[no-any-return]
        return self.result()


def gather(inputs: tuple[Promise[Any], ...]) -> Promise[list[Any]]:
    """A promise of every input's result, in order, failing with the first input that fails:
    the core of ``all_of`` (which also starts coroutines and makes the result cancellable).

    It lives here because its callback reads the inputs' state directly: a fan-out of n
    activities runs it n times, and the three method calls it made per input (``done``,
    ``failed``, ``result``) cost 2.4% of such a replay. Every input is observed by the
    subscription, so reading ``_value`` loses nothing ``result()`` would have recorded.
    """
    combined: Promise[list[Any]] = Promise("all_of")
    remaining = len(inputs)
    if remaining == 0:
        combined.set_result([])
        return combined

    def settled(promise: Promise[Any]) -> None:
        nonlocal remaining
        if combined._state != _PENDING:
            return
        if promise._state == _REJECTED:
            combined.set_exception(promise._value)
            return
        remaining -= 1
        if remaining == 0:
            combined.set_result([p._value for p in inputs])

    for promise in inputs:
        promise.add_done_callback(settled)
    return combined
