"""SerialExecutor: whole workflows in-process, SWF-shaped histories, time control."""

from __future__ import annotations

import datetime as dt
import gc
import sys

import botocore.session
import pytest
from freezegun import freeze_time

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    RetryPolicy,
    SerialExecutor,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
)
from swfobjects.exceptions import WorkflowStuckError


class Counter(ActivityWorker, task_list="counter"):
    def __init__(self, start: int = 0) -> None:
        self.calls = start

    @activity_task
    def bump(self, by: int) -> int:
        self.calls += by
        return self.calls

    @activity_task(retry=RetryPolicy(max_attempts=3, initial_interval=60))
    def flaky(self, fail_times: int) -> str:
        self.calls += 1
        if self.calls <= fail_times:
            raise ConnectionError(f"attempt {self.calls} failed")
        return f"ok after {self.calls}"


class Bumps(Workflow, task_list="bumps"):
    counter = Counter.client()

    @decision_task
    async def run(self, times: int) -> int:
        total = 0
        for _ in range(times):
            total = await self.counter.bump(1)
        return total


class Flaky(Workflow, task_list="flaky"):
    counter = Counter.client()

    @decision_task
    async def run(self, fail_times: int) -> str:
        return await self.counter.flaky(fail_times)


class Sleeper(Workflow, task_list="sleep"):
    @decision_task
    async def run(self, days: int) -> str:
        start = self.now()
        await self.timer(dt.timedelta(days=days))
        return str(self.now() - start)


def test_given_worker_instance_is_used_and_history_has_swf_shapes():
    counter = Counter(start=10)
    ex = SerialExecutor(workers=[counter])
    handle = ex.start(Bumps, 3)
    assert handle.result() == 13
    events = handle.history()
    model = botocore.session.get_session().get_service_model("swf")
    members = model.shape_for("HistoryEvent").members
    for event in events:
        assert set(event) <= set(members), event
        assert isinstance(event["eventTimestamp"], dt.datetime)
    assert [e["eventType"] for e in events][-1] == "WorkflowExecutionCompleted"


def test_retry_waits_on_durable_timers():
    ex = SerialExecutor(workers=[Counter()])
    handle = ex.start(Flaky, 2)
    assert handle.result() == "ok after 3"
    kinds = [e["eventType"] for e in handle.history()]
    assert kinds.count("TimerStarted") == 2 and kinds.count("ActivityTaskFailed") == 2


def test_exhausted_retries_fail_the_workflow_with_remote_details():
    ex = SerialExecutor(workers=[Counter()])
    with pytest.raises(WorkflowExecutionError) as caught:
        ex.run(Flaky, 5)
    error = caught.value
    assert error.status == "FAILED"
    assert "ConnectionError" in error.reason and "attempt 3 failed" in error.reason
    assert "Traceback" in error.details.traceback


def test_month_long_timer_finishes_at_once_with_skipped_time():
    elapsed = SerialExecutor().run(Sleeper, 30)
    assert elapsed.startswith("30 days, 0:00:0")  # plus the real milliseconds the run took


def test_frozen_time_fires_timers_only_when_ticked():
    with freeze_time("2024-01-01") as frozen:
        ex = SerialExecutor(skip_time=False)
        handle = ex.start(Sleeper, 1)
        ex.run_until_idle()
        assert handle.is_open()
        frozen.tick(dt.timedelta(hours=23))
        ex.run_until_idle()
        assert handle.is_open()
        frozen.tick(dt.timedelta(hours=1))
        ex.run_until_idle()
        assert not handle.is_open()
        assert handle.result() == "1 day, 0:00:00"


def test_waiting_forever_is_reported_not_hung():
    class WaitsForever(Workflow, task_list="w"):
        @decision_task
        async def run(self) -> None:
            from swfobjects import Promise

            await Promise()

    with pytest.raises(WorkflowStuckError, match="nothing can move it forward"):
        SerialExecutor().run(WaitsForever)


def test_bad_stub_arguments_raise_type_error_inside_the_workflow():
    class BadCall(Workflow, task_list="bad"):
        @decision_task
        async def run(self) -> str:
            try:
                Counter.client().bump("one")
            except TypeError as error:
                return str(error)
            return "no error"

    message = SerialExecutor().run(BadCall)
    assert "'by'" in message and "int" in message


def test_bad_start_arguments_raise_before_starting():
    with pytest.raises(TypeError, match="times"):
        SerialExecutor().start(Bumps, "three")


def test_activity_failure_carries_type_message_and_traceback():
    class CatchesFailure(Workflow, task_list="c"):
        counter = Counter.client()

        @decision_task
        async def run(self) -> list[str]:
            try:
                await self.counter.flaky(99)
            except ActivityTaskError as error:
                return [error.type_name, error.message, error.remote_traceback[:9]]
            return []

    assert SerialExecutor(workers=[Counter()]).run(CatchesFailure) == [
        "ConnectionError",
        "attempt 3 failed",
        "Traceback",
    ]


def test_stub_outside_a_workflow_says_how_to_call_directly():
    with pytest.raises(RuntimeError, match="inside a workflow"):
        Counter.client().bump(1)
    assert Counter().bump(2) == 2


@pytest.mark.slow  # 25,000 events
def test_history_limit_terminates_the_execution_like_swf():
    class Endless(Workflow, task_list="endless"):
        counter = Counter.client()

        @decision_task
        async def run(self) -> None:
            while True:
                await self.counter.bump(1)

    ex = SerialExecutor(workers=[Counter()], check_determinism=False)
    handle = ex.start(Endless)
    with pytest.raises(WorkflowExecutionError) as caught:
        handle.result()
    assert (caught.value.status, caught.value.reason) == ("TERMINATED", "EVENT_LIMIT_EXCEEDED")
    events = handle.history()
    assert len(events) == 25_000 and events[-1]["eventType"] == "WorkflowExecutionTerminated"


