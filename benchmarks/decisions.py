"""Total decider CPU over a whole sequential workflow of N activities, with and without the
sticky replay cache, and the growth exponent between sizes.

    python -m benchmarks.decisions [--quick] [--json FILE]

The workflow's real history is recorded once; then every decision task of the run is decided
again from the events SWF would deliver: without the cache each task replays the whole history
so far (what a stateless decider does, O(N^2) in total); with the cache one ``Decider`` per run
is fed only the new events (``DecisionHandler`` does this, keyed by run id and checked with
``previousStartedEventId``). Both must give identical decisions, which the script verifies.
The cached figure is the fastest of three passes.
"""

from __future__ import annotations

import gc
import json
import time
from typing import Any

from benchmarks._histories import Sequential, record
from benchmarks._report import exponent, finish, parser, print_table
from swfobjects.replay import Decider


def decision_points(events: list[dict[str, Any]]) -> list[int]:
    """Indexes just after each DecisionTaskStarted: the history a decider sees at that task."""
    return [i + 1 for i, event in enumerate(events) if event["eventType"] == "DecisionTaskStarted"]


def without_cache(events: list[dict[str, Any]], points: list[int]) -> tuple[float, list[Any]]:
    workflow = Sequential.workflow_type()
    out = []
    start = time.process_time()
    for end in points:
        decider = Decider(workflow, workflow_id="bench", run_id="run")
        decider.feed(events[:end])
        out.append(decider.decisions())
    return time.process_time() - start, out


def with_cache(
    events: list[dict[str, Any]], points: list[int], strict: bool = True
) -> tuple[float, list[Any]]:
    decider = Decider(Sequential.workflow_type(), workflow_id="bench", run_id="run", strict=strict)
    out = []
    previous = 0
    start = time.process_time()
    for end in points:
        decider.feed(events[previous:end])  # only the new events, as SWF can deliver them
        out.append(decider.decisions())
        previous = end
    return time.process_time() - start, out


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    sizes = [50, 200] if args.quick else [250, 1_000, 4_000]
    rows, results = [], []
    for n in sizes:
        events = json.loads(
            json.dumps(record(Sequential, n), default=lambda value: value.timestamp())
        )
        points = decision_points(events)
        # The recorded history is this script's fixture; a real decider holds only the pages
        # of the task at hand. Keep it out of the garbage collector's full scans.
        gc.collect()
        gc.freeze()
        cached_seconds, cached = min(
            (with_cache(events, points) for _ in range(3)), key=lambda timed: timed[0]
        )
        full_seconds, full = without_cache(events, points)
        gc.unfreeze()
        if cached != full:
            raise SystemExit(f"N={n}: cached and full replay decided differently")
        results.append(
            {
                "activities": n,
                "events": len(events),
                "decision_tasks": len(points),
                "cached_seconds": cached_seconds,
                "full_seconds": full_seconds,
            }
        )
        rows.append(
            [
                n,
                len(events),
                len(points),
                cached_seconds,
                full_seconds,
                cached_seconds / len(points) * 1e6,
            ]
        )
    print_table(
        "Decider CPU over a whole sequential workflow",
        ["activities", "events", "decisions", "cached s", "no-cache s", "cached us/decision"],
        rows,
    )
    for key, label in (("cached_seconds", "with cache"), ("full_seconds", "without cache")):
        for a, b in zip(results, results[1:], strict=False):
            k = exponent((a["activities"], a[key]), (b["activities"], b[key]))
            print(
                f"  {label}: exponent {k:.2f} between N={a['activities']:,} and "
                f"N={b['activities']:,}"
            )
    finish(args, "decisions", {"runs": results})


if __name__ == "__main__":
    main()
