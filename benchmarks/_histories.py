"""Workflows and real SWF-shaped histories for the benchmarks (recorded by the SerialExecutor)."""

from __future__ import annotations

from typing import Any

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    all_of,
    decision_task,
)


class Noop(ActivityWorker, task_list="bench-noop", version="1"):
    @activity_task(start_to_close_timeout=60)
    def noop(self, i: int) -> int:
        return i


class Sequential(
    Workflow, task_list="bench-seq", version="1", execution_start_to_close_timeout=86400
):
    noop = Noop.client()

    @decision_task
    async def run(self, n: int) -> int:
        total = 0
        for i in range(n):
            total += await self.noop.noop(i)
        return total


class FanOut(Workflow, task_list="bench-fan", version="1", execution_start_to_close_timeout=86400):
    noop = Noop.client()

    @decision_task
    async def run(self, n: int) -> int:
        return sum(await all_of(*[self.noop.noop(i) for i in range(n)]))


class SequentialChain(
    Workflow, task_list="bench-seq-chain", version="1", execution_start_to_close_timeout=86400
):
    """``n`` sequential activities, ``per_run`` per run, then continue-as-new (an SWF
    execution stops at 25,000 events, about 4,000 sequential activities)."""

    noop = Noop.client()

    @decision_task
    async def run(self, n: int, per_run: int = 1000, done: int = 0, total: int = 0) -> int:
        stop = min(n, done + per_run)
        for i in range(done, stop):
            total += await self.noop.noop(i)
        if stop < n:
            self.continue_as_new(n, per_run, stop, total)
        return total


class FanOutChain(
    Workflow, task_list="bench-fan-chain", version="1", execution_start_to_close_timeout=86400
):
    """``n`` activities in parallel batches of ``per_run``, one batch per run."""

    noop = Noop.client()

    @decision_task
    async def run(self, n: int, per_run: int = 2000, done: int = 0, total: int = 0) -> int:
        stop = min(n, done + per_run)
        total += sum(await all_of(*[self.noop.noop(i) for i in range(done, stop)]))
        if stop < n:
            self.continue_as_new(n, per_run, stop, total)
        return total


def record(workflow: type, n: int, **options: Any) -> list[dict[str, Any]]:
    """The full history of one run of ``workflow(n)``, events as the SWF API returns them."""
    executor = SerialExecutor(check_determinism=False, **options)
    handle = executor.start(workflow, n)
    handle.result()
    return handle.history()


def activities_for_events(workflow: type, events: int) -> int:
    """Roughly how many activities make a history of ``events`` events."""
    per_activity = 6 if workflow is Sequential else 3.1
    return max(1, int((events - 6) / per_activity))
