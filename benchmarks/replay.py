"""Full replay cost: microseconds per history event and peak memory, for sequential and
fan-out workflows at 1,000, 5,000 and 25,000 events.

    python -m benchmarks.replay [--quick] [--json FILE]
    python -m benchmarks.replay --guard-ratio [--rounds N]
    python -m benchmarks.replay --compare [SIMPLEFLOW_PYTHON] [--rounds N | --instructions]

Histories are real: recorded by running the workflows on the SerialExecutor. Replay is a fresh
``Decider`` fed the whole history (what a decider without a cache does on every task), with
the determinism guard on (the default). Memory: tracemalloc's peak during replay, next to the
memory of the history's own event dicts (the same events parsed from JSON, as a client holds
them).

``--guard-ratio``: what the determinism guard costs, guarded and unguarded runs alternated in
this process: full replay of 664 sequential activities (3,987 events) and of a fan-out of 332,
and every decision of the sequential run through one cached ``Decider`` (the sticky cache: per
decision, only the new events). Best of ``--rounds`` each; prints the ratios.

``--compare``: swfobjects against simpleflow on the same two histories, alternately: a
simpleflow process (``benchmarks/_simpleflow_replay.py``, run by a Python that has simpleflow,
default ``$SIMPLEFLOW_PYTHON``; e.g. ``python -m venv /tmp/sfvenv && /tmp/sfvenv/bin/pip install
simpleflow``) replays its translation of each history while this one replays the original.
Both replay the history cut after its last ``DecisionTaskStarted`` (what a decider is given).
With ``--instructions`` (needs valgrind), each side's single replay is counted in instructions
under callgrind instead: a figure the machine's drift does not move.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks._histories import FanOut, Sequential, activities_for_events, record
from benchmarks._report import exponent, finish, parser, print_table
from benchmarks.decisions import decision_points, with_cache
from swfobjects.replay import Decider

SIDE_BY_SIDE = ((Sequential, 664), (FanOut, 332))
"""The histories of issue 17: 664 sequential activities (3,987 events), a fan-out of 332."""


def replay_once(
    workflow: type, events: list[dict[str, Any]], strict: bool = True
) -> list[dict[str, Any]]:
    decider = Decider(workflow.workflow_type(), workflow_id="bench", run_id="run", strict=strict)
    decider.feed(events)
    return decider.decisions()


def recorded(workflow: type, n: int) -> list[dict[str, Any]]:
    """The history of ``workflow(n)`` as a client holds it (parsed JSON), cut after its last
    ``DecisionTaskStarted``: what a decider is asked to decide."""
    raw = json.loads(json.dumps(record(workflow, n), default=lambda value: value.timestamp()))
    return raw[: decision_points(raw)[-1]]


def alternate(rounds: int, **runs: Callable[[], float]) -> dict[str, float]:
    """Best seconds of each run, the runs alternated ``rounds`` times (this machine drifts by
    up to 40% from minute to minute; alternating puts each pair in the same minute)."""
    return {name: min(times) for name, times in alternated(rounds, **runs).items()}


def alternated(rounds: int, **runs: Callable[[], float]) -> dict[str, list[float]]:
    """Seconds of each run in each of ``rounds`` rounds, the runs alternated within a round."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            gc.collect()
            times[name].append(run())
    return times


def paired_ratio(slower: list[float], faster: list[float]) -> float:
    """The median over rounds of ``slower / faster`` measured in the same round.

    The best of each side may come from different minutes of a drifting machine (the best of
    one from a quiet minute, of the other from a busy one); a ratio taken within a round
    compares two runs seconds apart, and the median ignores the rounds a burst hit.
    """
    return statistics.median(s / f for s, f in zip(slower, faster, strict=True))


def timed(run: Callable[[], object]) -> Callable[[], float]:
    def seconds() -> float:
        start = time.process_time()  # CPU time: other processes on the cores count less
        run()
        return time.process_time() - start

    return seconds


