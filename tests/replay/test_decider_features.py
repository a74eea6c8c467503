"""Decider tests for children, markers, signals, cancellation, continue-as-new and the
``*Failed`` decision events, from hand-written SWF-shaped histories."""

from __future__ import annotations

import json
import random

import pytest

from swfobjects import (
    ActivityWorker,
    Workflow,
    activity_task,
    decision_task,
    nondeterministic,
    signal,
)
from swfobjects.exceptions import (
    CancelledError,
    ChildWorkflowStartError,
    ChildWorkflowTimedOutError,
    NonDeterminismError,
    NonDeterministicCallError,
)
from swfobjects.replay import decide
from swfobjects.replay._decider import Decider
from tests.helpers.histories import History, attrs, kinds


class Tools(ActivityWorker, task_list="tools"):
    @activity_task
    def use(self, what: str) -> str:
        return what


class Kid(Workflow, task_list="kid"):
    @decision_task
    async def run(self, n: int) -> int:
        return n


class Parent(Workflow, task_list="parent"):
    kid = Kid.client()

    @decision_task
    async def run(self) -> str:
        try:
            return str(await self.kid.run(7))
        except ChildWorkflowStartError as error:
            return f"start error {error.cause}"
        except ChildWorkflowTimedOutError:
            return "child timed out"


def _initiated(history, done, workflow_id="r1-1"):
    return history.add(
        "StartChildWorkflowExecutionInitiated",
        workflowId=workflow_id,
        workflowType={"name": "Kid", "version": "1.0"},
        taskList={"name": "kid"},
        decisionTaskCompletedEventId=done,
        childPolicy="TERMINATE",
    )


def test_child_start_decision_and_result():
    history = History().started(Parent)
    history.decision(completed=False)
    (decision,) = decide(Parent, history.events, run_id="r1")
    assert decision["decisionType"] == "StartChildWorkflowExecution"
    assert attrs(decision)["workflowId"] == "r1-1"
    assert json.loads(attrs(decision)["input"]) == {"n": 7}
    done = history.add("DecisionTaskCompleted", scheduledEventId=2, startedEventId=3)
    initiated = _initiated(history, done)
    started = history.add(
        "ChildWorkflowExecutionStarted",
        initiatedEventId=initiated,
        workflowExecution={"workflowId": "r1-1", "runId": "c"},
        workflowType={"name": "Kid", "version": "1.0"},
    )
    history.add(
        "ChildWorkflowExecutionCompleted",
        initiatedEventId=initiated,
        startedEventId=started,
        result="7",
        workflowExecution={"workflowId": "r1-1", "runId": "c"},
        workflowType={"name": "Kid", "version": "1.0"},
    )
    history.decision(completed=False)
    (decision,) = decide(Parent, history.events, run_id="r1")
    assert json.loads(attrs(decision)["result"]) == "7"


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        ("WORKFLOW_ALREADY_RUNNING", "start error WORKFLOW_ALREADY_RUNNING"),
        ("WORKFLOW_TYPE_DOES_NOT_EXIST", "start error WORKFLOW_TYPE_DOES_NOT_EXIST"),
    ],
)
def test_child_start_failures_by_cause(cause, expected):
    history = History().started(Parent)
    done = history.decision()
    initiated = _initiated(history, done)
    history.add(
        "StartChildWorkflowExecutionFailed",
        workflowId="r1-1",
        cause=cause,
        workflowType={"name": "Kid", "version": "1.0"},
        initiatedEventId=initiated,
        decisionTaskCompletedEventId=done,
    )
    history.decision(completed=False)
    (decision,) = decide(Parent, history.events, run_id="r1")
    assert json.loads(attrs(decision)["result"]) == expected


def test_rate_limited_child_start_waits_then_retries():
    history = History().started(Parent)
    done = history.decision()
    history.add(
        "StartChildWorkflowExecutionFailed",
        workflowId="r1-1",
        cause="CHILD_CREATION_RATE_EXCEEDED",
        initiatedEventId=0,
        workflowType={"name": "Kid", "version": "1.0"},
        decisionTaskCompletedEventId=done,
    )
    history.decision(completed=False)
    (decision,) = decide(Parent, history.events, run_id="r1")
    assert decision["decisionType"] == "StartTimer"


def test_child_timeout_reaches_parent():
    history = History().started(Parent)
    done = history.decision()
    initiated = _initiated(history, done)
    history.add(
        "ChildWorkflowExecutionTimedOut",
        initiatedEventId=initiated,
        startedEventId=0,
        timeoutType="START_TO_CLOSE",
        workflowExecution={"workflowId": "r1-1", "runId": "c"},
        workflowType={"name": "Kid", "version": "1.0"},
    )
    history.decision(completed=False)
    (decision,) = decide(Parent, history.events, run_id="r1")
    assert json.loads(attrs(decision)["result"]) == "child timed out"


