"""The local service's write-ahead journal (SQLite, stdlib), for ``swfobjects local --db FILE``.

Why a journal and not a snapshot: the SWF model is deterministic given the sequence of
mutating calls, the clock reading of each, and the ids it generated (run ids, task tokens).
So the service appends one row per accepted mutating call (and per clock tick that fired a
timer or timeout) *before* it answers, and a restart replays the rows into a fresh model.
Nothing acknowledged is lost, tokens handed out before the restart stay valid, and no Python
object is ever pickled. Rows are plain JSON text. The quotas are an input of the model too
(a decision over the ``open_timers`` quota records ``StartTimerFailed``), so a start with
quotas other than the journal's last ones appends a row saying so, and a replay applies each
at its place.

The database runs in WAL mode with ``synchronous=NORMAL``: a crash or kill of the service loses
nothing; only a power failure of the machine may lose the last transactions.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ADVANCE", "Journal", "JournalEntry", "QUOTAS"]

ADVANCE = ""  # the operation name of a clock tick that fired timers or timeouts
QUOTAS = "#quotas"  # the quotas in force from here on (body: their JSON), when they changed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    operation TEXT NOT NULL,
    body TEXT NOT NULL,
    ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_FORMAT = "swfobjects-local-journal-1"


@dataclass(frozen=True)
class JournalEntry:
    """One accepted mutating call: when (model time), what, and the ids it generated."""

    at: float
    operation: str
    body: str
    ids: tuple[str, ...]


class Journal:
    """An append-only SQLite journal of mutating SWF calls.

    >>> journal = Journal(":memory:")
    >>> journal.append(JournalEntry(1.0, "RegisterDomain", '{"name": "d"}', ()))
    >>> [e.operation for e in journal.entries()]
    ['RegisterDomain']
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('format', ?)", (_FORMAT,))
        elif row[0] != _FORMAT:
            raise ValueError(f"{self.path} is not a swfobjects local journal ({row[0]!r})")

    def append(self, entry: JournalEntry) -> None:
        """Durably record ``entry`` (committed when this returns)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO journal (at, operation, body, ids) VALUES (?, ?, ?, ?)",
                (entry.at, entry.operation, entry.body, json.dumps(list(entry.ids))),
            )

    def entries(self) -> Iterator[JournalEntry]:
        """Every recorded entry, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, operation, body, ids FROM journal ORDER BY seq"
            ).fetchall()
        for at, operation, body, ids in rows:
            yield JournalEntry(at, operation, body, tuple(json.loads(ids)))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM journal").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
