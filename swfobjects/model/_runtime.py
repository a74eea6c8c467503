"""What every collaborator of the SWF model shares: the time of the call, ids, listeners.

One :class:`Runtime` per model. It knows nothing of SWF: it is the seam through which the
local service injects its clock, its journaled ids and its wake-ups, so the collaborators
above it read them from one place instead of from the façade (which would make them depend
on the façade, and the façade on them).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

from ..swf.limits import Quotas

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "Runtime", "random_id"]

_ID_SOURCE = random.Random(os.urandom(32))
_random_bits = _ID_SOURCE.getrandbits  # bound once (re-seeding keeps the same generator)
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=lambda: _ID_SOURCE.seed(os.urandom(32)))


def random_id() -> str:
    """128 random bits in hex: run ids and task tokens (unique, not a secret: the model is
    in-process or on loopback, and a per-call ``os.urandom`` was a visible cost per task)."""
    return _random_bits(128).to_bytes(16, "big").hex()


DEFAULT_ACCOUNT_ID = "123456789012"
"""The account id in ARNs unless told otherwise (the one AWS's own documentation uses)."""
DEFAULT_REGION = "us-east-1"
"""The region in ARNs when a request names none (an unsigned request)."""


class Runtime:
    """The clock, the timestamp of the current call, the id source, the change listeners and
    the quotas in force.

    ``call_now`` is set by :meth:`SwfModel.call` for the duration of one call, so every event
    of a call carries the same timestamp (a journal replay then reproduces it exactly).
    """

    __slots__ = ("clock", "call_now", "new_id", "listeners", "account_id", "region", "quotas")

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        quotas: Quotas | None = None,
    ) -> None:
        self.clock = clock
        self.quotas = quotas or Quotas()
        """SWF's quotas as this model enforces them (SWF's defaults unless told otherwise)."""
        self.account_id = account_id
        self.region = region
        """The region of the call in progress: ARNs name it (the local service sets it from
        each request's signature, as SWF's endpoint is per region)."""
        self.call_now: float | None = None
        self.new_id: Callable[[], str] = random_id  # the local service journals its ids
        self.listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        """The model's current time (epoch seconds; fixed for the duration of one call)."""
        now = self.call_now
        return now if now is not None else float(self.clock())

    def notify(self) -> None:
        """Tell the listeners (the local service's waiting polls) that something changed."""
        for listener in self.listeners:
            listener()
