"""The replay decider against hand-written SWF-shaped histories."""

from __future__ import annotations

import json

import botocore.session
import pytest

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    RetryPolicy,
    Workflow,
    activity_task,
    all_of,
    decision_task,
)
from swfobjects.exceptions import ActivityScheduleError, NonDeterminismError
from swfobjects.replay import decide
from swfobjects.replay._decider import MAX_DECISIONS
from tests.helpers.histories import History, attrs, kinds


class Calc(ActivityWorker, task_list="calc", version="2"):
    @activity_task(
        retry=RetryPolicy(
            max_attempts=3,
            initial_interval=10,
            backoff_coefficient=3,
            non_retryable=("ValueError",),
        )
    )
    def double(self, x: int) -> int:
        return 2 * x

    @activity_task
    def noop(self) -> None:
        return None


class Parallel(Workflow, task_list="par"):
    calc = Calc.client()

    @decision_task
    async def run(self, n: int) -> list[int]:
        return await all_of(*[self.calc.double(i) for i in range(n)])


class Sequential(Workflow, task_list="seq"):
    calc = Calc.client()

    @decision_task
    async def run(self, x: int) -> int:
        try:
            return await self.calc.double(x)
        except ActivityTaskError as error:
            return -len(error.message)


class Changed(Workflow, task_list="seq"):
    calc = Calc.client()

    @decision_task
    async def run(self, x: int) -> int:
        await self.calc.noop()
        return 0


def _validate(decisions: list[dict]) -> None:
    """Check decisions against botocore's input model for RespondDecisionTaskCompleted."""
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("swf")
    shape = model.operation_model("RespondDecisionTaskCompleted").input_shape
    report = ParamValidator().validate({"taskToken": "t", "decisions": decisions}, shape)
    assert not report.has_errors(), report.generate_report()


def test_parallel_activities_are_scheduled_in_one_decision():
    history = History().started(Parallel, {"n": 3})
    history.decision(completed=False)
    decisions = decide(Parallel, history.events)
    assert kinds(decisions) == ["ScheduleActivityTask"] * 3
    assert [attrs(d)["activityId"] for d in decisions] == ["1", "2", "3"]
    assert [json.loads(attrs(d)["input"]) for d in decisions] == [{"x": 0}, {"x": 1}, {"x": 2}]
    first = attrs(decisions[0])
    assert first["activityType"] == {"name": "Calc.double", "version": "2"}
    assert first["taskList"] == {"name": "calc"}
    _validate(decisions)


def test_results_complete_the_workflow_once_all_arrive():
    history = History().started(Parallel, {"n": 2})
    done = history.decision()
    a = history.scheduled(done, "1", "Calc.double", "2")
    b = history.scheduled(done, "2", "Calc.double", "2")
    history.completed(b, 2)
    history.decision(completed=False)
    assert decide(Parallel, history.events) == []  # still waiting for activity 1
    history.completed(a, 0)
    history.decision(completed=False)
    decisions = decide(Parallel, history.events)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]
    assert json.loads(attrs(decisions[0])["result"]) == [0, 2]
    _validate(decisions)


def test_failure_is_retried_after_a_backoff_timer():
    history = History().started(Sequential, {"x": 5})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Calc.double", "2")
    history.failed(scheduled, "RuntimeError", "flaky")
    history.decision(completed=False)
    decisions = decide(Sequential, history.events)
    assert kinds(decisions) == ["StartTimer"]
    assert attrs(decisions[0]) == {"timerId": "1.retry", "startToFireTimeout": "10"}
    done = history.add(
        "DecisionTaskCompleted", scheduledEventId=0, startedEventId=len(history.events)
    )
    history.add(
        "TimerStarted",
        timerId="1.retry",
        startToFireTimeout="10",
        decisionTaskCompletedEventId=done,
    )
    history.add("TimerFired", timerId="1.retry", startedEventId=done + 1)
    history.decision(completed=False)
    decisions = decide(Sequential, history.events)
    assert kinds(decisions) == ["ScheduleActivityTask"]
    assert attrs(decisions[0])["activityId"] == "1.1"


def test_second_retry_waits_longer_and_non_retryable_fails_at_once():
    policy = Calc.activity_types()[0].retry
    assert [policy.delay(1), policy.delay(2)] == [10, 30]
    history = History().started(Sequential, {"x": 5})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Calc.double", "2")
    history.failed(scheduled, "builtins.ValueError", "bad x")
    history.decision(completed=False)
    decisions = decide(Sequential, history.events)
    # not retried: the workflow catches ActivityTaskError and returns -len(message)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]
    assert json.loads(attrs(decisions[0])["result"]) == -len("bad x")


def test_timeout_reaches_the_workflow_as_activity_error():
    history = History().started(Sequential, {"x": 1})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Calc.double", "2")
    history.add(
        "ActivityTaskTimedOut",
        timeoutType="START_TO_CLOSE",
        scheduledEventId=scheduled,
        startedEventId=0,
    )
    history.decision(completed=False)
    decisions = decide(Sequential, history.events)
    assert kinds(decisions) == ["StartTimer"]  # timeouts are retried like failures


