"""``swfobjects local --db``: journal size and start-up time before and after compaction, and
how long a compaction holds the service's lock.

    python -m benchmarks.journal [--calls 20000] [--open 200] [--purged] [--quick] [--json FILE]

Builds a journal of ``--calls`` mutating calls through the service's engine (in-process, no
HTTP, as the service runs them): executions of one activity each (start, decision poll,
schedule, activity poll, complete, decision poll, complete workflow), plus ``--open``
executions left open with a started activity and an armed timer, so the state holds closed
histories, open tasks, tokens and timers. With ``--purged`` the clock then moves past the
domain's retention period (one day) and one journaled clock tick deletes the closed executions,
as the service does: what is left to snapshot is the open executions. Then measures, each the
fastest of three:

- start-up (open the journal, check its chain, replay it) of the full journal;
- an online compaction (``Engine.compact()``: the seconds every call waits);
- start-up from the snapshot;
- the file's size (with its ``-wal``) before, after the online compaction (SQLite reuses the
  freed pages, the file does not shrink) and after ``swfobjects local compact`` (VACUUM).
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import tempfile
import time
from typing import Any

from benchmarks._report import finish, parser, print_table
from swfobjects.local._compaction import compact_offline
from swfobjects.local._engine import Engine
from swfobjects.local._persistence import Journal

REPEAT = 3
RETENTION_SECONDS = 86_400  # the domain's retention: "1" day
DOMAIN = "bench"
WORKFLOW = {"name": "wf", "version": "1"}
ACTIVITY = {"name": "act", "version": "1"}


class _Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def _size(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def _setup(engine: Engine) -> None:
    engine.call("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    engine.call(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            **WORKFLOW,
            "defaultTaskList": {"name": "decisions"},
            "defaultExecutionStartToCloseTimeout": "864000",  # open ones outlive --purged's day
            "defaultTaskStartToCloseTimeout": "600",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    engine.call(
        "RegisterActivityType",
        {
            "domain": DOMAIN,
            **ACTIVITY,
            "defaultTaskList": {"name": "activities"},
            "defaultTaskScheduleToStartTimeout": "NONE",
            "defaultTaskScheduleToCloseTimeout": "NONE",
            "defaultTaskStartToCloseTimeout": "172800",
            "defaultTaskHeartbeatTimeout": "NONE",
        },
    )


def _decide(engine: Engine, decisions: list[dict[str, Any]]) -> None:
    task = engine.call(
        "PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "decisions"}}, wait=0
    )
    engine.call(
        "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions}
    )


def _schedule(i: int) -> list[dict[str, Any]]:
    attrs = {"activityType": ACTIVITY, "activityId": f"a{i}", "input": "x" * 100}
    return [
        {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attrs}
    ]


def build(path: str, calls: int, open_runs: int, purged: bool = False) -> int:
    """Write a journal of about ``calls`` rows; returns how many it has. ``purged``: end with
    the clock past the retention period, and the tick that deletes the closed executions."""
    clock = _Clock()
    engine = Engine(clock=clock, journal=Journal(path), poll_timeout=0)
    _setup(engine)
    for i in range(open_runs):  # open: a started activity and an armed timer each
        engine.call(
            "StartWorkflowExecution",
            {"domain": DOMAIN, "workflowId": f"open{i}", "workflowType": WORKFLOW},
        )
        timer = {"timerId": "t", "startToFireTimeout": "172800"}
        _decide(
            engine,
            [*_schedule(i), {"decisionType": "StartTimer", "startTimerDecisionAttributes": timer}],
        )
        engine.call("PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": "activities"}})
    assert engine.journal is not None
    i = 0
    while engine.journal.since_snapshot < calls:
        i += 1
        engine.call(
            "StartWorkflowExecution",
            {"domain": DOMAIN, "workflowId": f"w{i}", "workflowType": WORKFLOW, "input": "y" * 100},
        )
        _decide(engine, _schedule(i))
        task = engine.call(
            "PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": "activities"}}
        )
        engine.call("RespondActivityTaskCompleted", {"taskToken": task["taskToken"], "result": "r"})
        complete = {"decisionType": "CompleteWorkflowExecution"}
        _decide(engine, [complete])
    if purged:
        clock.now += RETENTION_SECONDS
        assert engine.advance() == i  # every closed execution; nothing of the open ones
    rows = engine.journal.since_snapshot
    engine.close()
    return rows


def start_up(path: str) -> tuple[float, Engine]:
    gc.collect()
    started = time.perf_counter()
    engine = Engine(clock=_Clock(), journal=Journal(path), poll_timeout=0)
    return time.perf_counter() - started, engine


def fastest_start_up(path: str) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        seconds, engine = start_up(path)
        engine.close()
        best = min(best, seconds)
    return best


def main() -> None:
    options = parser(__doc__.splitlines()[0])
    options.add_argument("--calls", type=int, default=20_000, help="journal rows (20,000)")
    options.add_argument("--open", type=int, default=200, help="executions left open (200)")
    options.add_argument(
        "--purged",
        action="store_true",
        help="move past the retention period first: closed executions are deleted",
    )
    args = options.parse_args()
    calls, open_runs = (300, 10) if args.quick else (args.calls, args.open)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "journal.sqlite")
        rows = build(path, calls, open_runs, args.purged)
        size_full = _size(path)
        startup_full = fastest_start_up(path)

        stalls = []
        for round_ in range(REPEAT):  # each on a fresh copy of the full journal
            copy = os.path.join(directory, f"copy{round_}.sqlite")
            shutil.copy(path, copy)
            _, engine = start_up(copy)
            stalls.append(engine.compact())
            engine.close()
        compacted = os.path.join(directory, "copy0.sqlite")
        size_online = _size(compacted)
        db = sqlite3.connect(compacted)
        snapshot_bytes = int(db.execute("SELECT length(body) FROM snapshot").fetchone()[0])
        db.close()
        startup_compacted = fastest_start_up(compacted)
        offline = compact_offline(compacted)
        size_vacuumed = _size(compacted)

    results = {
        "rows": rows,
        "open_executions": open_runs,
        "closed_executions_purged": args.purged,
        "bytes_full": size_full,
        "bytes_after_online_compaction": size_online,
        "bytes_after_offline_compaction": size_vacuumed,
        "snapshot_json_bytes": snapshot_bytes,
        "start_up_full_s": startup_full,
        "start_up_compacted_s": startup_compacted,
        "compaction_stall_s": min(stalls),
        "offline_compaction_s": offline.seconds,
    }
    print_table(
        f"journal of {rows:,} calls ({open_runs} open executions"
        + (", closed ones purged)" if args.purged else ")"),
        ["", "full journal", "compacted"],
        [
            ["file bytes (with -wal)", size_full, f"{size_online:,} / {size_vacuumed:,} vacuumed"],
            ["start-up s (fastest of 3)", startup_full, startup_compacted],
        ],
    )
    print(
        f"\nonline compaction (calls wait): {min(stalls):.3f} s (fastest of 3; "
        f"{', '.join(f'{s:.3f}' for s in stalls)}), snapshot {snapshot_bytes:,} bytes "
        "(zlib-compressed JSON)"
    )
    print(f"offline 'swfobjects local compact': {offline.seconds:.2f} s")
    finish(args, "journal", results)


if __name__ == "__main__":
    main()
