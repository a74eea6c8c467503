"""The concurrent front of the SWF model: one lock, long polls, a clock thread, a journal.

The model (``SwfModel``) is the one implementation of SWF semantics and is not thread-safe.
``Engine`` adds only what a shared service needs around it:

- every call runs under one lock, with the clock read once per call, so every event of one
  call carries the same timestamp and a journal replay reproduces it exactly;
- ``PollFor*Task`` waits (outside the lock) on a condition that the model's listeners wake,
  for up to ``poll_timeout`` seconds, and each task goes to exactly one poller because the
  hand-out happens under the lock;
- a background thread calls ``model.advance()`` when the next timer or timeout is due (and at
  least every ``tick`` seconds, so a clock that tests move by hand is noticed), so timeouts fire
  while nobody calls the service;
- with a :class:`~swfobjects.local._persistence.Journal`, every accepted mutating call is
  recorded before it is answered and replayed on start-up. Nothing becomes visible before it is
  durable: a call runs under the lock, and if its row cannot be written (read-only file, full
  disk) the model is rebuilt from the journal before the lock is released, and the call answers
  ``InternalFailure`` having changed nothing anyone could see. A call refused by a quota
  changed nothing and is not recorded; the quotas themselves are (when they change);
- the ``pollers`` quota: at most that many polls wait on one task list at once;
- a task is handed only to a poll whose client is still connected (``alive``), and a task whose
  answer could not be written (the client went away in between) is reported back through
  :meth:`Engine.undelivered` and times out at once, journaled (see
  :meth:`SwfModel.undelivered <swfobjects.model.SwfModel.undelivered>` for why not an undo);
- compaction: after ``compact_every`` journal rows, the model's snapshot replaces them (under
  the lock, as one more write: calls wait for it, see :meth:`Engine.compact`). A compaction
  that cannot be written changes nothing and is tried again ``compact_every`` rows later.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from ..model import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    SnapshotError,
    SwfFault,
    SwfModel,
    restore_json,
    snapshot_json,
)
from ..swf.limits import LONG_POLL_SECONDS, Quotas
from ._persistence import ADVANCE, QUOTAS, UNDELIVERED, Journal, JournalEntry, JournalError

__all__ = ["DEFAULT_COMPACT_EVERY", "Engine", "READ_ONLY", "POLLS", "check_compact_every"]

DEFAULT_COMPACT_EVERY = 10_000
"""Journal rows between two automatic compactions: a few MB of rows, about a second of replay
at start-up on a busy 2-core machine (``benchmarks/journal.py``)."""

POLLS = frozenset({"PollForDecisionTask", "PollForActivityTask"})
READ_ONLY = frozenset(
    {
        "CountClosedWorkflowExecutions",
        "CountOpenWorkflowExecutions",
        "CountPendingActivityTasks",
        "CountPendingDecisionTasks",
        "DescribeActivityType",
        "DescribeDomain",
        "DescribeWorkflowExecution",
        "DescribeWorkflowType",
        "GetWorkflowExecutionHistory",
        "ListActivityTypes",
        "ListClosedWorkflowExecutions",
        "ListDomains",
        "ListOpenWorkflowExecutions",
        "ListTagsForResource",
        "ListWorkflowTypes",
    }
)


def check_compact_every(value: object) -> int:
    """``value`` if it is a number of journal rows (0: never compact), else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"compact_every must be a number of journal rows (0: never), not {value!r}"
        )
    return value


def _wall_clock() -> float:
    return time.time()  # looked up per call, so freezegun's patch applies


