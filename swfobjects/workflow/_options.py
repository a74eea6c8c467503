"""Option values shared by declarations and the decider: timeouts and the retry policy.

SWF takes every timeout as a string of whole seconds or ``"NONE"``; users write ints, floats,
``timedelta`` or ``None``. :func:`timeout_value` is the one place that converts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Union

from ..exceptions import DeclarationError
from ..payloads._failures import qualified_name
from ..swf.limits import MAX_TIMEOUT_SECONDS
from ..swf.values import CHILD_POLICIES, NO_TIMEOUT, timeout_problem

__all__ = [
    "Timeout",
    "NO_TIMEOUT",
    "timeout_value",
    "seconds_of",
    "RetryPolicy",
    "CHILD_POLICIES",
    "NO_RETRY",
]

Timeout = Union[int, float, timedelta, str, None]  # noqa: UP007 - a runtime alias on 3.10
"""A timeout as users write it: seconds, a ``timedelta``, ``"NONE"`` or ``None`` (no timeout)."""


def seconds_of(value: int | float | timedelta) -> float:
    """Seconds in ``value`` (a number or a ``timedelta``)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected seconds or a timedelta, got {type(value).__name__}")
    return float(value)


def timeout_value(value: Timeout, what: str = "timeout") -> str:
    """Convert a user timeout into SWF's string form.

    >>> timeout_value(90), timeout_value(timedelta(minutes=2)), timeout_value(None)
    ('90', '120', 'NONE')

    Strings are taken as SWF takes them (:func:`swfobjects.swf.values.timeout_problem`):
    ``"²"`` passes ``str.isdigit()`` but is no number of seconds, so it is refused here, not by
    the service later.
    """
    if value is None:
        return NO_TIMEOUT
    if isinstance(value, str):
        problem = timeout_problem(value)
        if problem is not None:
            raise DeclarationError(f"{what} {value!r} {problem}")
        return value
    try:
        seconds = seconds_of(value)
    except TypeError as exc:
        raise DeclarationError(f"{what}: {exc}") from None
    if seconds < 0:
        raise DeclarationError(f"{what} must not be negative, got {value!r}")
    if not seconds <= MAX_TIMEOUT_SECONDS:  # also true of NaN
        raise DeclarationError(
            f"{what} must be at most {MAX_TIMEOUT_SECONDS} seconds (one year, SWF's longest "
            f"timeout), or None for no timeout; got {value!r}"
        )
    return str(int(math.ceil(seconds)))


@dataclass(frozen=True)
class RetryPolicy:
    """How an activity is retried after it fails.

    Retries wait on durable SWF timers, so they survive a decider restart. The delay before
    attempt ``n + 1`` is ``initial_interval * backoff_coefficient ** (n - 1)``, capped at
    ``maximum_interval``, then spread by ``jitter`` (a fraction, drawn from a source seeded by the
    run so replay sees the same delay).

    ``non_retryable`` names exception types (classes or qualified / plain type names) that are
    never retried. Timeouts are retried like failures.

    >>> RetryPolicy(max_attempts=5, initial_interval=2).delay(3)
    8.0
    """

    max_attempts: int = 3
    initial_interval: float = 1.0
    backoff_coefficient: float = 2.0
    maximum_interval: float = 300.0
    non_retryable: tuple[type[BaseException] | str, ...] = field(default=())
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise DeclarationError("RetryPolicy.max_attempts must be an int")
        if self.max_attempts < 1:
            raise DeclarationError("RetryPolicy.max_attempts must be at least 1")
        if self.initial_interval < 0 or self.maximum_interval < 0:
            raise DeclarationError("RetryPolicy intervals must not be negative")
        if self.backoff_coefficient < 1:
            raise DeclarationError("RetryPolicy.backoff_coefficient must be at least 1")
        if not 0 <= self.jitter <= 1:
            raise DeclarationError("RetryPolicy.jitter must be between 0 and 1")
        names = tuple(self.non_retryable)
        for item in names:
            if not isinstance(item, str) and not (
                isinstance(item, type) and issubclass(item, BaseException)
            ):
                raise DeclarationError(
                    f"RetryPolicy.non_retryable takes exception types or names, got {item!r}"
                )
        object.__setattr__(self, "non_retryable", names)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = self.initial_interval * self.backoff_coefficient ** (attempt - 1)
        base = min(base, self.maximum_interval)
        if self.jitter and rng is not None:
            base *= 1 + self.jitter * (2 * rng.random() - 1)
        return max(0.0, base)

    def is_retryable(self, type_name: str) -> bool:
        """Whether a failure whose remote type is ``type_name`` may be retried."""
        short = type_name.rsplit(".", 1)[-1]
        for item in self.non_retryable:
            name = item if isinstance(item, str) else qualified_name(item)
            if name in (type_name, short) or name.rsplit(".", 1)[-1] == type_name:
                return False
        return True

    def allows(self, attempt: int, type_name: str) -> bool:
        """Whether failed attempt ``attempt`` of a failure of type ``type_name`` is retried."""
        return attempt < self.max_attempts and self.is_retryable(type_name)


NO_RETRY = RetryPolicy(max_attempts=1)
