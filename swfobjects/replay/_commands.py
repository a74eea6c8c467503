"""Commands: the decisions a workflow run wants sent, and how refusals are retried."""

from __future__ import annotations

import random
from typing import Any

from ..workflow._options import RetryPolicy
from ..workflow._promise import Promise

__all__ = [
    "Command",
    "ScheduleRefused",
    "RATE_CAUSES",
    "WAKE_TIMER_PREFIX",
    "MAX_TIMER_REISSUES",
    "backoff",
]

RATE_CAUSES = frozenset(
    {
        "ACTIVITY_CREATION_RATE_EXCEEDED",
        "OPEN_ACTIVITIES_LIMIT_EXCEEDED",
        "TIMER_CREATION_RATE_EXCEEDED",
        "OPEN_TIMERS_LIMIT_EXCEEDED",
        "CHILD_CREATION_RATE_EXCEEDED",
        "OPEN_CHILDREN_LIMIT_EXCEEDED",
        "OPEN_WORKFLOWS_LIMIT_EXCEEDED",
        "WORKFLOW_CREATION_RATE_EXCEEDED",
        "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
    }
)
"""``*Failed`` causes that mean "not now": retried with capped backoff, never raised."""

THROTTLE_BACKOFF_CAP = 60.0
MAX_TIMER_REISSUES = 10
WAKE_TIMER_PREFIX = "_wake."


class ScheduleRefused(Exception):
    """Internal: SWF answered a decision with a ``*Failed`` event of this ``cause``."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class Command:
    """One decision the workflow wants sent, and the promise its events settle.

    ``key`` is unique per run (``"A:<activityId>"``, ``"T:<timerId>"``...); ``size`` is an
    estimate of its share of the response, for the 1 MB cap; ``state`` is "pending" (not yet
    seen in history), "open" (recorded, awaiting its outcome) or "closed".
    """

    __slots__ = ("key", "kind", "decision", "outcome", "size", "name", "version", "state", "extra")

    def __init__(
        self,
        key: str,
        kind: str,
        decision: dict[str, Any],
        outcome: Promise[Any],
        size: int = 300,
        name: str = "",
        version: str = "",
        extra: Any = None,
    ) -> None:
        self.key = key
        self.kind = kind
        self.decision = decision
        self.outcome = outcome
        self.size = size
        self.name = name
        self.version = version
        self.state = "pending"
        self.extra = extra


THROTTLE_WAIT = RetryPolicy(
    initial_interval=1.0,
    backoff_coefficient=2.0,
    maximum_interval=THROTTLE_BACKOFF_CAP,
    jitter=0.5,
)
"""The wait before re-sending a decision SWF refused for a rate or limit cause."""


def backoff(attempt: int, rng: random.Random) -> float:
    """Capped exponential wait (1, 2, 4... 60 s) with +-50% jitter, for refused schedules."""
    return THROTTLE_WAIT.delay(attempt, rng)