class Engine:
    """Serve one :class:`SwfModel` to many threads.

    >>> engine = Engine(clock=lambda: 1000.0)
    >>> engine.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    {}
    >>> engine.call("PollForActivityTask", {"domain": "d", "taskList": {"name": "t"}}, wait=0)
    {'startedEventId': 0}
    """

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        journal: Journal | None = None,
        poll_timeout: float = LONG_POLL_SECONDS,
        tick: float = 0.05,
        account_id: str = DEFAULT_ACCOUNT_ID,
        quotas: Mapping[str, int] | Quotas | None = None,
        *,
        compact_every: int = 0,
        journal_quotas: bool = False,
    ) -> None:
        """``compact_every``: journal rows between compactions (0: never on its own).
        ``journal_quotas``: keep the quotas the journal says (ignore ``quotas``; for tools
        that open a journal without serving it)."""
        quotas = Quotas.from_mapping(quotas)
        check_compact_every(compact_every)
        self.clock = clock or _wall_clock
        self.journal = journal
        self.compact_every = compact_every
        self._compact_at = compact_every
        self.poll_timeout = poll_timeout
        self.tick = tick
        self._now = float(self.clock())
        self._ids: list[str] = []
        self._replay_ids: deque[str] | None = None
        self.account_id = account_id
        self.lock = threading.Lock()
        self._changed = threading.Condition(self.lock)
        self.model = self._new_model()
        self._closing = threading.Event()
        self._ticker: threading.Thread | None = None
        self._idle_polls: dict[tuple[str, str, str], int] = {}
        self.replayed = 0
        self.from_snapshot = False  # the journal had a snapshot (``replayed`` calls follow it)
        if journal is not None:
            with self.lock:  # the model's listeners notify, which needs the lock
                try:
                    self.replayed = self._replay()
                except JournalError:
                    journal.close()
                    raise
        if journal_quotas:
            quotas = self.model.quotas
        if self.model.quotas != quotas:  # the journal's last quotas (or SWF's) are not these
            self.model.quotas = quotas
            if journal is not None:  # a rebuild after a failed write replays them from here
                body = json.dumps(asdict(quotas), separators=(",", ":"))
                journal.append(JournalEntry(self._now, QUOTAS, body, ()))

    def _new_model(self) -> SwfModel:
        """A model with SWF's quotas: the journal's rows, or ``__init__``, set others."""
        model = SwfModel(clock=lambda: self._now, account_id=self.account_id)
        model.new_id = self._new_id
        model.listeners.append(self._changed.notify_all)
        return model

    # --- ids and journal ----------------------------------------------------------------

    def _new_id(self) -> str:
        if self._replay_ids is not None:
            return self._replay_ids.popleft()
        value = uuid.uuid4().hex
        self._ids.append(value)
        return value

    def _replay(self) -> int:
        """Restore the journal's snapshot into ``self.model`` and run the calls after it (the
        caller holds the lock); returns how many calls ran."""
        assert self.journal is not None
        count = 0
        snapshot = self.journal.snapshot()
        self.from_snapshot = snapshot is not None
        if snapshot is not None:
            self._now = snapshot[0]
            try:
                restore_json(self.model, snapshot[1])
            except SnapshotError as exc:
                raise JournalError(
                    f"journal {self.journal.path} has a snapshot this version cannot use: {exc}"
                ) from None
        for entry in self.journal.entries():
            self._now = entry.at
            self._replay_ids = deque(entry.ids)
            try:
                if entry.operation == ADVANCE:
                    self.model.advance()
                elif entry.operation == QUOTAS:
                    self.model.quotas = Quotas(**json.loads(entry.body))
                elif entry.operation == UNDELIVERED:
                    self.model.undelivered(entry.body)
                else:
                    self.model.call(entry.operation, json.loads(entry.body))
            except SwfFault:
                pass  # refused then, refused again: journaled because it might mutate
            count += 1
        self._replay_ids = None
        return count

    def _record(
        self, operation: str, params: dict[str, Any] | None, *, body: str | None = None
    ) -> None:
        """Journal what the model just did (the caller holds the lock); if the row cannot be
        written, undo it by rebuilding the model from the journal, and refuse the call.
        ``body``: the row's text when it is not the JSON of ``params``."""
        if self.journal is not None:
            if body is None:
                body = "" if params is None else json.dumps(params, separators=(",", ":"))
            try:
                self.journal.append(JournalEntry(self._now, operation, body, tuple(self._ids)))
            except sqlite3.Error as exc:
                self._ids = []
                now = self._now
                self.model = self._new_model()
                self.replayed = self._replay()
                self._now = now
                raise SwfFault(
                    "InternalFailure",
                    f"the journal {self.journal.path} could not record "
                    f"{operation or 'a clock tick'} ({exc}); nothing was changed",
                    500,
                ) from None
            if self.compact_every and self.journal.since_snapshot >= self._compact_at:
                self._compact_now()
        self._ids = []

    def compact(self) -> float:
        """Replace the journal's rows by a snapshot of the model now; returns the seconds it
        took, during which every call waits (it runs under the lock, as a call does).
        :class:`JournalError` if it cannot be written (then nothing changed)."""
        if self.journal is None:
            raise ValueError("there is no journal to compact (the service runs in memory)")
        with self.lock:
            started = time.perf_counter()
            try:
                self.journal.compact(self._now, snapshot_json(self.model))
            except sqlite3.Error as exc:
                raise JournalError(f"cannot compact journal {self.journal.path}: {exc}") from None
            self._compact_at = self.compact_every
            return time.perf_counter() - started

    def _compact_now(self) -> None:
        """Compact after ``compact_every`` rows (the caller holds the lock). A failure is
        reported and changes nothing: the rows stay and the next try is ``compact_every`` rows
        later, so a full disk does not make every call try again."""
        assert self.journal is not None
        try:
            self.journal.compact(self._now, snapshot_json(self.model))
        except sqlite3.Error as exc:
            self._compact_at = self.journal.since_snapshot + self.compact_every
            print(
                f"swfobjects local: could not compact journal {self.journal.path} ({exc}); "
                "its rows are kept",
                file=sys.stderr,
            )
        else:
            self._compact_at = self.compact_every

    # --- calls --------------------------------------------------------------------------

    def _begin(self) -> None:
        """Read the clock for this call and fire whatever came due (journaled)."""
        self._now = float(self.clock())
        self._ids = []
        if self.model.advance():
            self._record(ADVANCE, None)

    def _call_locked(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self._begin()
        mutating = operation not in READ_ONLY and operation not in POLLS
        try:
            result = self.model.call(operation, params)
        except SwfFault as fault:
            if mutating and fault.code != "LimitExceededFault":  # a quota refuses before any change
                self._record(operation, params)
            raise
        if mutating or (
            operation in POLLS and result.get("taskToken") and not params.get("nextPageToken")
        ):
            self._record(operation, params)
        return result

    def call(
        self,
        operation: str,
        params: dict[str, Any],
        wait: float | None = None,
        region: str | None = None,
        alive: Callable[[], bool] | None = None,
    ) -> dict[str, Any]:
        """Run one SWF operation; polls wait up to ``wait`` (default ``poll_timeout``) seconds.

        ``region`` is the region the request was signed for: ARNs in the answer name it.
        ``alive`` says whether the polling client is still connected: a waiting poll whose
        client has gone (a killed worker) ends empty instead of taking the next task, which
        would otherwise be lost until its start-to-close timeout.

        Raises :class:`SwfFault` with SWF's error code; anything else is a bug, reported as
        SWF's ``InternalFailure`` so the service keeps serving.
        """
        try:
            if operation in POLLS:
                wait = self.poll_timeout if wait is None else wait
                return self._poll(operation, params, wait, alive)
            with self.lock:
                self.model.region = region or DEFAULT_REGION
                return self._call_locked(operation, params)
        except SwfFault:
            raise
        except Exception as exc:  # a bug in the model must not take the service down
            traceback.print_exc(file=sys.stderr)
            raise SwfFault(
                "InternalFailure", f"internal error in {operation}: {exc!r}", 500
            ) from None

    def _poll(
        self,
        operation: str,
        params: dict[str, Any],
        wait: float,
        alive: Callable[[], bool] | None,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + wait
        decisions = operation == "PollForDecisionTask"
        with self._changed:
            if alive is not None and not params.get("nextPageToken"):
                # A poll that finds a task at once is checked too (the socket only when a
                # task waits): its client may have died while the request waited for a
                # thread or for this lock.
                named = params.get("taskList")
                name = named.get("name") if isinstance(named, dict) else None
                if self._ready(decisions, params.get("domain"), name) and not alive():
                    return {}  # nobody reads it; the task stays queued for a live poller
            result = self._call_locked(operation, params)
            if result.get("taskToken") or params.get("nextPageToken"):
                return result
            domain, task_list = params["domain"], params["taskList"]["name"]
            key = (operation, domain, task_list)
            idle = self._idle_polls.get(key, 0)
            limit = self.model.quotas.pollers
            if idle >= limit:
                raise SwfFault(
                    "LimitExceededFault",
                    f"{limit} polls already wait on task list {task_list} of domain {domain} "
                    "(the pollers quota; spread polls over more task lists, or --quota pollers=N)",
                )
            self._idle_polls[key] = idle + 1
            try:
                while not self._closing.is_set():
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._changed.wait(remaining)
                    if self._ready(decisions, domain, task_list):
                        if alive is not None and not alive():
                            break  # the client is gone: leave the task to a live poller
                        result = self._call_locked(operation, params)
                        if result.get("taskToken"):
                            return result
                return result
            finally:
                left = self._idle_polls[key] - 1
                if left:
                    self._idle_polls[key] = left
                else:
                    del self._idle_polls[key]

    def _ready(self, decisions: bool, domain: Any, task_list: Any) -> bool:
        """Whether a poll on ``task_list`` would get a task now (False for malformed names:
        the call itself then answers SWF's validation error)."""
        if not isinstance(domain, str) or not isinstance(task_list, str):
            return False
        model = self.model  # read each time: a failed journal write replaces it
        ready = model.has_decision_task if decisions else model.has_activity_task
        return ready(domain, task_list)

    def undelivered(self, operation: str, params: dict[str, Any], result: dict[str, Any]) -> bool:
        """The answer ``result`` of the poll ``operation`` could not be written to its client.

        If it handed over a task (the first page of a decision task, or an activity task),
        that task times out now, recorded and journaled like any state change, so a live
        poller (or the decider, for an activity) gets on with it instead of waiting for the
        start-to-close timeout. A later history page (``nextPageToken``) hands over nothing:
        the decider still holds the task and may ask for the page again. Returns whether a
        task was timed out.
        """
        token = result.get("taskToken")
        if operation not in POLLS or not isinstance(token, str) or params.get("nextPageToken"):
            return False
        with self.lock:
            self._begin()
            if not self.model.undelivered(token):
                return False
            self._record(UNDELIVERED, None, body=token)
            return True

    # --- time ---------------------------------------------------------------------------

    def advance(self) -> int:
        """Fire the timers and timeouts due now; returns how many fired."""
        with self.lock:
            self._now = float(self.clock())
            self._ids = []
            fired = self.model.advance()
            if fired:
                self._record(ADVANCE, None)
            return fired

    def _tick_loop(self) -> None:
        while not self._closing.is_set():
            try:
                self.advance()
                with self.lock:
                    due = self.model.next_due()
                    delay = self.tick if due is None else min(max(due - self._now, 0.0), self.tick)
            except Exception:  # keep ticking: a failed tick must not stop all timeouts
                traceback.print_exc(file=sys.stderr)
                delay = self.tick
            self._closing.wait(delay)

    def start(self) -> None:
        """Start the clock thread."""
        if self._ticker is None:
            self._ticker = threading.Thread(
                target=self._tick_loop, name="swfobjects-local-clock", daemon=True
            )
            self._ticker.start()

    def close(self) -> None:
        """Stop the clock thread and wake every waiting poll (they answer empty)."""
        self._closing.set()
        with self._changed:
            self._changed.notify_all()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self.journal is not None:
            self.journal.close()
