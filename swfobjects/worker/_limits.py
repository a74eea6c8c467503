"""Worker limits, as Temporal workers have them: concurrency, rates, graceful shutdown.

An activity worker polls only when it may run what it gets, so a full worker never holds a
task SWF could give to another one: before each poll a poller takes a *slot* (at most
``max_concurrent_activities`` tasks in hand across the worker's task lists); an empty poll
gives it back. The rates (``max_activities_per_second`` for the whole worker,
``max_task_list_activities_per_second`` for one task list) pace the *starts*: a task that
arrives early waits in hand for its turn. Pacing before the poll would not do: pollers wait in
long polls together and their tasks would arrive, and start, at once. A task waits at most
(pollers x interval), and its start-to-close timeout runs meanwhile. SWF has no server-side
rate limit, so the per-task-list limit holds for this worker process; run one worker per task
list (or divide the rate) to bound a task list everywhere.

Rates are spaced evenly (a burst of one): with 5 per second, starts are 0.2 s apart, so no
second sees more than 5. ``graceful_shutdown_timeout`` bounds how long ``stop()`` waits for
tasks in hand: when it passes, their heartbeats report cancellation (``self.heartbeat()``
returns True, so well-behaved activities stop) and ``run()``/``join()`` return without them;
SWF's timeouts hand abandoned tasks to another worker.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["ActivityLimits", "RateLimit", "shutdown_timeout"]

_SLOT_WAIT = 0.2
"""Seconds between looks at the stop flag while a poller waits for a free slot."""


def _positive(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number (or None for no limit), got {value!r}")
    return float(value)


def shutdown_timeout(value: float | None) -> float | None:
    """A checked ``graceful_shutdown_timeout`` (seconds, or None to wait for every task)."""
    return _positive(value, "graceful_shutdown_timeout")


class RateLimit:
    """At most ``per_second`` starts a second, evenly spaced; thread-safe.

    >>> limit = RateLimit(10.0)
    >>> limit.reserve() <= limit.reserve() - 0.1                  # two starts, 0.1 s apart
    True
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._next = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book the next start; the clock time at which it may happen."""
        with self._lock:
            at = max(self._next, self._clock())
            self._next = at + self.interval
        return at

    def wait(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Wait until the next start is due (and book it)."""
        delay = self.reserve() - self._clock()
        if delay > 0:
            sleep(delay)


@dataclass
class ActivityLimits:
    """The limits of one activity worker (every field ``None``: no limit).

    ``max_task_list_activities_per_second`` is one rate for each task list, or a mapping from
    task list to rate (task lists not named are not limited).
    """

    max_concurrent_activities: int | None = None
    max_activities_per_second: float | None = None
    max_task_list_activities_per_second: float | Mapping[str, float] | None = None
    graceful_shutdown_timeout: float | None = None
    _slots: threading.BoundedSemaphore | None = field(default=None, init=False, repr=False)
    _worker_rate: RateLimit | None = field(default=None, init=False, repr=False)
    _list_rates: dict[str, RateLimit] = field(default_factory=dict, init=False, repr=False)
    _list_rate: float | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        concurrent = self.max_concurrent_activities
        if concurrent is not None:
            if isinstance(concurrent, bool) or not isinstance(concurrent, int) or concurrent < 1:
                raise ValueError(
                    "max_concurrent_activities must be a positive int (or None for no limit), "
                    f"got {concurrent!r}"
                )
            self._slots = threading.BoundedSemaphore(concurrent)
        rate = _positive(self.max_activities_per_second, "max_activities_per_second")
        if rate is not None:
            self._worker_rate = RateLimit(rate)
        per_list = self.max_task_list_activities_per_second
        if isinstance(per_list, Mapping):
            for task_list, value in per_list.items():
                checked = _positive(value, f"max_task_list_activities_per_second[{task_list!r}]")
                self._list_rates[task_list] = RateLimit(checked)  # type: ignore[arg-type]
        else:
            self._list_rate = _positive(per_list, "max_task_list_activities_per_second")
        _positive(self.graceful_shutdown_timeout, "graceful_shutdown_timeout")

    @property
    def limited(self) -> bool:
        """True if any limit applies to taking tasks."""
        return bool(
            self._slots is not None
            or self._worker_rate is not None
            or self._list_rates
            or self._list_rate is not None
        )

    def _rate_of(self, task_list: str) -> RateLimit | None:
        found = self._list_rates.get(task_list)
        if found is None and self._list_rate is not None:
            with self._lock:
                found = self._list_rates.get(task_list)
                if found is None:
                    found = self._list_rates[task_list] = RateLimit(self._list_rate)
        return found

    def acquire(self, stopping: threading.Event) -> bool:
        """Take a slot for one poll (waiting for one); False once ``stopping`` is set."""
        slots = self._slots
        if slots is not None:
            while not slots.acquire(timeout=_SLOT_WAIT):
                if stopping.is_set():
                    return False
        return True

    def pace(self, task_list: str) -> None:
        """Wait until a task of ``task_list`` may start under every rate that applies.

        Both starts are booked first, then one wait for the later: a task never holds one
        limit's turn while it waits for the other's.
        """
        due = 0.0
        for rate in (self._worker_rate, self._rate_of(task_list)):
            if rate is not None:
                due = max(due, rate.reserve())
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def done(self) -> None:
        """The poll came back empty, or its task was answered: free the slot."""
        if self._slots is not None:
            self._slots.release()