def guard_ratio(rounds: int) -> dict[str, Any]:
    """The determinism guard's cost: guarded / unguarded, full replay and cached decisions."""
    rows, results = [], []
    for workflow, n in SIDE_BY_SIDE:
        events = recorded(workflow, n)
        if replay_once(workflow, events) != replay_once(workflow, events, strict=False):
            raise SystemExit(f"{workflow.__name__}: guarded and unguarded replay differ")
        best = alternate(
            rounds,
            guarded=timed(lambda w=workflow, e=events: replay_once(w, e)),
            unguarded=timed(lambda w=workflow, e=events: replay_once(w, e, strict=False)),
        )
        per = {k: v / len(events) * 1e6 for k, v in best.items()}
        ratio = best["guarded"] / best["unguarded"]
        results.append({"what": f"full replay, {workflow.__name__}", "events": len(events), **per})
        rows.append(
            [
                f"full replay, {workflow.__name__} ({n})",
                len(events),
                "us/event",
                per["unguarded"],
                per["guarded"],
                ratio,
            ]
        )
    events = recorded(Sequential, 664)
    points = decision_points(events)
    best = alternate(
        rounds,
        guarded=lambda: with_cache(events, points)[0],
        unguarded=lambda: with_cache(events, points, strict=False)[0],
    )
    per = {k: v / len(points) * 1e6 for k, v in best.items()}
    ratio = best["guarded"] / best["unguarded"]
    results.append({"what": "cached decisions, Sequential", "decisions": len(points), **per})
    rows.append(
        [
            "cached decision, Sequential (664)",
            len(points),
            "us/decision",
            per["unguarded"],
            per["guarded"],
            ratio,
        ]
    )
    print_table(
        f"Determinism guard cost (best of {rounds}, alternated)",
        ["what", "units", "per", "unguarded", "guarded", "ratio"],
        rows,
    )
    return {"guard_ratio": results}


def instructions(python: str) -> dict[str, Any]:
    """swfobjects vs simpleflow in instructions per event (callgrind), one replay each.

    Wall time on a shared machine drifts by up to 2x between minutes, and the drift lands on
    whichever side runs then; the number of instructions a replay executes does not drift.
    Each side runs its script twice under ``valgrind --tool=callgrind``, identical but for
    the measured replay (see ``benchmarks/_replay_once.py``); the difference is that replay.
    Instructions are not time (cache misses are not counted), so this complements the
    alternated wall-time ratio rather than replacing it.
    """
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    histories = {w.__name__: recorded(w, n) for w, n in SIDE_BY_SIDE}
    here = os.path.dirname(os.path.abspath(__file__))
    sides = {
        "swfobjects": [sys.executable, os.path.join(here, "_replay_once.py")],
        "simpleflow": [python, os.path.join(here, "_simpleflow_replay.py")],
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONHASHSEED"] = "0"  # the same dict and set layouts on every run

    def count(command: list[str]) -> int:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"{' '.join(command)} failed under valgrind:\n{done.stderr[-2000:]}")
        return int(found.group(1))

    rows, results = [], []
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(histories, handle)
    try:
        for workflow, n in SIDE_BY_SIDE:
            name, events = workflow.__name__, len(histories[workflow.__name__])
            per: dict[str, float] = {}
            for side, command in sides.items():
                args = [*command, handle.name, "--once", name]
                per[side] = (count(args) - count([*args, "--skip"])) / events
            ratio = per["simpleflow"] / per["swfobjects"]
            results.append({"workflow": name, "activities": n, "events": events, **per})
            rows.append([f"{name} ({n})", events, per["swfobjects"], per["simpleflow"], ratio])
    finally:
        os.unlink(handle.name)
    print_table(
        "Full replay, instructions per event (callgrind; swfobjects with its guard on)",
        ["workflow", "events", "swfobjects", "simpleflow", "simpleflow/swfobjects"],
        rows,
    )
    return {"instructions": results}


