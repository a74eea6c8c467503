"""SerialExecutor throughput: activities per second for 10,000 sequential and 10,000
parallel no-op activities, framework overhead per activity, and peak memory.

    python -m benchmarks.serial [--quick] [--json FILE]

An SWF execution stops at 25,000 events, so the workflows continue as new every 1,000
sequential (2,000 parallel) activities, as a real workflow of this size must. Everything runs
in one thread: the in-memory SWF model, the decider (with its sticky cache)
and the activities (which do nothing), so the time per activity is the framework's overhead.
The determinism guard is on (the default, as in tests and production deciders). Each time is
the fastest of three runs.
"""

from __future__ import annotations

import gc
import resource
import time
import tracemalloc
from typing import Any

from benchmarks._histories import FanOutChain, SequentialChain
from benchmarks._report import exponent, finish, parser, print_table
from swfobjects import SerialExecutor

REPEAT = 3
"""Each figure is the fastest of this many runs (as ``timeit`` reports): on a shared machine
the slower runs measure the neighbours, not the code."""


def run(workflow: type, n: int, repeat: int = REPEAT) -> dict[str, float]:
    seconds = cpu = float("inf")
    for _ in range(repeat):
        gc.collect()  # start each measurement without the previous run's garbage
        executor = SerialExecutor()
        start = time.perf_counter()
        started_cpu = time.process_time()
        result = executor.run(workflow, n)
        seconds = min(seconds, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - started_cpu)
        assert result == n * (n - 1) // 2
    return {
        "activities": n,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "activities_per_second": n / seconds,
        "us_per_activity": seconds / n * 1e6,
    }


def model_share(workflow: type, n: int) -> tuple[float, float]:
    """(total, inside the in-memory SWF model's API calls), microseconds per activity.

    The SWF model stands in for Amazon SWF; this split says how much of the SerialExecutor's
    time is the emulated service and how much the framework (decider, activity runner, loop).
    Timed in a separate run: the timer around each call adds a little to both figures.
    """
    gc.collect()
    executor = SerialExecutor()
    inside = 0.0
    call = executor.model.call

    def timed_call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        nonlocal inside
        start = time.perf_counter()
        try:
            return call(operation, params)
        finally:
            inside += time.perf_counter() - start

    executor.model.call = timed_call  # type: ignore[method-assign]
    start = time.perf_counter()
    executor.run(workflow, n)
    total = time.perf_counter() - start
    return total / n * 1e6, inside / n * 1e6


def peak_memory(workflow: type, n: int) -> float:
    tracemalloc.start()
    SerialExecutor().run(workflow, n)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    sizes = [200, 1_000] if args.quick else [1_000, 10_000]
    repeat = 1 if args.quick else REPEAT
    results = []
    rows = []
    for workflow in (SequentialChain, FanOutChain):
        for n in sizes:
            figures = run(workflow, n, repeat)
            figures["workflow"] = workflow.__name__
            results.append(figures)
            rows.append(
                [workflow.__name__, n, figures["activities_per_second"], figures["us_per_activity"]]
            )
    print_table(
        "SerialExecutor, no-op activities",
        ["workflow", "activities", "activities/s", "us/activity"],
        rows,
    )
    for name in ("SequentialChain", "FanOutChain"):
        points = [(r["activities"], r["seconds"]) for r in results if r["workflow"] == name]
        print(
            f"  {name}: growth exponent {exponent(points[0], points[-1]):.2f} "
            f"(1.00 = linear in the number of activities)"
        )
    split = {}
    for workflow in (SequentialChain, FanOutChain):
        total, inside = model_share(workflow, sizes[0])
        split[workflow.__name__] = {"total_us": total, "swf_model_us": inside}
        print(
            f"  {workflow.__name__}, {sizes[0]:,} activities, timed per call: {total:.1f} "
            f"us/activity, of which {inside:.1f} in the in-memory SWF model's API calls "
            f"and {total - inside:.1f} in the framework"
        )
    n = sizes[-1]
    memory = {
        name: peak_memory(workflow, n)
        for name, workflow in (("SequentialChain", SequentialChain), ("FanOutChain", FanOutChain))
    }
    print(
        f"  peak traced memory for {n:,} activities: "
        + ", ".join(f"{name} {mb:.1f} MB" for name, mb in memory.items())
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  max RSS of this process: {rss_mb:.0f} MB")
    finish(args, "serial", {"runs": results, "peak_mb": memory, "split": split})


if __name__ == "__main__":
    main()
