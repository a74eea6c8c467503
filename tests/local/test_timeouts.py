"""Every SWF timeout and timer, under a clock the test moves by hand."""

from __future__ import annotations

import threading

import pytest

from swfobjects.local import LocalSWF
from tests.helpers.local_support import DOMAIN, WORKFLOW, decision, register, schedule


@pytest.fixture
def swf(clock):
    # a long tick: these tests fire timeouts with swf.advance(), except the one that waits
    with LocalSWF(poll_timeout=0.3, clock=clock, tick=3600) as service:
        register(service.client())
        yield service


def _start(client, workflow_id="t", **kwargs):
    run = client.start_workflow_execution(
        domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW, **kwargs
    )["runId"]
    return {"workflowId": workflow_id, "runId": run}


def _decide(client, decisions):
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)


def _history(client, execution):
    return client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]


def _last(client, execution, event_type):
    found = [e for e in _history(client, execution) if e["eventType"] == event_type]
    return found[-1] if found else None


def _timed_out(client, execution):
    event = _last(client, execution, "ActivityTaskTimedOut")
    return event and event["activityTaskTimedOutEventAttributes"]


@pytest.mark.parametrize(
    ("timeouts", "start_it", "kind"),
    [
        ({"scheduleToStartTimeout": "5"}, False, "SCHEDULE_TO_START"),
        ({"scheduleToCloseTimeout": "5"}, True, "SCHEDULE_TO_CLOSE"),
        ({"startToCloseTimeout": "5"}, True, "START_TO_CLOSE"),
        ({"heartbeatTimeout": "5"}, True, "HEARTBEAT"),
    ],
)
def test_activity_timeouts(swf, client, clock, timeouts, start_it, kind):
    execution = _start(client)
    _decide(client, [schedule("a", **timeouts)])
    token = None
    if start_it:
        token = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})[
            "taskToken"
        ]
    clock.advance(4.9)
    swf.advance()
    assert _timed_out(client, execution) is None
    clock.advance(0.2)
    swf.advance()
    attrs = _timed_out(client, execution)
    assert attrs["timeoutType"] == kind
    if token:
        with pytest.raises(client.exceptions.UnknownResourceFault):
            client.respond_activity_task_completed(taskToken=token)
    assert _last(client, execution, "DecisionTaskScheduled") is not None


def test_heartbeat_keeps_activity_alive_and_details_reported(swf, client, clock):
    execution = _start(client)
    _decide(client, [schedule("a", heartbeatTimeout="5")])
    token = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})[
        "taskToken"
    ]
    for step in range(3):
        clock.advance(4)
        swf.advance()
        client.record_activity_task_heartbeat(taskToken=token, details=f"step {step}")
    assert _timed_out(client, execution) is None
    clock.advance(5.1)
    swf.advance()
    attrs = _timed_out(client, execution)
    assert attrs["timeoutType"] == "HEARTBEAT" and attrs["details"] == "step 2"


def test_decision_task_timeout_reschedules(swf, client, clock):
    execution = _start(client, taskStartToCloseTimeout="5")
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    clock.advance(5.1)
    swf.advance()
    types = [e["eventType"] for e in _history(client, execution)]
    assert types[-2:] == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])


def test_execution_timeout(swf, client, clock):
    execution = _start(client, executionStartToCloseTimeout="30")
    clock.advance(30.5)
    swf.advance()
    info = client.describe_workflow_execution(domain=DOMAIN, execution=execution)
    assert info["executionInfo"]["closeStatus"] == "TIMED_OUT"
    event = _last(client, execution, "WorkflowExecutionTimedOut")
    assert event["workflowExecutionTimedOutEventAttributes"]["timeoutType"] == "START_TO_CLOSE"


def test_timer_fires_at_its_time(swf, client, clock):
    execution = _start(client)
    _decide(client, [decision("StartTimer", timerId="t", startToFireTimeout="10")])
    clock.advance(9.9)
    swf.advance()
    assert _last(client, execution, "TimerFired") is None
    clock.advance(0.2)
    swf.advance()
    fired = _last(client, execution, "TimerFired")
    assert fired["timerFiredEventAttributes"]["timerId"] == "t"


def test_timer_fires_while_nobody_calls(clock):
    with LocalSWF(poll_timeout=10, clock=clock, tick=0.02) as swf:
        client = swf.client()
        register(client)
        _start(client)
        _decide(client, [decision("StartTimer", timerId="t", startToFireTimeout="60")])
        got = {}

        def wait_for_decision():
            got["task"] = swf.client().poll_for_decision_task(
                domain=DOMAIN, taskList={"name": "decisions"}
            )

        waiter = threading.Thread(target=wait_for_decision)
        waiter.start()
        clock.advance(61)  # only the clock thread can notice this
        waiter.join(8)
        assert not waiter.is_alive()
        assert got["task"]["events"][-3]["eventType"] == "TimerFired"
