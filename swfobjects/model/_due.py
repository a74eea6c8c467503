"""The due heap: every armed timer and timeout, soonest first.

Only a data structure: arming (``push``) is done by whoever starts the timed thing, firing by
:class:`~._timeouts.Timeouts`. Entries are never removed when their task or execution closes
(that would be a search); stale ones are skipped when they come due and swept when the heap
doubles.

An entry is ``(when, seq, item)``; ``item`` is one of ``("timer", execution, timer)``,
``("activity", task, timeout_type)``, ``("decision", execution, started_event_id)``,
``("execution", execution)`` (its start-to-close timeout) and ``("purge", execution)`` (a
closed run whose domain's retention period ends: it is deleted).
"""

from __future__ import annotations

import heapq
import itertools
import math
from typing import Any

__all__ = ["DueHeap", "still_pending"]

_MIN_COMPACT = 256
"""The heap is swept when it grows past this (or past twice its size after the last sweep)."""

DueItem = tuple[Any, ...]

_heappush = heapq.heappush  # bound once: push runs for every task started or scheduled
_isfinite = math.isfinite


def still_pending(item: DueItem) -> bool:
    """True while the timer or timeout ``item`` describes can still fire.

    Reads ``close_status`` rather than the ``is_open`` property: every entry of the heap goes
    through here once per sweep, and a property is a Python call.
    """
    kind = item[0]
    if kind == "activity":
        task = item[1]
        execution = task.execution
        return execution.close_status is None and execution.activities.get(task.activity_id) is task
    if kind == "decision":
        execution = item[1]
        return execution.close_status is None and execution.decision_started_id == item[2]
    if kind == "timer":
        execution, timer = item[1], item[2]
        return execution.close_status is None and execution.timers.get(timer.timer_id) is timer
    if kind == "purge":
        return True  # armed once, when the run closed; firing it removes it
    return item[1].close_status is None


class DueHeap:
    """A heap of ``(when, seq, item)``; ``entries`` is one list for the model's lifetime."""

    __slots__ = ("entries", "_compact_at", "_seq")

    def __init__(self) -> None:
        self.entries: list[tuple[float, int, DueItem]] = []
        self._compact_at = _MIN_COMPACT
        self._seq = itertools.count()

    def push(self, when: float, *item: Any) -> None:
        """Arm ``item`` to come due at ``when`` (epoch seconds).

        A NaN would break the heap's order for every entry after it (no timer or timeout of any
        execution would fire again) and an infinity would never come due: requests are checked
        so neither can be computed, and this refuses one that got through anyway.
        """
        if not _isfinite(when):
            raise ValueError(f"due time {when!r} is not a finite number of epoch seconds")
        entries = self.entries
        _heappush(entries, (when, next(self._seq), item))
        if len(entries) > self._compact_at:
            self._compact()

    def _compact(self) -> None:
        """Drop the entries of timers and timeouts whose task or execution has closed.

        Closing never searches the heap: stale entries are skipped when they come due. Without
        this sweep a long run would keep one or two per activity it ever ran (memory, and a
        deeper heap for every push); swept whenever the heap doubles, it costs O(1) per push.
        """
        entries = self.entries  # in place: Timeouts.advance() may be iterating over this list
        entries[:] = [entry for entry in entries if still_pending(entry[2])]
        heapq.heapify(entries)
        self._compact_at = max(_MIN_COMPACT, 2 * len(entries))

    def next_seq(self) -> int:
        """The sequence number the next push gets (for a snapshot; the counter is re-made at
        the same value, since reading an ``itertools.count`` consumes it)."""
        value = next(self._seq)
        self._seq = itertools.count(value)
        return value

    def replace(self, entries: list[tuple[float, int, DueItem]], next_seq: int) -> None:
        """Hold exactly ``entries`` (restoring a snapshot), numbering later pushes from
        ``next_seq``; as after a sweep, the next sweep comes when the heap doubles."""
        self.entries[:] = entries  # in place: the façade holds this list
        heapq.heapify(self.entries)
        self._seq = itertools.count(next_seq)
        self._compact_at = max(_MIN_COMPACT, 2 * len(entries))

    def next_due(self) -> float | None:
        """When the next timer or timeout is due (epoch seconds), or None."""
        entries = self.entries
        return entries[0][0] if entries else None

    def next_due_item(self) -> tuple[float, str] | None:
        """(when, kind) of the next timer or timeout still pending, dropping stale entries.

        Kinds: "timer", "activity", "decision", "execution", "purge".
        """
        entries = self.entries
        while entries:
            when, _, item = entries[0]
            if still_pending(item):
                return when, item[0]
            heapq.heappop(entries)
        return None

    def pop_due(self, now: float) -> tuple[float, DueItem] | None:
        """Remove and return the first entry due by ``now`` that is still pending, or None."""
        entries = self.entries
        while entries and entries[0][0] <= now:
            when, _, item = heapq.heappop(entries)
            if still_pending(item):
                return when, item
        return None
