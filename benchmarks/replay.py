"""Full replay cost: microseconds per history event and peak memory, for sequential and
fan-out workflows at 1,000, 5,000 and 25,000 events.

    python -m benchmarks.replay [--quick] [--json FILE]

Histories are real: recorded by running the workflows on the SerialExecutor. Replay is a fresh
``Decider`` fed the whole history (what a decider without a cache does on every task).
Memory: tracemalloc's peak during replay, next to the memory of the history's own event dicts
(the same events parsed from JSON, as a client holds them).
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from typing import Any

from benchmarks._histories import FanOut, Sequential, activities_for_events, record
from benchmarks._report import exponent, finish, parser, print_table
from swfobjects.replay import Decider


def replay_once(workflow: type, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    decider = Decider(workflow.workflow_type(), workflow_id="bench", run_id="run")
    decider.feed(events)
    return decider.decisions()


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
    args = parser(__doc__.splitlines()[0]).parse_args()
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
