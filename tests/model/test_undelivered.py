"""``SwfModel.undelivered``: a handed-out task whose answer never reached its poller."""

from __future__ import annotations

from swfobjects.model import SwfModel
from tests.helpers.local_support import DOMAIN, WORKFLOW, schedule


def _model() -> SwfModel:
    model = SwfModel(clock=lambda: 1000.0)
    model.call("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    model.call(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            **WORKFLOW,
            "defaultTaskList": {"name": "decisions"},
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "60",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    model.call(
        "StartWorkflowExecution", {"domain": DOMAIN, "workflowId": "w", "workflowType": WORKFLOW}
    )
    return model


def _history(model: SwfModel) -> list[str]:
    events = model.call(
        "GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": {"workflowId": "w"}}
    )["events"]
    return [event["eventType"] for event in events]


def test_an_answered_or_unknown_token_changes_nothing() -> None:
    model = _model()
    task = model.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "decisions"}})
    model.call("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": []})
    before = _history(model)
    assert not model.undelivered(task["taskToken"])
    assert not model.undelivered("no-such-token")
    assert _history(model) == before


def test_an_undelivered_decision_task_times_out_once_and_is_scheduled_again() -> None:
    model = _model()
    task = model.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "decisions"}})
    assert model.undelivered(task["taskToken"])
    assert not model.undelivered(task["taskToken"])  # the token died with the task
    assert _history(model)[-2:] == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert model.has_decision_task(DOMAIN, "decisions")


def test_an_undelivered_activity_task_times_out_start_to_close() -> None:
    model = _model()
    task = model.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "decisions"}})
    model.call("RegisterActivityType", {"domain": DOMAIN, "name": "act", "version": "1"})
    activity = schedule(
        "a1",
        taskList={"name": "activities"},
        scheduleToCloseTimeout="NONE",
        scheduleToStartTimeout="NONE",
        startToCloseTimeout="NONE",
        heartbeatTimeout="NONE",
    )
    model.call(
        "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": [activity]}
    )
    got = model.call("PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": "activities"}})
    assert model.undelivered(got["taskToken"])
    events = model.call(
        "GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": {"workflowId": "w"}}
    )["events"]
    timed_out = [e for e in events if e["eventType"] == "ActivityTaskTimedOut"]
    assert timed_out[0]["activityTaskTimedOutEventAttributes"]["timeoutType"] == "START_TO_CLOSE"
    assert events[-1]["eventType"] == "DecisionTaskScheduled"
