"""Option values shared by declarations and the decider: timeouts and the retry policy.

SWF takes every timeout as a string of whole seconds or ``"NONE"``; users write ints, floats,
``timedelta`` or ``None``. :func:`timeout_value` is the one place that converts.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Union

from ..exceptions import ActivityTaskError, ActivityTaskTimeoutError, DeclarationError
from ..payloads._failures import qualified_name
from ..swf.limits import ACTIVITY_TIMEOUT_TYPES, MAX_TIMEOUT_SECONDS
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
    never retried. ``retry_timeouts`` says which timeouts are retried: ``True`` (all, the
    default), ``False`` (none) or a set of SWF timeout types (``{"HEARTBEAT"}``).

    The failure itself can decide. ``retry_if(error)`` gets the :class:`ActivityTaskError` (or
    :class:`ActivityTaskTimeoutError`) with its remote ``type_name``, ``message``, decoded
    ``details``, ``timeout_type`` and ``attempt``, and returns whether to retry; it is asked
    only when the rules above allow a retry. ``delay_for(error)`` returns the seconds (or a
    ``timedelta``) to wait before the next attempt, used as given (no cap, no jitter), or
    ``None`` for the backoff above; honour a server's ``Retry-After`` with it. Both run in
    the decider, on every replay: like workflow code they must be deterministic (look only at
    the error), and the determinism guard watches them.

    >>> RetryPolicy(max_attempts=5, initial_interval=2).delay(3)
    8.0
    >>> policy = RetryPolicy(retry_if=lambda error: "503" in error.message)
    >>> policy.should_retry(ActivityTaskError("HTTP 503", type_name="HTTPError"))
    True
    >>> policy.should_retry(ActivityTaskError("HTTP 400", type_name="HTTPError"))
    False
    """

    max_attempts: int = 3
    initial_interval: float = 1.0
    backoff_coefficient: float = 2.0
    maximum_interval: float = 300.0
    non_retryable: tuple[type[BaseException] | str, ...] = field(default=())
    jitter: float = 0.0
    retry_if: Callable[[ActivityTaskError], bool] | None = None
    retry_timeouts: bool | Iterable[str] = True
    delay_for: Callable[[ActivityTaskError], float | timedelta | None] | None = None

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
        for option in ("retry_if", "delay_for"):
            value = getattr(self, option)
            if value is not None and not callable(value):
                raise DeclarationError(
                    f"RetryPolicy.{option} must be a function of the failure, got {value!r}"
                )
        if not isinstance(self.retry_timeouts, bool):
            if isinstance(self.retry_timeouts, str):
                raise DeclarationError(
                    "RetryPolicy.retry_timeouts takes True, False or a set of timeout types "
                    f"such as {{'HEARTBEAT'}}, got the string {self.retry_timeouts!r}"
                )
            kinds = frozenset(self.retry_timeouts)
            unknown = kinds - ACTIVITY_TIMEOUT_TYPES
            if unknown:
                raise DeclarationError(
                    f"RetryPolicy.retry_timeouts: unknown timeout type(s) {sorted(unknown)}; "
                    f"SWF's are {sorted(ACTIVITY_TIMEOUT_TYPES)}"
                )
            object.__setattr__(self, "retry_timeouts", kinds)

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

    def retries_timeout(self, timeout_type: str) -> bool:
        """Whether an activity timeout of SWF type ``timeout_type`` may be retried."""
        kinds = self.retry_timeouts
        return kinds if isinstance(kinds, bool) else timeout_type in kinds

    def should_retry(self, error: ActivityTaskError) -> bool:
        """Whether the failed attempt ``error.attempt`` is retried: the attempt count,
        ``non_retryable``, ``retry_timeouts``, then ``retry_if``."""
        if not self.allows(error.attempt, error.type_name):
            return False
        if isinstance(error, ActivityTaskTimeoutError) and not self.retries_timeout(
            error.timeout_type
        ):
            return False
        if self.retry_if is None:
            return True
        verdict = self.retry_if(error)
        if not isinstance(verdict, bool):
            raise TypeError(
                f"RetryPolicy.retry_if {_callable_name(self.retry_if)} returned "
                f"{verdict!r}; it must return True (retry) or False"
            )
        return verdict

    def delay_after(self, error: ActivityTaskError, rng: random.Random | None = None) -> float:
        """Seconds to wait before retrying ``error``: ``delay_for``'s answer, else backoff."""
        if self.delay_for is not None:
            value = self.delay_for(error)
            if value is not None:
                try:
                    seconds = seconds_of(value)
                except TypeError as exc:
                    raise TypeError(
                        f"RetryPolicy.delay_for {_callable_name(self.delay_for)}: {exc} or None"
                    ) from None
                if seconds < 0 or math.isnan(seconds):
                    raise ValueError(
                        f"RetryPolicy.delay_for {_callable_name(self.delay_for)} returned "
                        f"{value!r}; a delay must be zero or more seconds"
                    )
                return seconds
        return self.delay(error.attempt, rng)


def _callable_name(function: Callable[..., object]) -> str:
    return getattr(function, "__qualname__", None) or repr(function)


NO_RETRY = RetryPolicy(max_attempts=1)