class Picks(Workflow, task_list="picks"):
    tools = Tools.client()

    @nondeterministic
    def pick(self) -> int:
        return random.randint(0, 10**9)

    @decision_task
    async def run(self) -> int:
        value = self.pick()
        await self.tools.use("x")
        return value


def test_marker_is_recorded_once_and_replayed_from_history():
    history = History().started(Picks)
    history.decision(completed=False)
    first = decide(Picks, history.events)
    assert kinds(first) == ["RecordMarker", "ScheduleActivityTask"]
    marker = attrs(first[0])
    done = history.add("DecisionTaskCompleted", scheduledEventId=2, startedEventId=3)
    history.add(
        "MarkerRecorded",
        markerName=marker["markerName"],
        details=marker["details"],
        decisionTaskCompletedEventId=done,
    )
    scheduled = history.scheduled(done, "1", "Tools.use", "1.0")
    history.completed(scheduled, "x")
    history.decision(completed=False)
    (decision,) = decide(Picks, history.events)
    recorded = json.loads(marker["details"])["value"]
    assert json.loads(attrs(decision)["result"]) == recorded


def test_record_marker_failed_sends_the_marker_again():
    history = History().started(Picks)
    history.decision(completed=False)
    marker = attrs(decide(Picks, history.events)[0])
    done = history.add("DecisionTaskCompleted", scheduledEventId=2, startedEventId=3)
    history.add(
        "RecordMarkerFailed",
        markerName=marker["markerName"],
        cause="OPERATION_NOT_PERMITTED",
        decisionTaskCompletedEventId=done,
    )
    history.scheduled(done, "1", "Tools.use", "1.0")
    history.decision(completed=False)
    decisions = decide(Picks, history.events)
    # SWF kept no value, so a fresh replay computes it again; the marker is sent again.
    assert kinds(decisions) == ["RecordMarker"]
    assert attrs(decisions[0])["markerName"] == marker["markerName"]


def test_marker_the_code_no_longer_asks_for_is_non_determinism():
    history = History().started(Kid, {"n": 1})
    done = history.decision()
    history.add(
        "MarkerRecorded",
        markerName="nd.1.pick",
        details='{"value": 1}',
        decisionTaskCompletedEventId=done,
    )
    history.decision(completed=False)
    with pytest.raises(NonDeterminismError, match="nd.1.pick"):
        decide(Kid, history.events)


class Gate(Workflow, task_list="gate"):
    def __init__(self) -> None:
        self.opened_by: list[str] = []

    @signal
    def open(self, by: str) -> None:
        self.opened_by.append(by)

    @decision_task
    async def run(self) -> list:
        await self.wait_for(lambda: bool(self.opened_by) or bool(self.signal_errors))
        return [
            self.opened_by,
            [str(e) for e in self.signal_errors],
            [name for name, _ in self.unhandled_signals],
        ]


def test_signals_unknown_and_undecodable_are_kept():
    history = History().started(Gate)
    history.decision()
    history.add("WorkflowExecutionSignaled", signalName="nope", input="{}")
    history.add("WorkflowExecutionSignaled", signalName="open", input='{"by": 5}')
    history.add("WorkflowExecutionSignaled", signalName="open", input='{"by": "ann"}')
    history.decision(completed=False)
    (decision,) = decide(Gate, history.events)
    opened, errors, unhandled = json.loads(attrs(decision)["result"])
    assert opened == ["ann"]
    assert len(errors) == 1 and "'open'" in errors[0] and "by" in errors[0]
    assert unhandled == ["nope"]


class Cleans(Workflow, task_list="cleans"):
    tools = Tools.client()

    @decision_task
    async def run(self) -> str:
        try:
            await self.tools.use("long")
        finally:
            await self.tools.use("cleanup")
        return "done"


def test_cancel_request_cancels_the_awaited_activity_and_runs_finally():
    history = History().started(Cleans)
    done = history.decision()
    history.scheduled(done, "1", "Tools.use", "1.0")
    history.add("WorkflowExecutionCancelRequested")
    history.decision(completed=False)
    decisions = decide(Cleans, history.events)
    assert kinds(decisions) == ["RequestCancelActivityTask", "ScheduleActivityTask"]
    assert attrs(decisions[1])["activityId"] == "2"


