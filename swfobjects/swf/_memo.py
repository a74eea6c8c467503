"""``Memo``: a bounded dict that computes what it lacks, for lookups on hot paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["Memo"]

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """A dict that computes a missing value with ``make(key)`` and remembers it (at most
    ``limit`` of them): read with a subscript, a value seen before costs one lookup and no call.

    For per-event and per-task hot paths: the attributes member of an event or decision type,
    the seconds of a timeout string. Only for a pure ``make`` on immutable keys (strings). The
    limit keeps keys that come from requests or histories from growing it without end.
    """

    __slots__ = ("_make", "_limit")

    def __init__(self, make: Callable[[K], V], limit: int) -> None:
        super().__init__()
        self._make = make
        self._limit = limit

    def __missing__(self, key: K) -> V:
        value = self._make(key)
        if len(self) < self._limit:
            self[key] = value
        return value
