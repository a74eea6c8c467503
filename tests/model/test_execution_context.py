"""The model keeps a decider's ``executionContext`` as SWF does: in the
``DecisionTaskCompleted`` event, and as ``latestExecutionContext`` until another is given."""

from __future__ import annotations

import pytest

from swfobjects.model._model import SwfModel
from swfobjects.model._state import SwfFault


@pytest.fixture
def model():
    model = SwfModel(clock=lambda: 100.0)
    model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    model.call(
        "RegisterWorkflowType",
        {
            "domain": "d",
            "name": "w",
            "version": "1",
            "defaultTaskList": {"name": "t"},
            "defaultExecutionStartToCloseTimeout": "100",
            "defaultTaskStartToCloseTimeout": "10",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    return model


def _decide(model, run_id, context=None, decisions=()):
    task = model.call("PollForDecisionTask", {"domain": "d", "taskList": {"name": "t"}})
    params = {"taskToken": task["taskToken"], "decisions": list(decisions)}
    if context is not None:
        params["executionContext"] = context
    model.call("RespondDecisionTaskCompleted", params)
    return model.call(
        "DescribeWorkflowExecution",
        {"domain": "d", "execution": {"workflowId": "x", "runId": run_id}},
    )


def _wake(model):
    model.call("SignalWorkflowExecution", {"domain": "d", "workflowId": "x", "signalName": "go"})


def test_latest_context_is_kept_until_replaced(model):
    run_id = model.call(
        "StartWorkflowExecution",
        {"domain": "d", "workflowId": "x", "workflowType": {"name": "w", "version": "1"}},
    )["runId"]
    assert "latestExecutionContext" not in _decide(model, run_id)
    _wake(model)
    assert _decide(model, run_id, '{"step":1}')["latestExecutionContext"] == '{"step":1}'
    _wake(model)
    assert _decide(model, run_id)["latestExecutionContext"] == '{"step":1}'
    history = model.call(
        "GetWorkflowExecutionHistory",
        {"domain": "d", "execution": {"workflowId": "x", "runId": run_id}},
    )["events"]
    contexts = [
        e["decisionTaskCompletedEventAttributes"].get("executionContext")
        for e in history
        if e["eventType"] == "DecisionTaskCompleted"
    ]
    assert contexts == [None, '{"step":1}', None]


def test_an_oversized_context_is_refused(model):
    model.call(
        "StartWorkflowExecution",
        {"domain": "d", "workflowId": "x", "workflowType": {"name": "w", "version": "1"}},
    )
    task = model.call("PollForDecisionTask", {"domain": "d", "taskList": {"name": "t"}})
    with pytest.raises(SwfFault):
        model.call(
            "RespondDecisionTaskCompleted",
            {"taskToken": task["taskToken"], "decisions": [], "executionContext": "x" * 32_769},
        )
