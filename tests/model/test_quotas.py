"""SWF's quotas in the in-memory model, each reached cheaply with a small value.

An API quota answers ``LimitExceededFault`` and leaves the model as it was; a per-execution
quota makes the decision fail with SWF's cause (an event, not a fault).
"""

from __future__ import annotations

from typing import Any

import pytest

from swfobjects.model import SwfFault, SwfModel
from swfobjects.swf.limits import (
    MAX_DOMAINS,
    MAX_HISTORY_EVENTS,
    MAX_OPEN_EXECUTIONS,
    MAX_POLLERS,
    MAX_TYPES,
    Quotas,
)

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}


def _model(**quotas: int) -> SwfModel:
    model = SwfModel(clock=lambda: 1000.0, quotas=quotas)
    model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    model.call(
        "RegisterWorkflowType",
        {
            "domain": "d",
            **WF,
            "defaultTaskList": {"name": "t"},
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "60",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    model.call(
        "RegisterActivityType",
        {
            "domain": "d",
            **ACT,
            "defaultTaskList": {"name": "a"},
            "defaultTaskScheduleToStartTimeout": "NONE",
            "defaultTaskScheduleToCloseTimeout": "NONE",
            "defaultTaskStartToCloseTimeout": "NONE",
            "defaultTaskHeartbeatTimeout": "NONE",
        },
    )
    return model


def _start(model: SwfModel, workflow_id: str) -> str:
    params = {"domain": "d", "workflowId": workflow_id, "workflowType": WF}
    return str(model.call("StartWorkflowExecution", params)["runId"])


def _decide(model: SwfModel, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answer the next decision task with ``decisions``; the events they recorded."""
    task = model.call("PollForDecisionTask", {"domain": "d", "taskList": {"name": "t"}})
    assert task.get("taskToken"), "no decision task was waiting"
    execution = task["workflowExecution"]
    model.call(
        "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions}
    )
    history = model.call("GetWorkflowExecutionHistory", {"domain": "d", "execution": execution})[
        "events"
    ]
    completed = max(e["eventId"] for e in history if e["eventType"] == "DecisionTaskCompleted")
    return [e for e in history if e["eventId"] > completed]


def _decision(kind: str, **attrs: Any) -> dict[str, Any]:
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attrs}


def _refused(model: SwfModel, operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(SwfFault) as caught:
        model.call(operation, params)
    assert caught.value.code == "LimitExceededFault"
    return caught.value.message


def _causes(events: list[dict[str, Any]], event_type: str) -> list[str]:
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return [e[key]["cause"] for e in events if e["eventType"] == event_type]


# --- the quotas themselves -----------------------------------------------------------------


def test_defaults_are_swfs_documented_quotas() -> None:
    quotas = Quotas()
    assert (quotas.domains, quotas.workflow_types, quotas.activity_types) == (100, 10_000, 10_000)
    assert (quotas.open_executions, quotas.open_children) == (100_000, 1_000)
    assert (quotas.open_activities, quotas.open_timers, quotas.pollers) == (1_000, 1_000, 1_000)
    assert quotas.history_events == MAX_HISTORY_EVENTS == 25_000
    assert (MAX_DOMAINS, MAX_TYPES, MAX_OPEN_EXECUTIONS, MAX_POLLERS) == (
        100,
        10_000,
        100_000,
        1_000,
    )
    assert SwfModel().quotas == quotas


def test_unknown_quota_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown SWF quota 'domain'.*domains.*open_timers"):
        SwfModel(quotas={"domain": 3})


@pytest.mark.parametrize("value", [0, -1, 2.5, "3", True])
def test_quota_must_be_a_positive_integer(value: Any) -> None:
    with pytest.raises(ValueError, match="open_timers must be a positive integer"):
        Quotas.from_mapping({"open_timers": value})


# --- API quotas: LimitExceededFault, nothing changes ----------------------------------------


def test_domains_quota_counts_deprecated_domains() -> None:
    model = _model(domains=2)
    model.call("RegisterDomain", {"name": "e", "workflowExecutionRetentionPeriodInDays": "1"})
    model.call("DeprecateDomain", {"name": "e"})
    message = _refused(
        model, "RegisterDomain", {"name": "f", "workflowExecutionRetentionPeriodInDays": "1"}
    )
    assert "quota of 2" in message and "domains" in message
    listed = [
        info["name"]
        for status in ("REGISTERED", "DEPRECATED")
        for info in model.call("ListDomains", {"registrationStatus": status})["domainInfos"]
    ]
    assert sorted(listed) == ["d", "e"]


@pytest.mark.parametrize(
    ("quota", "operation", "key"),
    [
        ("workflow_types", "RegisterWorkflowType", "typeInfos"),
        ("activity_types", "RegisterActivityType", "typeInfos"),
    ],
)
def test_type_quotas_count_deprecated_types_per_domain_and_kind(
    quota: str, operation: str, key: str
) -> None:
    model = _model(**{quota: 2})  # one of each kind is registered already
    kind = "workflowType" if quota == "workflow_types" else "activityType"
    lister = "ListWorkflowTypes" if quota == "workflow_types" else "ListActivityTypes"
    model.call(operation, {"domain": "d", "name": "other", "version": "1"})
    model.call(
        "Deprecate" + operation[len("Register") :],
        {"domain": "d", kind: {"name": "other", "version": "1"}},
    )
    message = _refused(model, operation, {"domain": "d", "name": "third", "version": "1"})
    assert f"--quota {quota}=N" in message
    names = sorted(
        info[kind]["name"]
        for status in ("REGISTERED", "DEPRECATED")
        for info in model.call(lister, {"domain": "d", "registrationStatus": status})[key]
    )
    assert names == sorted(["act" if kind == "activityType" else "wf", "other"])
    # the other kind, and another domain, are not counted against it
    other = "RegisterActivityType" if quota == "workflow_types" else "RegisterWorkflowType"
    model.call(other, {"domain": "d", "name": "x", "version": "1"})
    model.call("RegisterDomain", {"name": "e", "workflowExecutionRetentionPeriodInDays": "1"})
    model.call(operation, {"domain": "e", "name": "third", "version": "1"})


def test_open_executions_quota_and_closing_frees_room() -> None:
    model = _model(open_executions=2)
    _start(model, "a")
    run_b = _start(model, "b")
    message = _refused(
        model, "StartWorkflowExecution", {"domain": "d", "workflowId": "c", "workflowType": WF}
    )
    assert "quota of 2 open executions" in message
    count = model.call(
        "CountOpenWorkflowExecutions", {"domain": "d", "startTimeFilter": {"oldestDate": 0}}
    )
    assert count["count"] == 2
    model.call("TerminateWorkflowExecution", {"domain": "d", "workflowId": "b", "runId": run_b})
    _start(model, "c")


def test_continue_as_new_is_not_refused_at_the_open_executions_quota() -> None:
    model = _model(open_executions=1)
    _start(model, "a")
    events = _decide(model, [_decision("ContinueAsNewWorkflowExecution")])
    assert [e["eventType"] for e in events] == ["WorkflowExecutionContinuedAsNew"]


def test_child_start_over_open_executions_quota_fails_with_open_workflows_cause() -> None:
    model = _model(open_executions=1)
    _start(model, "parent")
    events = _decide(
        model, [_decision("StartChildWorkflowExecution", workflowId="child", workflowType=WF)]
    )
    assert _causes(events, "StartChildWorkflowExecutionFailed") == ["OPEN_WORKFLOWS_LIMIT_EXCEEDED"]


# --- per-execution quotas: the decision fails with SWF's cause ------------------------------


def test_open_children_quota() -> None:
    model = _model(open_children=1)
    _start(model, "parent")
    events = _decide(
        model,
        [
            _decision("StartChildWorkflowExecution", workflowId=f"child-{i}", workflowType=WF)
            for i in range(2)
        ],
    )
    assert [e["eventType"] for e in events].count("ChildWorkflowExecutionStarted") == 1
    assert _causes(events, "StartChildWorkflowExecutionFailed") == ["OPEN_CHILDREN_LIMIT_EXCEEDED"]


def test_open_activities_quota() -> None:
    model = _model(open_activities=2)
    _start(model, "w")
    events = _decide(
        model,
        [_decision("ScheduleActivityTask", activityType=ACT, activityId=f"a{i}") for i in range(3)],
    )
    assert [e["eventType"] for e in events].count("ActivityTaskScheduled") == 2
    assert _causes(events, "ScheduleActivityTaskFailed") == ["OPEN_ACTIVITIES_LIMIT_EXCEEDED"]


def test_open_timers_quota() -> None:
    model = _model(open_timers=1)
    _start(model, "w")
    events = _decide(
        model,
        [_decision("StartTimer", timerId=f"t{i}", startToFireTimeout="60") for i in range(2)],
    )
    assert [e["eventType"] for e in events].count("TimerStarted") == 1
    assert _causes(events, "StartTimerFailed") == ["OPEN_TIMERS_LIMIT_EXCEEDED"]


def test_history_events_quota_terminates_the_run() -> None:
    model = _model(history_events=8)
    run_id = _start(model, "w")
    _decide(model, [_decision("RecordMarker", markerName=f"m{i}") for i in range(10)])
    history = model.call(
        "GetWorkflowExecutionHistory",
        {"domain": "d", "execution": {"workflowId": "w", "runId": run_id}},
    )["events"]
    assert len(history) == 8
    last = history[-1]
    assert last["eventType"] == "WorkflowExecutionTerminated"
    assert last["workflowExecutionTerminatedEventAttributes"]["cause"] == "EVENT_LIMIT_EXCEEDED"
