"""Worker limits: concurrency, per-worker and per-task-list rates, graceful shutdown.

The rate limiter is tested on a fake clock; the limits themselves on an SWFExecutor against
``swfobjects local`` (real pollers, real threads), with small numbers so each test takes
about a second.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from swfobjects import ActivityWorker, SWFExecutor, Workflow, activity_task, all_of, decision_task
from swfobjects.exceptions import CancelledError
from swfobjects.worker._limits import ActivityLimits, RateLimit

TIMEOUTS = {"execution_start_to_close_timeout": 60, "task_start_to_close_timeout": 10}


class Recorder(ActivityWorker, task_list="limits-work", version="1.0"):
    """Records when each task started and how many ran at once."""

    def __init__(self, hold: float = 0.0) -> None:
        self.hold = hold
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.starts: list[float] = []
        self.cancelled = threading.Event()

    @activity_task(start_to_close_timeout=30)
    def work(self, n: int) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.starts.append(time.monotonic())
        try:
            time.sleep(self.hold)
            return n
        finally:
            with self.lock:
                self.running -= 1

    @activity_task(start_to_close_timeout=30, heartbeat_timeout=30)
    def wait_for_cancel(self, n: int) -> int:
        while not self.heartbeat(n):
            time.sleep(0.02)
        self.cancelled.set()
        raise CancelledError("asked to stop")


class LimitsFanOut(Workflow, task_list="limits-decide", version="1.0", **TIMEOUTS):
    recorder = Recorder.client()

    @decision_task
    async def run(self, count: int) -> int:
        return sum(await all_of(*(self.recorder.work(n) for n in range(count))))


class WaitsForCancel(Workflow, task_list="limits-decide-wait", version="1.0", **TIMEOUTS):
    recorder = Recorder.client()

    @decision_task
    async def run(self) -> int:
        return await self.recorder.wait_for_cancel(1)


@pytest.fixture
def executor(local_swf: Any) -> SWFExecutor:
    executor = SWFExecutor(
        f"limits-{uuid.uuid4().hex[:8]}", client=local_swf.client(), poll_interval=0.1
    )
    executor.register(LimitsFanOut, Recorder)
    return executor


def test_rate_limit_spaces_starts_evenly():
    now = [100.0]
    limit = RateLimit(4.0, clock=lambda: now[0])
    assert [limit.reserve() for _ in range(3)] == [100.0, 100.25, 100.5]
    now[0] = 200.0  # idle for a while: no credit builds up (a burst of one)
    assert [limit.reserve() for _ in range(2)] == [200.0, 200.25]
    slept: list[float] = []
    limit.wait(sleep=slept.append)
    assert slept == [0.5]


def test_limits_are_validated():
    with pytest.raises(ValueError, match="max_concurrent_activities"):
        ActivityLimits(max_concurrent_activities=0)
    with pytest.raises(ValueError, match="max_activities_per_second"):
        ActivityLimits(max_activities_per_second=-1)
    with pytest.raises(TypeError, match="max_task_list_activities_per_second"):
        ActivityLimits(max_task_list_activities_per_second={"a": "fast"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="graceful_shutdown_timeout"):
        ActivityLimits(graceful_shutdown_timeout=float("nan"))
    assert not ActivityLimits().limited


@pytest.mark.slow
def test_max_concurrent_activities(executor):
    recorder = Recorder(hold=0.15)
    with executor.running(LimitsFanOut, recorder, activity_threads=4, max_concurrent_activities=2):
        assert executor.start(LimitsFanOut, 8).result(timeout=30) == sum(range(8))
    assert recorder.most == 2  # four pollers, two slots


@pytest.mark.slow
@pytest.mark.parametrize("option", ["max_activities_per_second", "task_list"])
def test_activities_per_second(executor, option):
    recorder = Recorder()
    limit: dict[str, Any] = (
        {"max_activities_per_second": 10.0}
        if option == "max_activities_per_second"
        else {"max_task_list_activities_per_second": {"limits-work": 10.0}}
    )
    with executor.running(LimitsFanOut, recorder, activity_threads=3, **limit):
        assert executor.start(LimitsFanOut, 6).result(timeout=30) == sum(range(6))
    starts = sorted(recorder.starts)
    # Starts are booked on an absolute schedule 0.1 s apart, so thread jitter on a loaded
    # machine may shorten one gap but never the whole span (unlimited, 3 pollers take ~0.05 s).
    assert starts[-1] - starts[0] >= 0.45, starts


@pytest.mark.slow
def test_graceful_shutdown_timeout_cancels_and_abandons_tasks_in_hand(executor):
    executor.register(WaitsForCancel)
    recorder = Recorder()
    group = executor.workers(WaitsForCancel, recorder, graceful_shutdown_timeout=0.5)
    group.start()
    executor.start(WaitsForCancel)
    deadline = time.monotonic() + 20
    runner = group.loops[-1]
    while runner.in_hand == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runner.in_hand == 1
    stopped = time.monotonic()
    group.stop()
    assert group.join(timeout=10)
    assert time.monotonic() - stopped < 3  # not the long poll's nor the task's time
    assert recorder.cancelled.wait(5)  # the activity saw cancellation through its heartbeat