class _Cycle:
    """An object in a reference cycle: only the cyclic collector can free it."""

    freed = 0

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed += 1


class CycleMaker(ActivityWorker, task_list="cycles"):
    @activity_task
    def make(self, i: int) -> int:
        _Cycle()
        return _Cycle.freed  # how many cycles were freed before this call


class MakeCycles(Workflow, task_list="cycles-wf"):
    maker = CycleMaker.client()

    @decision_task
    async def run(self, n: int) -> int:
        freed = 0
        for i in range(n):
            freed = await self.maker.make(i)
        return freed


def test_paused_gc_still_frees_cycles_during_the_run_and_is_restored(monkeypatch):
    import gc

    import swfobjects.testing._serial as serial

    monkeypatch.setattr(serial, "_YOUNG_OBJECTS", 2_000)
    _Cycle.freed = 0
    freed_during_run = SerialExecutor().run(MakeCycles, 300)
    assert freed_during_run > 100  # young collections ran while the workflow ran
    assert gc.isenabled()


def test_gc_is_restored_when_a_run_fails(monkeypatch):
    import gc

    def boom(*args, **kwargs):
        raise RuntimeError("decider exploded")

    executor = SerialExecutor()
    monkeypatch.setattr(executor.decisions, "respond", boom)
    with pytest.raises(RuntimeError, match="decider exploded"):
        executor.run(MakeCycles, 3)
    assert gc.isenabled()


def test_pause_gc_off_leaves_the_collector_alone(monkeypatch):
    import gc

    seen = []
    monkeypatch.setattr(
        CycleMaker, "make", lambda self, i: seen.append(gc.isenabled()) or 0, raising=True
    )
    SerialExecutor(pause_gc=False).run(MakeCycles, 2)
    SerialExecutor().run(MakeCycles, 2)
    assert seen == [True, True, False, False]


class TimerAcrossManyActivities(Workflow, task_list="timer-across"):
    counter = Counter.client()

    @decision_task
    async def run(self, bumps: int) -> int:
        timer = self.timer(3600)  # armed first: its entry must survive every sweep of the heap
        total = 0
        for _ in range(bumps):
            total = await self.counter.bump(1)
        await timer
        return total


def test_due_heap_drops_closed_tasks_and_keeps_pending_timers():
    from swfobjects.model._due import _MIN_COMPACT

    executor = SerialExecutor()
    started = executor.now()
    assert executor.run(TimerAcrossManyActivities, 600) == 600
    assert executor.now() - started >= 3600  # the timer fired (time skipped to it)
    # two timeout entries per activity (its start-to-close, its decision task's) were pushed;
    # sweeps keep only what is pending
    assert len(executor.model.due.entries) <= 2 * _MIN_COMPACT


def test_forked_child_does_not_repeat_the_parents_ids():
    import os

    from swfobjects.model._runtime import random_id as _random_id

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.write(write, _random_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child_id = os.read(read, 64).decode()
    assert child_id and child_id != _random_id()


def test_a_collector_the_caller_disabled_is_left_alone(monkeypatch):
    import gc

    import swfobjects.testing._serial as serial

    monkeypatch.setattr(serial, "_YOUNG_OBJECTS", 0)  # would collect after every round
    collections = []
    monkeypatch.setattr(serial.gc, "collect", lambda *args: collections.append(args) or 0)
    gc.disable()
    try:
        SerialExecutor().run(MakeCycles, 3)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert collections == []


def test_quotas_are_swfs_with_overrides_and_the_framework_copes_with_them():
    class QuotaFanOut(Workflow, task_list="quota-fan-out"):
        counter = Counter.client()

        @decision_task
        async def run(self, width: int) -> int:
            bumps = [self.counter.bump(1) for _ in range(width)]
            return max([await bump for bump in bumps])

    assert SerialExecutor().model.quotas.open_activities == 1_000
    ex = SerialExecutor(workers=[Counter()], quotas={"open_activities": 2})
    handle = ex.start(QuotaFanOut, 6)
    assert handle.result() == 6
    causes = [
        e["scheduleActivityTaskFailedEventAttributes"]["cause"]
        for e in handle.history()
        if e["eventType"] == "ScheduleActivityTaskFailed"
    ]
    assert causes and set(causes) == {"OPEN_ACTIVITIES_LIMIT_EXCEEDED"}


class CleansUp(Workflow, task_list="cleans-up"):
    counter = Counter.client()

    @decision_task
    async def run(self, collect: bool) -> None:
        if collect:
            gc.collect()  # the collector runs while this run decides
        try:
            await self.wait_for(lambda: False)
        finally:
            await self.counter.bump(100)


def test_an_abandoned_runs_cleanup_never_lands_in_another_run(monkeypatch):
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    enabled = gc.isenabled()
    gc.disable()  # collections happen where the workflow says
    try:
        ex = SerialExecutor([Counter()], cache_size=0, pause_gc=False)  # every decider dropped
        first = ex.start(CleansUp, False)
        ex.run_until_idle()
        second = ex.start(CleansUp, True)
        ex.run_until_idle()
    finally:
        if enabled:
            gc.enable()
    for handle in (first, second):
        kinds = [e["eventType"] for e in handle.history()]
        assert "ActivityTaskScheduled" not in kinds
    assert unraisable == []
