"""Child workflows, signals, cancellation, timeouts, markers, continue-as-new and patches,
on every executor (SWF features moto lacks are declared and skipped there)."""

from __future__ import annotations

import random
import time

import pytest

from swfobjects import (
    ActivityWorker,
    Workflow,
    activity_task,
    all_of,
    cached,
    decision_task,
    nondeterministic,
    signal,
)
from swfobjects.exceptions import ChildWorkflowFailedError, WorkflowCancelledError

TIMEOUTS = {"execution_start_to_close_timeout": 120, "task_start_to_close_timeout": 10}
"""Short workflow timeouts, so a stuck test fails fast on the SWF executors."""

pytestmark = pytest.mark.e2e


class Packing(ActivityWorker, task_list="adv-packing"):
    @activity_task(start_to_close_timeout=30)
    def pack(self, item: str) -> str:
        return f"packed {item}"

    @activity_task(start_to_close_timeout=30)
    def explode(self, item: str) -> str:
        raise ValueError(f"cannot pack {item}")


class PackOne(
    Workflow,
    task_list="adv-child",
    **TIMEOUTS,
):
    packing = Packing.client()

    @decision_task
    async def run(self, item: str) -> str:
        if item == "bomb":
            return await self.packing.explode(item)
        return await self.packing.pack(item)


class PackAll(
    Workflow,
    task_list="adv-parent",
    **TIMEOUTS,
):
    child = PackOne.client()

    @decision_task
    async def run(self, items: list[str]) -> list[str]:
        results = []
        for promise in [self.child.run(item) for item in items]:
            try:
                results.append(await promise)
            except ChildWorkflowFailedError as error:
                results.append(f"child failed: {error.details.type_name}")
        return results


@pytest.mark.swf_features("child_workflows")
def test_children_run_in_parallel_and_report_failures(executor):
    assert executor.run(PackAll, ["a", "bomb", "c"]) == [
        "packed a",
        "child failed: ValueError",
        "packed c",
    ]


class Approval(
    Workflow,
    task_list="adv-approval",
    **TIMEOUTS,
):
    def __init__(self) -> None:
        self.approvers: list[str] = []

    @signal
    def approve(self, by: str) -> None:
        self.approvers.append(by)

    @decision_task
    async def run(self, needed: int) -> list[str]:
        await self.wait_for(lambda: len(self.approvers) >= needed)
        return self.approvers


def test_signals_arrive_in_order_and_unblock_wait_for(executor):
    handle = executor.start(Approval, 2)
    handle.signal("approve", by="alice")
    handle.signal(Approval.approve, by="bob")
    assert handle.result() == ["alice", "bob"]


class Deadline(
    Workflow,
    task_list="adv-deadline",
    **TIMEOUTS,
):
    def __init__(self) -> None:
        self.approved = False

    @signal
    def approve(self) -> None:
        self.approved = True

    @decision_task
    async def run(self, seconds: int) -> str:
        try:
            async with self.timeout(seconds):
                await self.wait_for(lambda: self.approved)
        except TimeoutError:
            return "expired"
        return "approved"


@pytest.mark.swf_features("cancel_timer")
def test_timeout_scope_expires_without_a_signal(executor):
    assert executor.run(Deadline, 1) == "expired"


class Waits(
    Workflow,
    task_list="adv-cancel",
    **TIMEOUTS,
):
    packing = Packing.client()

    @decision_task
    async def run(self) -> str:
        try:
            await self.wait_for(lambda: False)  # only a cancellation gets us out
        finally:
            await self.packing.pack("cleanup")
        return "finished"


def _wait_for_first_decision(executor, handle):
    if executor.name == "serial":
        executor.executor.run_until_idle()
        return
    deadline = time.time() + 30
    while not any(e["eventType"] == "DecisionTaskCompleted" for e in handle.history()):
        assert time.time() < deadline
        time.sleep(0.05)


@pytest.mark.swf_features("cancel_workflow")
def test_cancel_runs_cleanup_and_closes_as_canceled(executor):
    handle = executor.start(Waits)
    _wait_for_first_decision(executor, handle)
    handle.cancel()
    with pytest.raises(WorkflowCancelledError):
        handle.result()
    kinds = [e["eventType"] for e in handle.history()]
    assert "ActivityTaskCompleted" in kinds and kinds[-1] == "WorkflowExecutionCanceled"


class Lottery(
    Workflow,
    task_list="adv-lottery",
    **TIMEOUTS,
):
    packing = Packing.client()

    def __init__(self) -> None:
        self.lookups = 0

    @nondeterministic
    def draw(self) -> int:
        return random.randint(1, 10**9)

    @cached
    def price(self, item: str) -> int:
        return len(item) * 100

    @decision_task
    async def run(self) -> list[int | bool]:
        first = self.draw()
        await self.packing.pack("x")  # forces a replay of the code above
        again = self.price("abc") + self.price("abc")
        await self.packing.pack("y")
        return [first, again, self.draw() != first]


def test_marker_values_survive_replay(executor):
    handle = executor.start(Lottery)
    first, prices, _ = handle.result()
    assert prices == 600
    events = handle.history()
    markers = [e for e in events if e["eventType"] == "MarkerRecorded"]
    names = [e["markerRecordedEventAttributes"]["markerName"] for e in markers]
    assert (
        names[0] == "nd.1.draw"
        and str(first) in markers[0]["markerRecordedEventAttributes"]["details"]
    )
    assert sum(name.startswith("cache.price.") for name in names) == 1


class Countdown(
    Workflow,
    task_list="adv-countdown",
    **TIMEOUTS,
):
    @decision_task
    async def run(self, n: int, total: int = 0) -> int:
        if n == 0:
            return total
        self.continue_as_new(n - 1, total=total + n)


@pytest.mark.swf_features("continue_as_new")
def test_continue_as_new_follows_the_chain(executor):
    handle = executor.start(Countdown, 3)
    first_run = handle.run_id
    assert handle.result() == 6
    assert handle.run_id != first_run


class Patched(
    Workflow,
    task_list="adv-patched",
    **TIMEOUTS,
):
    packing = Packing.client()

    @decision_task
    async def run(self) -> list[str]:
        steps = [await self.packing.pack("a")]
        if self.patched("add-gift-wrap"):
            steps.append(await self.packing.pack("gift"))
        return steps


def test_new_executions_take_the_patched_path(executor):
    assert executor.run(Patched) == ["packed a", "packed gift"]


class FanOutChildren(
    Workflow,
    task_list="adv-fan",
    **TIMEOUTS,
):
    child = PackOne.client()

    @decision_task
    async def run(self, n: int) -> int:
        return len(await all_of(*[self.child.run(str(i)) for i in range(n)]))


@pytest.mark.swf_features("child_workflows")
def test_many_children(executor):
    assert executor.run(FanOutChildren, 12) == 12
