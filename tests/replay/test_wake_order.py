"""The order in which settled calls wake workflow code is part of every recorded history.

When several outcomes arrive in one decision task, workflow code sees them in a fixed order:
activity results wake their awaiters at once, timers and child workflows one scheduler step
later. ``any_of`` and branches depend on it, so replaying a history recorded by an earlier
release must take the same branch. These histories pin the order.
"""

from __future__ import annotations

import pytest

from swfobjects import ActivityWorker, Workflow, activity_task, any_of, decision_task
from swfobjects.replay import decide
from tests.helpers.histories import History, attrs, kinds


class Acts(ActivityWorker, task_list="acts"):
    @activity_task
    def work(self) -> str:
        return "w"


class Race(Workflow, task_list="race"):
    acts = Acts.client()

    @decision_task
    async def run(self) -> str:
        timer = self.timer(10)
        work = self.acts.work()
        first = await any_of(timer, work)
        return "timer" if first is timer else "activity"


@pytest.mark.parametrize("timer_event_first", [True, False])
def test_an_activity_result_wakes_before_a_timer_fired_in_the_same_decision_task(
    timer_event_first: bool,
) -> None:
    history = History().started(Race)
    completed = history.decision()
    timer_started = history.add(
        "TimerStarted",
        timerId="t1",
        startToFireTimeout="10",
        decisionTaskCompletedEventId=completed,
    )
    scheduled = history.scheduled(completed, "1", "Acts.work")
    if timer_event_first:
        history.add("TimerFired", timerId="t1", startedEventId=timer_started)
        history.completed(scheduled, "w")
    else:
        history.completed(scheduled, "w")
        history.add("TimerFired", timerId="t1", startedEventId=timer_started)
    history.decision(completed=False)

    decisions = decide(Race, history.events)

    assert kinds(decisions) == ["CompleteWorkflowExecution"]
    assert attrs(decisions[0])["result"] == '"activity"'
