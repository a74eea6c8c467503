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

Compaction keeps the file and the start-up time bounded: :meth:`Journal.compact` stores the
model's whole state (``swfobjects.model``'s snapshot: plain JSON, stored zlib-compressed
because histories compress about fifteenfold) at the journal's position and
deletes the rows before it in the same transaction; a start restores the snapshot and replays
only the rows after it. The chain goes on through the snapshot: its link hashes the link of
the last row it replaces and its own content, and the next row's link starts from it.

The journal is the truth, so it must never lie quietly:

- each row (and the snapshot) carries a link of a hash chain over every row before it, and
  SQLite's ``sqlite_sequence`` keeps the number of the last row ever written (updated by the same
  statement, so it costs no extra write). A deleted, changed or reordered row, or a lost tail,
  breaks the chain and start-up stops with :class:`JournalError` instead of starting with less
  state;
- SQLite's own ``quick_check`` runs at start-up;
- ``meta.open`` is set (and checkpointed into the main file) while a service uses the journal
  and cleared when it closes cleanly. A journal left open by a killed service keeps its last
  transactions in the ``-wal`` file beside it; if that file is gone, they are lost, and
  start-up says so;
- a journal that cannot be opened, read or written is a :class:`JournalError` with a one-line
  reason, raised before the service answers anything.

The database runs in WAL mode with ``synchronous=NORMAL``: a crash or kill of the service loses
nothing; only a power failure of the machine may lose the last transactions.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import weakref
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ADVANCE",
    "Journal",
    "JournalEntry",
    "JournalError",
    "QUOTAS",
    "SNAPSHOT",
    "UNDELIVERED",
]

ADVANCE = ""  # the operation name of a clock tick that fired timers or timeouts
QUOTAS = "#quotas"  # the quotas in force from here on (body: their JSON), when they changed
UNDELIVERED = "#undelivered"  # a handed-out task whose answer never left (body: its token)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    operation TEXT NOT NULL,
    body TEXT NOT NULL,
    ids TEXT NOT NULL,
    link TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    body BLOB NOT NULL,
    previous TEXT NOT NULL,
    link TEXT NOT NULL
);
"""
_FORMAT = "swfobjects-local-journal-3"
_FORMAT_2 = "swfobjects-local-journal-2"  # no snapshot table; upgraded in place on open
_FORMAT_1 = "swfobjects-local-journal-1"  # rows without links; upgraded in place on open
SNAPSHOT = "#snapshot"  # the operation name a snapshot's chain link is computed with


class JournalError(Exception):
    """The journal cannot be trusted or used; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class JournalEntry:
    """One accepted mutating call: when (model time), what, and the ids it generated."""

    at: float
    operation: str
    body: str
    ids: tuple[str, ...]


