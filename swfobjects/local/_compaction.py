"""``swfobjects local compact --db FILE``: compact a journal while no service uses it.

A running service compacts on its own every ``--compact-every`` rows, but it never shrinks the
file: SQLite reuses the pages of deleted rows rather than returning them. Offline there is no
one to keep waiting, so this compacts (replays the journal, writes the model's snapshot in place
of the rows) and then ``VACUUM``s the file down to what it holds.

A journal still marked open belongs to a running service, or to one that was killed: compacting
under a running service would fork its chain, so this refuses and says what to do.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ._engine import Engine
from ._persistence import Journal, JournalError

__all__ = ["Compacted", "compact_offline"]


@dataclass(frozen=True)
class Compacted:
    """What an offline compaction did: rows replaced, file sizes (bytes, with the -wal file)
    before and after, and the seconds it took."""

    rows: int
    size_before: int
    size_after: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.rows} journal rows replaced by a snapshot; {self.size_before:,} bytes -> "
            f"{self.size_after:,} bytes in {self.seconds:.2f} s"
        )


def _size(path: str) -> int:
    return sum(os.path.getsize(name) for name in (path, path + "-wal") if os.path.exists(name))


def _refuse_if_open(path: str) -> None:
    """A journal marked open is in use (or its service was killed): refuse to touch it."""
    if not os.path.exists(path):
        raise JournalError(f"no journal at {path}")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'open'").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise JournalError(f"cannot read journal {path}: {exc}") from None
    if row is not None and row[0] == "1":
        raise JournalError(
            f"journal {path} is in use by a service, or its service was killed: stop the "
            "service (or start and stop it once after a kill), then compact"
        )


def compact_offline(path: str | Path) -> Compacted:
    """Compact the journal at ``path`` (no service may be using it) and shrink the file.

    Raises :class:`JournalError` with a one-line reason if it is in use, damaged or unusable.
    """
    path = str(path)
    _refuse_if_open(path)
    size_before = _size(path)
    started = time.perf_counter()
    journal = Journal(path)
    engine = Engine(clock=lambda: 0.0, journal=journal, poll_timeout=0, journal_quotas=True)
    try:
        rows = journal.since_snapshot
        engine.compact()
        try:
            journal.vacuum()
        except sqlite3.Error as exc:
            raise JournalError(f"compacted journal {path}, but cannot shrink it: {exc}") from None
    finally:
        engine.close()  # closes the journal, marking it clean
    return Compacted(rows, size_before, _size(path), time.perf_counter() - started)
