"""Malformed, duplicated or missing history events: a HistoryError naming event and field.

Each case starts from a history recorded on the SerialExecutor, changes one thing, and checks
that ``decide()`` says what is wrong instead of raising ``KeyError`` or deciding silently.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from swfobjects import Workflow, decision_task
from swfobjects.exceptions import HistoryError, NonDeterminismError, SwfObjectsError
from swfobjects.replay import decide
from swfobjects.testing import SerialExecutor
from swfobjects.worker._decisions import DecisionHandler
from tests.e2e.test_advanced_workflows import Approval, Lottery, PackAll
from tests.e2e.test_basic_workflows import Hello, Sleepy

Events = list[dict[str, Any]]


def recorded(cls: type, *args: Any, signals: int = 0) -> tuple[Events, str]:
    executor = SerialExecutor()
    handle = executor.start(cls, *args)
    for n in range(signals):
        handle.signal("approve", by=f"approver-{n}")
    handle.result()
    return copy.deepcopy(handle.history()), handle.run_id


def cut(events: Events, decision: int) -> Events:
    """The history up to (and with) its ``decision``-th DecisionTaskStarted (1-based)."""
    seen = 0
    for index, event in enumerate(events):
        if event["eventType"] == "DecisionTaskStarted":
            seen += 1
            if seen == decision:
                return events[: index + 1]
    raise AssertionError(f"no decision task {decision}")


def find(events: Events, event_type: str, nth: int = 1) -> dict[str, Any]:
    return [e for e in events if e["eventType"] == event_type][nth - 1]


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    event_type = event["eventType"]
    return event[event_type[0].lower() + event_type[1:] + "EventAttributes"]  # type: ignore[no-any-return]


def renumber(events: Events) -> Events:
    """``events`` numbered 1, 2, 3... with their references to each other kept right."""
    new_ids: dict[int, int] = {}
    for n, event in enumerate(events, 1):
        new_ids.setdefault(event["eventId"], n)
    out = []
    for n, event in enumerate(events, 1):
        event = dict(event, eventId=n)
        for key, value in event.items():
            if key.endswith("EventAttributes") and isinstance(value, dict):
                event[key] = {
                    name: new_ids.get(v, v) if name.endswith("EventId") else v
                    for name, v in value.items()
                }
        out.append(event)
    return out


def history_error(cls: type, events: Any, run_id: str = "") -> HistoryError:
    with pytest.raises(HistoryError) as info:
        decide(cls, events, run_id=run_id)
    return info.value


@pytest.fixture(scope="module")
def hello() -> Events:
    events, _ = recorded(Hello, "history")
    return cut(events, 2)  # the activity completed: the decision that closes the run


def test_the_unchanged_history_decides(hello: Events) -> None:
    (decision,) = decide(Hello, hello)
    assert decision["decisionType"] == "CompleteWorkflowExecution"


def test_a_missing_activity_id_names_event_and_field(hello: Events) -> None:
    events = copy.deepcopy(hello)
    scheduled = find(events, "ActivityTaskScheduled")
    del attributes(scheduled)["activityId"]
    error = history_error(Hello, events)
    assert error.event_id == scheduled["eventId"]
    assert error.field == "activityTaskScheduledEventAttributes.activityId"
    assert f"history event {scheduled['eventId']} (ActivityTaskScheduled)" in str(error)
    assert "activityId is missing" in str(error)


@pytest.mark.parametrize("event_id", ["1", None, 1.5, [1]])
def test_an_event_id_that_is_not_an_integer(hello: Events, event_id: Any) -> None:
    events = copy.deepcopy(hello)
    events[0]["eventId"] = event_id
    error = history_error(Hello, events)
    assert error.field == "eventId" and "eventId" in str(error)


@pytest.mark.parametrize("junk", [None, 7, "event", []])
def test_an_event_that_is_not_an_object(hello: Events, junk: Any) -> None:
    events = copy.deepcopy(hello)
    events[4] = junk
    error = history_error(Hello, events)
    assert "history event" in str(error) and "not an object" in str(error)


def test_a_result_that_is_not_a_string_fails_the_task_not_the_workflow(hello: Events) -> None:
    events = copy.deepcopy(hello)
    completed = find(events, "ActivityTaskCompleted")
    attributes(completed)["result"] = 5
    error = history_error(Hello, events)
    assert error.event_id == completed["eventId"]
    assert error.field == "activityTaskCompletedEventAttributes.result"


def test_a_scheduled_event_id_of_the_wrong_type(hello: Events) -> None:
    events = copy.deepcopy(hello)
    completed = find(events, "ActivityTaskCompleted")
    attributes(completed)["scheduledEventId"] = str(attributes(completed)["scheduledEventId"])
    assert history_error(Hello, events).field == (
        "activityTaskCompletedEventAttributes.scheduledEventId"
    )


@pytest.mark.parametrize("timestamp", ["yesterday", float("nan"), 1e400, None])
def test_an_unusable_decision_time(hello: Events, timestamp: Any) -> None:
    events = copy.deepcopy(hello)
    events[-1]["eventTimestamp"] = timestamp
    assert history_error(Hello, events).field == "eventTimestamp"


def test_attributes_that_are_not_an_object(hello: Events) -> None:
    events = copy.deepcopy(hello)
    scheduled = find(events, "ActivityTaskScheduled")
    scheduled["activityTaskScheduledEventAttributes"] = ["activityId", "1"]
    error = history_error(Hello, events)
    assert error.field == "activityTaskScheduledEventAttributes"
    assert error.event_id == scheduled["eventId"]


def test_dropped_duplicated_or_reordered_events_break_the_numbering(hello: Events) -> None:
    dropped = hello[:3] + hello[4:]
    assert "is where event 4 should be" in str(history_error(Hello, dropped))
    duplicated = hello[:4] + [hello[3]] + hello[4:]
    assert history_error(Hello, duplicated).event_id == 4
    swapped = hello[:3] + [hello[4], hello[3]] + hello[5:]
    assert history_error(Hello, swapped).field == "eventId"
    assert "does not start at event 1" in str(history_error(Hello, hello[2:]))


@pytest.mark.parametrize("history", [None, 5, "events"])
def test_a_history_that_is_not_a_list(history: Any) -> None:
    with pytest.raises(HistoryError):
        decide(Hello, history)


def test_a_second_workflow_execution_started_does_not_run_the_body_twice() -> None:
    runs: list[str] = []

    class CountsRuns(Workflow, task_list="history-errors"):
        @decision_task
        async def run(self) -> None:
            runs.append("ran")
            await self.timer(60)

    events, _ = recorded(Hello, "x")
    started = dict(events[0])
    started["workflowExecutionStartedEventAttributes"] = {"input": "{}"}
    history = renumber([started, started, *events[1:3]])
    error = history_error(CountsRuns, history)
    assert error.event_id == 2 and "second WorkflowExecutionStarted" in str(error)
    assert runs == []


def test_no_workflow_execution_started_at_all(hello: Events) -> None:
    error = history_error(Hello, renumber(hello[1:]))
    assert "no WorkflowExecutionStarted" in str(error)


def test_a_duplicated_timer_fired() -> None:
    events, run_id = recorded(Sleepy, 5)
    history = cut(events, 3)
    fired = find(history, "TimerFired")
    index = history.index(fired)
    doubled = renumber(history[: index + 1] + [fired] + history[index + 1 :])
    error = history_error(Sleepy, doubled, run_id)
    assert error.field == "timerId" and "t1" in str(error) and "not running" in str(error)
    assert decide(Sleepy, history, run_id=run_id)  # the original still decides


def test_a_timer_fired_with_a_numeric_timer_id() -> None:
    events, run_id = recorded(Sleepy, 5)
    history = copy.deepcopy(cut(events, 3))
    attributes(find(history, "TimerStarted"))["timerId"] = 5
    error = history_error(Sleepy, history, run_id)
    assert error.field == "timerStartedEventAttributes.timerId"
    assert "5 (int), not a string" in str(error)


def test_a_duplicated_marker() -> None:
    events, run_id = recorded(Lottery)
    marker = find(events, "MarkerRecorded")
    index = events.index(marker)
    doubled = renumber(events[: index + 1] + [marker] + events[index + 1 :])
    last_started = max(i for i, e in enumerate(doubled) if e["eventType"] == "DecisionTaskStarted")
    error = history_error(Lottery, doubled[: last_started + 1], run_id)
    assert error.field == "markerName" and "a second time" in str(error)


def test_a_duplicated_signal_event_breaks_the_numbering() -> None:
    events, run_id = recorded(Approval, 2, signals=2)
    signal = find(events, "WorkflowExecutionSignaled")
    index = events.index(signal)
    doubled = events[: index + 1] + [signal] + events[index + 1 :]
    error = history_error(Approval, cut(doubled, 1), run_id)
    assert error.event_id == signal["eventId"] and error.field == "eventId"


def test_child_events_without_their_initiated_event() -> None:
    events, run_id = recorded(PackAll, ["a", "b"])
    initiated = find(events, "StartChildWorkflowExecutionInitiated")
    without = renumber([e for e in events if e is not initiated])
    last_started = max(i for i, e in enumerate(without) if e["eventType"] == "DecisionTaskStarted")
    with pytest.raises((HistoryError, NonDeterminismError)) as info:
        decide(PackAll, without[: last_started + 1], run_id=run_id)
    assert "initiated event" in str(info.value) or "no matching call" in str(info.value)


def test_a_decision_task_completed_for_another_task(hello: Events) -> None:
    events = copy.deepcopy(hello)
    completed = find(events, "DecisionTaskCompleted")
    attributes(completed)["startedEventId"] = 99
    error = history_error(Hello, events)
    assert error.event_id == completed["eventId"] and error.field == "startedEventId"


def test_the_decision_handler_refuses_malformed_tasks(hello: Events) -> None:
    handler = DecisionHandler([Hello], cache_size=0)
    task: dict[str, Any] = {
        "taskToken": "t",
        "workflowExecution": {"workflowId": "w", "runId": "r"},
        "workflowType": {"name": "Hello", "version": "1.0"},
        "startedEventId": hello[-1]["eventId"],
        "events": hello,
    }
    assert handler.decide(json.loads(json.dumps(task, default=str)) | {"events": hello})
    for broken in (
        {k: v for k, v in task.items() if k != "workflowExecution"},
        dict(task, workflowType={"name": 5, "version": "1.0"}),
        dict(task, events=[None]),
        dict(task, previousStartedEventId="3"),
        dict(task, events=hello[3:]),  # partial, and no client to fetch the rest
    ):
        with pytest.raises(HistoryError):
            handler.decide(broken)


def test_history_error_is_a_library_error() -> None:
    assert issubclass(HistoryError, SwfObjectsError)
    error = HistoryError("bad", 3, "eventId")
    assert (error.event_id, error.field) == (3, "eventId")