def _link(previous: str, seq: int, at: float, operation: str, body: str, ids: str) -> str:
    """The chain link of row ``seq``: a hash of the previous link and everything in the row."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (previous, str(seq), repr(at), operation, body, ids):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _snapshot_link(previous: str, seq: int, at: float, body: bytes) -> str:
    """The chain link of a snapshot taking the place of rows 1 to ``seq``."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (previous.encode(), str(seq).encode(), repr(at).encode(), SNAPSHOT.encode()):
        digest.update(part)
        digest.update(b"\x00")
    digest.update(body)
    return digest.hexdigest()


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
        in_memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        wal_missing = not in_memory and not os.path.exists(self.path + "-wal")
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open journal {self.path}: {exc}") from None
        try:
            self._open(wal_missing)
        except sqlite3.Error as exc:
            self._db.close()
            raise JournalError(
                f"cannot use journal {self.path}: {exc} (the service needs to read and write "
                "it, and the -wal and -shm files beside it)"
            ) from None
        except JournalError:
            self._db.close()
            raise
        # Closing marks the journal clean; also when a Journal is collected or the interpreter
        # exits without close() (not on a kill, which is the case the mark is there to catch).
        self._closer = weakref.finalize(self, _close, self._db, self._lock)

    def _open(self, wal_missing: bool) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise JournalError(f"journal {self.path} is damaged (SQLite quick_check: {check})")
        db.executescript(_SCHEMA)
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        found = meta.get("format")
        if meta.get("open") == "1" and wal_missing:
            raise JournalError(
                f"journal {self.path} was not closed cleanly and its write-ahead log "
                f"{self.path}-wal is missing: its last calls are lost; restore that file"
            )
        self._base = 0  # the journal position of the snapshot the rows follow (0: none)
        if found is None:
            db.execute("INSERT INTO meta VALUES ('format', ?)", (_FORMAT,))
            self._seq, self._head = 0, ""
        elif found == _FORMAT_1:
            self._upgrade()
        elif found not in (_FORMAT, _FORMAT_2):
            raise JournalError(f"{self.path} is not a swfobjects local journal ({found!r})")
        else:
            self._seq, self._head = self._verified_head()
            if found == _FORMAT_2:  # the snapshot table was just created, empty
                db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (_FORMAT,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('open', '1')")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # 'open' must reach the main file

    def _verified_head(self) -> tuple[int, str]:
        """Walk the chain from the snapshot (if any) and check it ends at the last row
        written; a break: JournalError."""
        seq, head = 0, ""
        snapshots = self._db.execute(
            "SELECT seq, at, body, previous, link FROM snapshot ORDER BY seq"
        ).fetchall()
        if len(snapshots) > 1:  # compaction replaces the snapshot in one transaction
            raise JournalError(
                f"journal {self.path} is damaged: it has {len(snapshots)} snapshots "
                f"(at rows {', '.join(str(row[0]) for row in snapshots)}), compaction keeps one"
            )
        if snapshots:
            snap_seq, at, body, previous, link = snapshots[0]
            if not isinstance(body, bytes) or link != _snapshot_link(previous, snap_seq, at, body):
                raise JournalError(
                    f"journal {self.path} is damaged: its snapshot at row {snap_seq} was changed"
                )
            self._base = seq = snap_seq
            head = link  # the rows after a snapshot chain on from its link
        for row_seq, at, operation, body, ids, link in self._db.execute(
            "SELECT seq, at, operation, body, ids, link FROM journal ORDER BY seq"
        ):
            if row_seq <= self._base:
                raise JournalError(
                    f"journal {self.path} is damaged: row {row_seq} precedes its snapshot at row "
                    f"{self._base} (compaction deletes those rows)"
                )
            if row_seq != seq + 1:
                raise JournalError(
                    f"journal {self.path} is damaged: row {seq + 1} is missing (next is {row_seq})"
                )
            expected = _link(head, row_seq, at, operation, body, ids)
            if link != expected:
                raise JournalError(
                    f"journal {self.path} is damaged: row {row_seq} ({operation or 'clock'}) "
                    "was changed"
                )
            seq, head = row_seq, expected
        # AUTOINCREMENT keeps the highest row number ever written in sqlite_sequence, updated
        # by the same statement as the row: a lost tail shows as a gap between the two.
        written = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'journal'"
        ).fetchone()
        last = 0 if written is None else int(written[0])
        if last != seq:
            raise JournalError(
                f"journal {self.path} is damaged: it ends at row {seq} but was written up to "
                f"row {last}"
            )
        return seq, head

    def _upgrade(self) -> None:
        """Give a format-1 journal's rows their links (one transaction)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            columns = [row[1] for row in db.execute("PRAGMA table_info(journal)")]
            if "link" not in columns:
                db.execute("ALTER TABLE journal ADD COLUMN link TEXT")
            seq, head = 0, ""
            rows = db.execute("SELECT seq, at, operation, body, ids FROM journal ORDER BY seq")
            for row_seq, at, operation, body, ids in rows.fetchall():
                head = _link(head, row_seq, at, operation, body, ids)
                db.execute("UPDATE journal SET link = ? WHERE seq = ?", (head, row_seq))
                seq = row_seq
            db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (_FORMAT,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._seq, self._head = seq, head

    def append(self, entry: JournalEntry) -> None:
        """Durably record ``entry`` (committed when this returns; nothing recorded if it raises
        ``sqlite3.Error``)."""
        ids = json.dumps(list(entry.ids))
        with self._lock:
            seq = self._seq + 1
            link = _link(self._head, seq, entry.at, entry.operation, entry.body, ids)
            self._db.execute(
                "INSERT INTO journal (seq, at, operation, body, ids, link) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (seq, entry.at, entry.operation, entry.body, ids, link),
            )
            self._seq, self._head = seq, link

    def compact(self, at: float, body: str) -> None:
        """Replace every row so far by ``body``, the model's state after them (model time
        ``at``), in one transaction: the snapshot takes the journal position of the last row,
        its link chains on from that row's, and the rows after it chain on from its link.
        Nothing changes if it raises ``sqlite3.Error``."""
        blob = zlib.compress(body.encode(), 1)  # JSON of histories shrinks ~15x, in ~20 ms/MB
        with self._lock:
            seq = self._seq
            link = _snapshot_link(self._head, seq, at, blob)
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM snapshot")
                db.execute("DELETE FROM journal WHERE seq <= ?", (seq,))
                db.execute(
                    "INSERT INTO snapshot (seq, at, body, previous, link) VALUES (?, ?, ?, ?, ?)",
                    (seq, at, blob, self._head, link),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self._base, self._head = seq, link

    def snapshot(self) -> tuple[float, str] | None:
        """The latest snapshot, ``(model time, model JSON)``; None before the first
        compaction. :meth:`entries` are the calls after it."""
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT at, body FROM snapshot ORDER BY seq DESC LIMIT 1"
                ).fetchone()
            except sqlite3.Error as exc:
                raise JournalError(f"cannot read journal {self.path}: {exc}") from None
        if row is None:
            return None
        try:
            return float(row[0]), zlib.decompress(row[1]).decode()
        except (zlib.error, UnicodeDecodeError, TypeError) as exc:
            raise JournalError(
                f"journal {self.path} is damaged: its snapshot is unreadable ({exc})"
            ) from None

    @property
    def since_snapshot(self) -> int:
        """How many rows follow the latest snapshot (all of them, before the first)."""
        return self._seq - self._base

    def vacuum(self) -> None:
        """Give the pages of deleted rows back to the file system (rewrites the file: for the
        offline ``swfobjects local compact``, not under a running service's lock)."""
        with self._lock:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def entries(self) -> Iterator[JournalEntry]:
        """Every recorded entry after the latest snapshot, oldest first."""
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT at, operation, body, ids FROM journal ORDER BY seq"
                ).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"cannot read journal {self.path}: {exc}") from None
        for at, operation, body, ids in rows:
            yield JournalEntry(at, operation, body, tuple(json.loads(ids)))

    def __len__(self) -> int:
        """How many rows the journal holds (after its snapshot, if any)."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM journal").fetchone()[0])

    def close(self) -> None:
        """Mark the journal closed cleanly and close the database."""
        self._closer()


def _close(db: sqlite3.Connection, lock: threading.Lock) -> None:
    with lock:
        try:
            db.execute("UPDATE meta SET value = '0' WHERE key = 'open'")
        except sqlite3.Error:
            pass  # left marked open: the next start checks its -wal file
        db.close()
