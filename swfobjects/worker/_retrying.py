"""Calling SWF through boto3 so that throttling and server hiccups do not lose work.

SWF throttles per account and region (``ThrottlingException``, ``LimitExceededFault``) and, like
any service, sometimes answers 5xx. botocore's own retries absorb short bursts; this module is
the outer layer with capped exponential backoff and *full jitter* (the delay before retry ``n``
is drawn uniformly from ``[0, min(cap, base * 2**n)]``, so a fleet of workers that were
throttled together does not come back together).

:class:`RetryingClient` wraps a boto3 SWF client: every method retries what is retryable and
raises everything else unchanged. Respond calls (``Respond*``, ``RecordActivityTaskHeartbeat``)
get a larger budget than polls, and their retries are not cut short by a worker's stop: a task
in hand is finished and answered before the worker exits. When even that budget runs out the
error is raised to the poller, which logs it; SWF's task timeouts then give the task to another
worker, so nothing is silently dropped.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from ..swf.client import SWFClient

__all__ = ["Backoff", "RetryingClient", "error_code", "is_retryable"]

log = logging.getLogger("swfobjects.retry")

RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "LimitExceededFault",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
"""Error codes that mean "try again later", whatever the HTTP status."""

_TRANSPORT_ERRORS = (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError)

_RESPONDS = frozenset(
    {
        "respond_decision_task_completed",
        "respond_activity_task_completed",
        "respond_activity_task_failed",
        "respond_activity_task_canceled",
        "record_activity_task_heartbeat",
    }
)


def error_code(error: BaseException) -> str:
    """SWF's error code for a botocore ``ClientError`` (empty for anything else)."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def is_retryable(error: BaseException) -> bool:
    """Throttling, 5xx and dropped connections are retryable; faults about the request are not.

    >>> from botocore.exceptions import ClientError
    >>> is_retryable(ClientError({"Error": {"Code": "ThrottlingException"}}, "PollForActivityTask"))
    True
    >>> is_retryable(ClientError({"Error": {"Code": "UnknownResourceFault"}}, "RespondX"))
    False
    """
    if isinstance(error, _TRANSPORT_ERRORS):
        return True
    if not isinstance(error, ClientError):
        return False
    if error_code(error) in RETRYABLE_CODES:
        return True
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return int(status) >= 500


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with full jitter.

    ``attempts`` bounds ordinary calls (polls, describes, starts); ``respond_attempts`` bounds
    the calls that answer a task, which are worth waiting longer for.

    >>> Backoff(base=1, cap=8).ceiling(5)
    8.0
    """

    base: float = 0.2
    cap: float = 20.0
    attempts: int = 8
    respond_attempts: int = 12

    def __post_init__(self) -> None:
        if self.base < 0 or self.cap < 0:
            raise ValueError("Backoff base and cap must not be negative")
        if self.attempts < 1 or self.respond_attempts < 1:
            raise ValueError("Backoff attempts must be at least 1")

    def ceiling(self, retry: int) -> float:
        """The largest delay before retry number ``retry`` (0-based)."""
        return float(min(self.cap, self.base * 2**retry))

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """A jittered delay before retry number ``retry``."""
        return (rng or random).uniform(0, self.ceiling(retry))


class RetryingClient:
    """A boto3 SWF client whose calls retry throttling and server errors.

    It is an :class:`~swfobjects.swf.SWFClient` itself (every method of the wrapped client is
    reachable, wrapped in :meth:`call`), so workers and handles cannot tell it from boto3's.

    ``stop`` (a ``threading.Event``) cuts the backoff of ordinary calls short when a worker is
    stopping; respond calls keep retrying regardless. ``sleep`` is injectable for tests.

    >>> client = RetryingClient(boto3.client("swf"))                  # doctest: +SKIP
    >>> client.poll_for_activity_task(domain="d", taskList={"name": "t"})  # doctest: +SKIP
    """

    def __init__(
        self,
        client: SWFClient,
        backoff: Backoff | None = None,
        *,
        stop: threading.Event | None = None,
        sleep: Callable[[float], Any] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.backoff = backoff or Backoff()
        self.stop = stop
        self._sleep = sleep
        self._rng = rng
        self.retries = 0

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self.client, name)
        if not callable(method):
            return method

        def call(**params: Any) -> Any:
            return self.call(name, **params)

        call.__name__ = name
        return call

    def call(self, name: str, /, **params: Any) -> Any:
        """Call ``client.<name>(**params)``, retrying what is retryable."""
        method = getattr(self.client, name)
        respond = name in _RESPONDS
        attempts = self.backoff.respond_attempts if respond else self.backoff.attempts
        retry = 0
        while True:
            try:
                return method(**params)
            except Exception as error:
                if not is_retryable(error) or retry + 1 >= attempts:
                    raise
                if not respond and self.stop is not None and self.stop.is_set():
                    raise
                delay = self.backoff.delay(retry, self._rng)
                log.info(
                    "%s: %s (%s); retry %d/%d in %.2fs",
                    name,
                    error_code(error) or type(error).__name__,
                    error,
                    retry + 1,
                    attempts - 1,
                    delay,
                )
                self.retries += 1
                retry += 1
                self._wait(delay, respond)

    def _wait(self, delay: float, respond: bool) -> None:
        if self._sleep is not None:
            self._sleep(delay)
        elif self.stop is not None and not respond:
            self.stop.wait(delay)
        else:
            threading.Event().wait(delay)