def test_cancelled_workflow_closes_as_canceled():
    history = History().started(Cleans)
    done = history.decision()
    first = history.scheduled(done, "1", "Tools.use", "1.0")
    history.add("WorkflowExecutionCancelRequested")
    done = history.decision()
    history.add("ActivityTaskCancelRequested", activityId="1", decisionTaskCompletedEventId=done)
    second = history.scheduled(done, "2", "Tools.use", "1.0")
    history.add("ActivityTaskCanceled", scheduledEventId=first, startedEventId=0)
    history.completed(second, "cleanup")
    history.decision(completed=False)
    assert kinds(decide(Cleans, history.events)) == ["CancelWorkflowExecution"]


def test_unhandled_decision_resends_the_close_decision():
    history = History().started(Kid, {"n": 3})
    done = history.decision()
    history.add(
        "CompleteWorkflowExecutionFailed",
        cause="UNHANDLED_DECISION",
        decisionTaskCompletedEventId=done,
    )
    history.decision(completed=False)
    assert kinds(decide(Kid, history.events)) == ["CompleteWorkflowExecution"]


class Again(Workflow, task_list="again"):
    @decision_task
    async def run(self, n: int) -> None:
        self.continue_as_new(n + 1)


def test_continue_as_new_decision_and_bad_arguments():
    history = History().started(Again, {"n": 1})
    history.decision(completed=False)
    (decision,) = decide(Again, history.events)
    assert decision["decisionType"] == "ContinueAsNewWorkflowExecution"
    assert json.loads(attrs(decision)["input"]) == {"n": 2}

    class Wrong(Workflow, task_list="wrong"):
        @decision_task
        async def run(self, n: int) -> None:
            self.continue_as_new(m=1)

    history = History().started(Wrong, {"n": 1})
    history.decision(completed=False)
    (decision,) = decide(Wrong, history.events)
    assert decision["decisionType"] == "FailWorkflowExecution"
    assert "continue_as_new" in attrs(decision)["reason"]


class Clocky(Workflow, task_list="clocky"):
    @decision_task
    async def run(self) -> float:
        import time

        return time.time()


def test_reading_the_clock_fails_the_decision_not_the_workflow():
    history = History().started(Clocky)
    history.decision(completed=False)
    with pytest.raises(NonDeterministicCallError, match="time.time"):
        decide(Clocky, history.events)
    assert kinds(decide(Clocky, history.events, strict=False)) == ["CompleteWorkflowExecution"]


def test_sticky_and_full_replay_agree_on_a_signal_history():
    history = History().started(Gate)
    history.decision(completed=False)
    sticky = Decider(Gate.workflow_type())
    sticky.feed(history.events)
    assert sticky.decisions() == []
    history.add("DecisionTaskCompleted", scheduledEventId=2, startedEventId=3)
    history.add("WorkflowExecutionSignaled", signalName="open", input='{"by": "zed"}')
    history.decision(completed=False)
    sticky.feed(history.events)
    assert sticky.decisions() == decide(Gate, history.events)


class CancelsOwnCall(Workflow, task_list="cancels-own"):
    tools = Tools.client()

    @decision_task
    async def run(self) -> str:
        call = self.tools.use("never sent")
        first, second = call.cancel(), call.cancel()
        try:
            await call
        except CancelledError as error:
            return f"{first} {second} {call.description}: {error}"
        return "not cancelled"


def test_an_activity_call_cancelled_before_it_is_sent_sends_nothing_and_says_which():
    history = History().started(CancelsOwnCall)
    history.decision(completed=False)
    decisions = decide(CancelsOwnCall, history.events)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]
    assert json.loads(attrs(decisions[0])["result"]) == (
        "True False activity Tools.use (1): activity Tools.use (1) cancelled"
    )


def test_an_activity_call_starts_as_a_fresh_promise():
    # ActivityCall sets Promise's fields itself (its __init__ is inlined on the hot path):
    # a field Promise gains must be set there too, or reading it raises AttributeError
    from swfobjects.payloads._payload import Payloads
    from swfobjects.replay._calls import ActivityCall
    from swfobjects.replay._commands import CommandBook
    from swfobjects.workflow._promise import Promise

    activity = Tools._swf_activities["use"]
    call = ActivityCall(CommandBook(), "run", Payloads(), activity, "1", {}, '"x"', activity.retry)
    fresh = Promise()
    for slot in Promise.__slots__:
        if slot != "_description":  # an activity call's description is a property
            assert getattr(call, slot) == getattr(fresh, slot), slot
    assert call.description == "activity Tools.use (1)"
