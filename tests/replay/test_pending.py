"""What an open execution waits for, read from its history (issue 12, item 4)."""

from __future__ import annotations

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task
from swfobjects.replay import Pending, pending_from_history
from swfobjects.replay._pending import waiting_for
from tests.helpers.histories import History


class Slow(ActivityWorker, task_list="pending-slow"):
    @activity_task
    def work(self, n: int) -> int:
        return n


class PendingWaits(Workflow, task_list="pending-waits"):
    slow = Slow.client()

    def __init__(self) -> None:
        self.go = False

    @decision_task
    async def run(self) -> int:
        self.timer(600)
        self.slow.work(1)
        await self.wait_for(lambda: self.go)  # the line the listing shows
        return 1


with open(__file__, encoding="utf-8") as _source:
    WAIT_LINE = next(n for n, line in enumerate(_source, 1) if line.endswith("listing shows\n"))


def test_history_lists_activities_timers_and_wait_for_lines():
    history = History().started(PendingWaits)
    done = history.decision()
    timer = history.add("TimerStarted", timerId="t1", startToFireTimeout="600")
    history.scheduled(done, "1", "Slow.work", input={"n": 1})
    now = history.events[timer - 1]["eventTimestamp"] + 30
    items = pending_from_history(history.events, PendingWaits.workflow_type(), now)
    by_kind = {item.kind: item for item in items}
    assert set(by_kind) == {"activity", "timer", "signal"}
    assert by_kind["activity"].name == "activity Slow.work (1)"
    assert "no activity worker has taken it" in by_kind["activity"].state
    assert by_kind["timer"].name == "timer t1" and by_kind["timer"].state.startswith("fires at")
    assert by_kind["signal"].name == (
        f"wait_for at {__file__}:{WAIT_LINE}: "
        "await self.wait_for(lambda: self.go)  # the line the listing shows"
    )
    assert by_kind["timer"].age == 30 and str(by_kind["timer"]).endswith("(for 30 s)")
    # without the class, history alone still lists the scheduled work
    assert {i.kind for i in pending_from_history(history.events)} == {"activity", "timer"}


def test_a_started_activity_names_its_worker_and_an_open_decision_its_task_list():
    history = History().started(PendingWaits)
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Slow.work", input={"n": 1})
    history.add("ActivityTaskStarted", scheduledEventId=scheduled, identity="host-7")
    history.add("DecisionTaskScheduled", taskList={"name": "pending-waits"})
    items = {i.kind: i for i in pending_from_history(history.events, now=history.clock)}
    assert items["activity"].state == "started by host-7"
    assert items["decision"].state == (
        "scheduled on task list 'pending-waits'; no decider has taken it yet"
    )
    assert "are workers running for its task lists (a decider" in waiting_for(list(items.values()))


def test_a_closed_execution_waits_for_nothing():
    executor = SerialExecutor(workers=[Slow()])

    class Done(Workflow, task_list="pending-done"):
        @decision_task
        async def run(self) -> int:
            return 3

    handle = executor.start(Done)
    assert handle.result() == 3
    assert handle.pending() == []
    assert isinstance(Pending("external", "x", "y", 0.0, None), Pending)
