"""Closing an abandoned run's coroutines: now, and harmlessly.

Why: a decider that is dropped (``decide()`` returned, the sticky cache evicted or discarded
a run, a replay ended) leaves workflow coroutines suspended at their awaits. Left to the
garbage collector, CPython closes them at an arbitrary later moment: ``GeneratorExit`` at the
await point, the user's ``finally:`` blocks run, and a ``finally: await self.stub.cleanup()``
(the documented way to clean up on cancellation) reaches :data:`runtime_var`, which by then
belongs to whatever run is deciding in that thread. The abandoned run's cleanup would be
scheduled into *another* run's decisions, or, with no run deciding, print an "Exception
ignored" traceback.

So an abandoned run is closed by :class:`RunCloser`, at a moment the library chooses: every
coroutine its scheduler has not finished is closed while ``runtime_var`` holds
:data:`CLOSED_RUN`, a runtime whose every attribute raises :class:`RunClosed`. That
``BaseException`` unwinds the ``finally`` blocks past ``except Exception`` handlers; the
closer swallows it and logs at debug level. A running determinism guard (another run's) is
paused meanwhile: the abandoned run's code is not that run's.

The finalizer never closes anything itself: it only queues the closer (:func:`defer`), and
the queue is emptied (:func:`close_deferred`) when a decider is next made or fed, or at exit.
A finalizer may run inside the cyclic collector, which starts at any allocation, also in the
middle of CPython's ``ContextVar.set`` (botocore sets one per call). Setting
``runtime_var`` there, as closing does, replaces the context's variable map that the outer
``set`` is still reading: a use-after-free that crashed the interpreter, rarely, under load.

>>> from swfobjects.replay._scheduler import Scheduler
>>> closer = RunCloser(Scheduler(), "Checkout (order-42)")
>>> closer()                    # runs once, whether called or triggered by weakref.finalize
"""

from __future__ import annotations

import atexit
import logging
from collections import deque
from typing import Any, NoReturn

from ..payloads._framework_io import framework_io
from ..workflow._context import runtime_var
from ._scheduler import Scheduler, Task

__all__ = ["CLOSED_RUN", "ClosedRun", "RunClosed", "RunCloser", "close_deferred", "defer"]

log = logging.getLogger("swfobjects.decider")

_KEPT: list[Task] = []
"""Coroutines that kept awaiting while being closed: never resumed, never collected (see
:meth:`RunCloser.__call__`)."""


class RunClosed(BaseException):
    """Raised by :data:`CLOSED_RUN` at each call: the run's decider was abandoned.

    A ``BaseException`` (like ``GeneratorExit``) so that workflow code's ``except Exception``
    lets it unwind the ``finally`` blocks of the coroutine being closed.
    """


class ClosedRun:
    """The runtime an abandoned run's coroutines see while they close: every use raises."""

    __slots__ = ()

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("_"):  # introspection (copy, pickle, doctest, mock probes such as
            raise AttributeError(name)  # ``_mock_name``), never the seam: its names are public
        raise RunClosed(
            f"workflow code called {name} while its run was being closed: the decider of this "
            "run was abandoned (decision done, cache evicted or replay ended), so nothing it "
            "asks for is scheduled anywhere"
        )

    def __repr__(self) -> str:
        return "<closed workflow run>"


CLOSED_RUN: Any = ClosedRun()
"""The one :class:`ClosedRun` (typed ``Any``: it stands for any runtime, by raising)."""


class RunCloser:
    """Closes one run's unfinished coroutines; the callback of its decider's finalizer.

    It holds the scheduler and a description, never the decider (a finalizer whose callback
    referred to its object would keep that object alive forever). Called directly by
    ``Decider.discard()``; queued by :func:`defer` when the decider is freed undiscarded.
    """

    __slots__ = ("done", "scheduler", "what")

    def __init__(self, scheduler: Scheduler, what: str) -> None:
        self.scheduler = scheduler
        self.what = what
        self.done = False

    def __call__(self) -> None:
        """Close the run's coroutines (once; later calls do nothing)."""
        if self.done:
            return
        self.done = True
        token = runtime_var.set(CLOSED_RUN)
        try:
            with framework_io():  # pause another run's determinism guard, if one is on
                errors, stuck = self.scheduler.close()
        finally:
            runtime_var.reset(token)
        for name, error in errors:
            log.debug("closing abandoned run %s: %s raised %r", self.what, name, error)
        if stuck:
            _KEPT.extend(stuck)
            log.warning(
                "closing abandoned run %s: %s kept awaiting while being closed; they are kept "
                "suspended for good, so that the garbage collector never resumes them inside "
                "another run. Do not catch BaseException (or GeneratorExit) around an await in "
                "a finally block",
                self.what,
                ", ".join(task.name or "a coroutine" for task in stuck),
            )


_DEFERRED: deque[RunCloser] = deque()
"""Closers of runs freed undiscarded, waiting for a safe moment (see the module docstring)."""


def defer(closer: RunCloser) -> None:
    """The finalizer's callback: queue ``closer``, nothing else (it may run inside the
    collector, where setting a context variable is unsafe)."""
    _DEFERRED.append(closer)


def close_deferred() -> None:
    """Close every queued run now: called where no ``ContextVar.set`` can be under way (a
    decider being made or fed, interpreter exit). Safe from any thread."""
    while _DEFERRED:
        try:
            closer = _DEFERRED.popleft()
        except IndexError:  # another thread took the last one
            return
        closer()


atexit.register(close_deferred)