def compare(python: str, rounds: int) -> dict[str, Any]:
    """swfobjects vs simpleflow, full replay of the same histories, alternated."""
    histories = {w.__name__: recorded(w, n) for w, n in SIDE_BY_SIDE}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(histories, handle)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_simpleflow_replay.py")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # its own packages only
    try:
        child = subprocess.Popen(
            [python, script, handle.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
    except OSError as error:
        raise SystemExit(
            f"cannot run simpleflow's Python {python!r} ({error}); create one: "
            "python -m venv /tmp/sfvenv && /tmp/sfvenv/bin/pip install simpleflow, "
            "then --compare /tmp/sfvenv/bin/python"
        ) from error
    assert child.stdin is not None and child.stdout is not None
    try:
        if child.stdout.readline().strip() != "ready":
            raise SystemExit("simpleflow could not replay the histories (its error is above)")
        stdin, stdout = child.stdin, child.stdout

        def simpleflow(name: str) -> float:
            stdin.write(name + "\n")
            stdin.flush()
            return float(stdout.readline())

        rows, results = [], []
        for workflow, n in SIDE_BY_SIDE:
            name, events = workflow.__name__, histories[workflow.__name__]
            times = alternated(
                rounds,
                swfobjects=timed(lambda w=workflow, e=events: replay_once(w, e)),
                simpleflow=lambda name=name: simpleflow(name),
            )
            per = {k: min(v) / len(events) * 1e6 for k, v in times.items()}
            ratio = min(times["simpleflow"]) / min(times["swfobjects"])
            paired = paired_ratio(times["simpleflow"], times["swfobjects"])
            results.append(
                {
                    "workflow": name,
                    "activities": n,
                    "events": len(events),
                    **per,
                    "ratio": ratio,
                    "paired_ratio": paired,
                }
            )
            rows.append(
                [f"{name} ({n})", len(events), per["swfobjects"], per["simpleflow"], ratio, paired]
            )
    finally:
        child.stdin.close()
        child.wait(timeout=60)
        os.unlink(handle.name)
    print_table(
        f"Full replay, us/event (best of {rounds}, alternated; swfobjects with its guard on; "
        "paired: the median of each round's ratio)",
        ["workflow", "events", "swfobjects", "simpleflow", "simpleflow/swfobjects", "paired"],
        rows,
    )
    return {"compare": results}


def measure(workflow: type, target: int, repeats: int) -> dict[str, Any]:
    history = record(workflow, activities_for_events(workflow, target))
    raw = json.loads(json.dumps(history, default=lambda value: value.timestamp()))
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        replay_once(workflow, raw)
        best = min(best, time.perf_counter() - start)
    text = json.dumps(raw)
    gc.collect()
    tracemalloc.start()
    parsed = json.loads(text)
    history_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    replay_once(workflow, parsed)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return {
        "workflow": workflow.__name__,
        "events": len(raw),
        "seconds": best,
        "us_per_event": best / len(raw) * 1e6,
        "history_mb": history_bytes / 2**20,
        "replay_peak_mb": peak / 2**20,
        "memory_ratio": peak / history_bytes,
    }


def main() -> None:
    options = parser(__doc__.splitlines()[0])
    options.add_argument("--guard-ratio", action="store_true", help="the determinism guard's cost")
    options.add_argument(
        "--compare",
        nargs="?",
        const=os.environ.get("SIMPLEFLOW_PYTHON", ""),
        metavar="SIMPLEFLOW_PYTHON",
        help="replay simpleflow's translation of the same histories with this Python",
    )
    options.add_argument(
        "--instructions",
        action="store_true",
        help="with --compare: instructions per event under callgrind instead of time",
    )
    options.add_argument("--rounds", type=int, default=15, help="alternations (default 15)")
    args = options.parse_args()
    if args.guard_ratio or args.compare is not None:
        results: dict[str, Any] = {}
        if args.guard_ratio:
            results.update(guard_ratio(args.rounds))
        if args.compare is not None:
            if not args.compare:
                raise SystemExit(
                    "--compare needs simpleflow's Python: --compare PATH or "
                    "$SIMPLEFLOW_PYTHON (python -m venv /tmp/sfvenv && "
                    "/tmp/sfvenv/bin/pip install simpleflow)"
                )
            if args.instructions:
                results.update(instructions(args.compare))
            else:
                results.update(compare(args.compare, args.rounds))
        finish(args, "replay", results)
        return
    sizes = [300, 1_000] if args.quick else [1_000, 5_000, 25_000]
    repeats = 1 if args.quick else 3
    results = [
        measure(workflow, size, repeats) for workflow in (Sequential, FanOut) for size in sizes
    ]
    rows = [
        [
            r["workflow"],
            r["events"],
            r["us_per_event"],
            r["history_mb"],
            r["replay_peak_mb"],
            r["memory_ratio"],
        ]
        for r in results
    ]
    print_table(
        "Full replay",
        ["workflow", "events", "us/event", "history MB", "replay peak MB", "peak/history"],
        rows,
    )
    for name in ("Sequential", "FanOut"):
        points = [(r["events"], r["seconds"]) for r in results if r["workflow"] == name]
        print(
            f"  {name}: growth exponent {exponent(points[0], points[-1]):.2f} "
            f"({points[0][0]:,} -> {points[-1][0]:,} events; 1.00 = linear)"
        )
    finish(args, "replay", {"runs": results})


if __name__ == "__main__":
    main()
