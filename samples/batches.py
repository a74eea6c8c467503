"""Continue-as-new: process 100,000 items in batches, keeping each run's history short.

    python -m samples.batches [ITEMS] [BATCH]

Each run handles a few batches (one activity per batch), then continues as a new run with
the cursor and the running total, long before SWF's 25,000-event limit.
"""

from __future__ import annotations

import sys

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task


class Summer(ActivityWorker, task_list="summer", version="1.0"):
    @activity_task(start_to_close_timeout=60)
    def sum_range(self, start: int, stop: int) -> int:
        return sum(range(start, stop))


class SumItems(Workflow, task_list="batches", version="1.0"):
    summer = Summer.client()
    batches_per_run = 10

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(
        self, items: int, batch: int, cursor: int = 0, total: int = 0, runs: int = 1
    ) -> dict[str, int]:
        for _ in range(self.batches_per_run):
            if cursor >= items:
                return {"total": total, "runs": runs}
            stop = min(items, cursor + batch)
            total += await self.summer.sum_range(cursor, stop)
            cursor = stop
        self.continue_as_new(items, batch, cursor=cursor, total=total, runs=runs + 1)


def main(argv: list[str]) -> None:
    items = int(argv[0]) if argv else 100_000
    batch = int(argv[1]) if len(argv) > 1 else 1_000
    result = SerialExecutor().run(SumItems, items, batch)
    print(f"sum of 0..{items - 1} = {result['total']} in {result['runs']} runs")


if __name__ == "__main__":
    main(sys.argv[1:])
