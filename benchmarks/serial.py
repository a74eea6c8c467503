"""SerialExecutor throughput: activities per second for 10,000 sequential and 10,000
parallel no-op activities, framework overhead per activity, and peak memory.

    python -m benchmarks.serial [--quick] [--json FILE]

An SWF execution stops at 25,000 events, so the workflows continue as new every 1,000
sequential (2,000 parallel) activities, as a real workflow of this size must. Everything runs
in one thread: the in-memory SWF model, the decider (with its sticky cache)
and the activities (which do nothing), so the time per activity is the framework's overhead.
The determinism check (a profiling hook) is off, as in production deciders.
"""

from __future__ import annotations

import gc
import resource
import time
import tracemalloc

from benchmarks._histories import FanOutChain, SequentialChain
from benchmarks._report import exponent, finish, parser, print_table
from swfobjects import SerialExecutor


def run(workflow: type, n: int) -> dict[str, float]:
    gc.collect()  # start each measurement without the previous run's garbage
    executor = SerialExecutor(check_determinism=False)
    start = time.perf_counter()
    cpu = time.process_time()
    result = executor.run(workflow, n)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    assert result == n * (n - 1) // 2
    return {
        "activities": n,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "activities_per_second": n / seconds,
        "us_per_activity": seconds / n * 1e6,
    }


def peak_memory(workflow: type, n: int) -> float:
    tracemalloc.start()
    SerialExecutor(check_determinism=False).run(workflow, n)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    sizes = [200, 1_000] if args.quick else [1_000, 10_000]
    results = []
    rows = []
    for workflow in (SequentialChain, FanOutChain):
        for n in sizes:
            figures = run(workflow, n)
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
    finish(args, "serial", {"runs": results, "peak_mb": memory})


if __name__ == "__main__":
    main()
