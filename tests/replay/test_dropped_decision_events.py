"""A decision's event missing from history is a NonDeterminismError, never a silent change.

SWF records the event of every decision of a completed decision task (``ActivityTaskScheduled``,
``TimerStarted``, ``MarkerRecorded``, ``StartChildWorkflowExecutionInitiated``... or their
``*Failed`` event) right after its ``DecisionTaskCompleted``. Each case drops one such event
from a recorded history, together with every later event that refers to it (so no dangling
reference gives it away), and cuts the history at the next decision task: replay must notice
that the replayed code made a decision there which history does not record.
"""

from __future__ import annotations

from typing import Any

import pytest

from swfobjects import Workflow, decision_task, workflow
from swfobjects.exceptions import NonDeterminismError, SignalError
from swfobjects.replay import decide
from swfobjects.swf._shapes import event_attributes
from tests.e2e.test_advanced_workflows import Lottery, PackAll
from tests.e2e.test_basic_workflows import Hello, Sleepy
from tests.helpers.histories import History
from tests.replay.test_history_errors import Events, recorded, renumber


def _refers_to(event: dict[str, Any], ids: set[int]) -> bool:
    attrs = event_attributes(event)
    return any(key.endswith("EventId") and value in ids for key, value in attrs.items())


def drop_decision_event(events: Events, event_type: str) -> tuple[Events, int]:
    """``events`` without the first ``event_type`` event and what refers to it, cut at the
    next ``DecisionTaskStarted``; and the id of the ``DecisionTaskCompleted`` it followed."""
    index = next(
        i
        for i, e in enumerate(events)
        if e["eventType"] == event_type
        and not str(event_attributes(e).get("timerId", "")).startswith("_wake.")
    )
    completed = max(
        e["eventId"] for e in events[:index] if e["eventType"] == "DecisionTaskCompleted"
    )
    end = next(
        i for i in range(index, len(events)) if events[i]["eventType"] == "DecisionTaskStarted"
    )
    dropped = {events[index]["eventId"]}
    kept = events[:index]
    for event in events[index + 1 : end + 1]:
        if _refers_to(event, dropped):
            dropped.add(event["eventId"])
        else:
            kept.append(event)
    return renumber(kept), completed


CASES = [
    pytest.param(PackAll, (["a", "b"],), "StartChildWorkflowExecutionInitiated", id="child"),
    pytest.param(Hello, ("dropped",), "ActivityTaskScheduled", id="activity"),
    pytest.param(Sleepy, (5,), "TimerStarted", id="timer"),
    pytest.param(Lottery, (), "MarkerRecorded", id="marker"),
]


@pytest.mark.parametrize(("cls", "args", "event_type"), CASES)
def test_the_recorded_history_decides(cls: type, args: tuple[Any, ...], event_type: str) -> None:
    events, run_id = recorded(cls, *args)
    index = next(i for i, e in enumerate(events) if e["eventType"] == event_type)
    end = next(
        i for i in range(index, len(events)) if events[i]["eventType"] == "DecisionTaskStarted"
    )
    decide(cls, events[: end + 1], run_id=run_id)  # no error: what the cases change is all


@pytest.mark.parametrize(("cls", "args", "event_type"), CASES)
def test_a_dropped_decision_event_is_non_determinism(
    cls: type, args: tuple[Any, ...], event_type: str
) -> None:
    events, run_id = recorded(cls, *args)
    history, completed = drop_decision_event(events, event_type)
    with pytest.raises(NonDeterminismError) as info:
        decide(cls, history, run_id=run_id)
    assert info.value.event_id == completed
    assert f"history event {completed} (DecisionTaskCompleted)" in str(info.value)


class Signals(Workflow, task_list="dropped-events"):
    @decision_task
    async def run(self) -> str:
        try:
            await workflow.signal_external("other", "ping")
        except SignalError:
            return "refused"
        return "sent"


def _signal_history(failed: bool) -> tuple[Events, int]:
    history = History().started(Signals)
    completed = history.decision()
    if failed:  # refused as a decision: SWF records no initiated event before it
        history.add(
            "SignalExternalWorkflowExecutionFailed",
            workflowId="other",
            cause="OPERATION_NOT_PERMITTED",
            initiatedEventId=0,
            decisionTaskCompletedEventId=completed,
            control=_control(history.events),
        )
    history.decision(completed=False)
    return history.events, completed


def _control(events: Events) -> str:
    (sent,) = decide(Signals, events[:3])
    return str(sent["signalExternalWorkflowExecutionDecisionAttributes"]["control"])


def test_a_signal_refused_without_an_initiated_event_is_recorded() -> None:
    events, _ = _signal_history(failed=True)
    (decision,) = decide(Signals, events)
    assert decision["decisionType"] == "CompleteWorkflowExecution"
    assert "refused" in decision["completeWorkflowExecutionDecisionAttributes"]["result"]


def test_a_signal_with_no_event_at_all() -> None:
    events, completed = _signal_history(failed=False)
    with pytest.raises(NonDeterminismError) as info:
        decide(Signals, events)
    assert info.value.event_id == completed
    assert "SignalExternalWorkflowExecution" in str(info.value)
