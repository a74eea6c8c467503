"""The hook that lets the framework's own I/O run outside the determinism guard.

Store I/O (botocore, ``secrets``) reads clocks and randomness; inside a guarded decision that
would be flagged as workflow code breaking determinism, yet its results are recorded in
history. The payload layer cannot know about the guard (it sits below ``workflow`` and
``replay``), so it asks this context variable how to run such I/O: the decider sets it while a
guarded decision runs, and it is unset (no pause needed) everywhere else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar

__all__ = ["framework_io", "unguarded_var"]

unguarded_var: ContextVar[Callable[[], AbstractContextManager[None]] | None] = ContextVar(
    "swfobjects_unguarded", default=None
)
"""A factory of the context in which framework I/O runs unguarded, or None (no guard on)."""


def framework_io() -> AbstractContextManager[None]:
    """The context to run framework (not workflow) I/O in: pauses a running guard, if any."""
    pause = unguarded_var.get()
    return contextlib.nullcontext() if pause is None else pause()
