"""Fan-out / fan-in: 100 activities scheduled in parallel, combined with ``all_of``.

python -m samples.fanout [COUNT]
"""

from __future__ import annotations

import sys

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    all_of,
    decision_task,
)


class Squares(ActivityWorker, task_list="squares", version="1.0"):
    @activity_task(start_to_close_timeout=60)
    def square(self, n: int) -> int:
        return n * n


class SumOfSquares(Workflow, task_list="fanout", version="1.0"):
    squares = Squares.client()

    @decision_task
    async def run(self, count: int) -> int:
        # Every call is scheduled before the first await: SWF runs them in parallel
        # (the decider sends them in batches of up to 100 decisions per response).
        results = await all_of(*[self.squares.square(n) for n in range(1, count + 1)])
        return sum(results)


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else 100
    total = SerialExecutor().run(SumOfSquares, count)
    print(f"sum of squares 1..{count} = {total}")


if __name__ == "__main__":
    main(sys.argv[1:])
