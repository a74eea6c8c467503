"""The hook that lets the framework's own I/O run outside the determinism guard.

Store I/O (botocore, ``secrets``) reads clocks and randomness; inside a guarded decision that
would be flagged as workflow code breaking determinism, yet its results are recorded in
history. The payload layer cannot know about the guard (it sits below ``workflow`` and
``replay``), so the replay layer registers, once at import, how to pause the guard running in
the calling thread (:func:`register_pause`); with nothing registered, or no guard on, framework
I/O runs as is. (A context variable set per decision did the same job for ~2,000 more CPU
instructions per decision, a fifth of what the guard costs.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager

__all__ = ["framework_io", "register_pause"]

_PAUSE: list[Callable[[], AbstractContextManager[None]]] = []
"""The registered factory of the context that pauses this thread's guard (at most one)."""


def register_pause(pause: Callable[[], AbstractContextManager[None]]) -> None:
    """Set how framework I/O pauses the determinism guard of the calling thread."""
    _PAUSE[:] = [pause]


def framework_io() -> AbstractContextManager[None]:
    """The context to run framework (not workflow) I/O in: pauses a running guard, if any."""
    return _PAUSE[0]() if _PAUSE else contextlib.nullcontext()