@pytest.mark.parametrize(
    "cause", ["ACTIVITY_CREATION_RATE_EXCEEDED", "OPEN_ACTIVITIES_LIMIT_EXCEEDED"]
)
def test_rate_limited_schedule_is_retried_after_a_capped_wait(cause):
    history = History().started(Sequential, {"x": 1})
    done = history.decision()
    history.add(
        "ScheduleActivityTaskFailed",
        activityId="1",
        activityType={"name": "Calc.double", "version": "2"},
        cause=cause,
        decisionTaskCompletedEventId=done,
    )
    history.decision(completed=False)
    decisions = decide(Sequential, history.events, run_id="r1")
    assert kinds(decisions) == ["StartTimer"]
    assert attrs(decisions[0])["timerId"] == "1.wait"
    assert 0 <= int(attrs(decisions[0])["startToFireTimeout"]) <= 2


@pytest.mark.parametrize(
    "cause", ["ACTIVITY_TYPE_DOES_NOT_EXIST", "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"]
)
def test_configuration_refusal_raises_activity_schedule_error(cause):
    class Catches(Workflow, task_list="c"):
        @decision_task
        async def run(self) -> str:
            try:
                await Calc.client().double(1)
            except ActivityScheduleError as error:
                return error.cause
            return "no error"

    history = History().started(Catches, {})
    done = history.decision()
    history.add(
        "ScheduleActivityTaskFailed",
        activityId="1",
        activityType={"name": "Calc.double", "version": "2"},
        cause=cause,
        decisionTaskCompletedEventId=done,
    )
    history.decision(completed=False)
    decisions = decide(Catches, history.events)
    assert json.loads(attrs(decisions[0])["result"]) == cause


def test_changed_activity_is_non_determinism_naming_the_event():
    history = History().started(Changed, {"x": 1})
    done = history.decision()
    history.scheduled(done, "1", "Calc.double", "2")
    history.decision(completed=False)
    with pytest.raises(NonDeterminismError) as caught:
        decide(Changed, history.events)
    assert caught.value.event_id == 5
    assert "Calc.double" in str(caught.value) and "Calc.noop" in str(caught.value)


def test_vanished_call_is_non_determinism():
    history = History().started(Changed, {"x": 1})
    done = history.decision()
    history.scheduled(done, "1", "Calc.noop", "2")
    history.scheduled(done, "2", "Calc.noop", "2")
    history.decision(completed=False)
    with pytest.raises(NonDeterminismError, match="activity 2"):
        decide(Changed, history.events)


def test_events_during_a_decision_are_not_visible_to_it():
    history = History().started(Parallel, {"n": 1})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Calc.double", "2")
    history.add("DecisionTaskScheduled", taskList={"name": "x"})
    started = history.add("DecisionTaskStarted", scheduledEventId=0)
    history.completed(scheduled, 4)  # arrives while that decision runs
    history.add("DecisionTaskCompleted", scheduledEventId=0, startedEventId=started)
    history.decision(completed=False)
    decisions = decide(Parallel, history.events)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]


def test_timed_out_decision_task_is_redone():
    history = History().started(Parallel, {"n": 1})
    scheduled = history.add("DecisionTaskScheduled", taskList={"name": "x"})
    started = history.add("DecisionTaskStarted", scheduledEventId=scheduled)
    history.add(
        "DecisionTaskTimedOut",
        scheduledEventId=scheduled,
        startedEventId=started,
        timeoutType="START_TO_CLOSE",
    )
    history.decision(completed=False)
    assert kinds(decide(Parallel, history.events)) == ["ScheduleActivityTask"]


def test_large_fan_out_is_capped_per_response_with_a_wake_timer():
    history = History().started(Parallel, {"n": 250})
    history.decision(completed=False)
    decisions = decide(Parallel, history.events)
    assert len(decisions) <= MAX_DECISIONS
    assert kinds(decisions)[-1] == "StartTimer"
    assert attrs(decisions[-1])["startToFireTimeout"] == "0"
    _validate(decisions)


def test_workflow_failure_fails_execution_with_short_reason():
    class Boom(Workflow, task_list="b"):
        @decision_task
        async def run(self) -> None:
            raise KeyError("x" * 1000)

    history = History().started(Boom, {})
    history.decision(completed=False)
    (decision,) = decide(Boom, history.events)
    assert decision["decisionType"] == "FailWorkflowExecution"
    assert len(attrs(decision)["reason"]) <= 256
    details = json.loads(attrs(decision)["details"])
    assert details["type"] == "KeyError" and "Traceback" in details["traceback"]
    _validate([decision])


def test_bad_workflow_input_fails_the_workflow_naming_the_field():
    history = History().started(Sequential, {"x": "not an int"})
    history.decision(completed=False)
    (decision,) = decide(Sequential, history.events)
    assert decision["decisionType"] == "FailWorkflowExecution"
    assert "x" in attrs(decision)["reason"] and "expected int" in attrs(decision)["reason"]


def test_sticky_decider_matches_full_replay():
    from swfobjects.replay import Decider

    history = History().started(Parallel, {"n": 2})
    done = history.decision()
    a = history.scheduled(done, "1", "Calc.double", "2")
    b = history.scheduled(done, "2", "Calc.double", "2")
    history.completed(a, 0)
    history.decision(completed=False)
    sticky = Decider(Parallel.workflow_type())
    sticky.feed(history.events)
    assert sticky.decisions() == []
    history.add("DecisionTaskCompleted", scheduledEventId=0, startedEventId=len(history.events))
    history.completed(b, 2)
    history.decision(completed=False)
    sticky.feed(history.events[sticky.last_event_id :])
    assert sticky.decisions() == decide(Parallel, history.events)
    assert kinds(sticky.decisions()) == ["CompleteWorkflowExecution"]
