"""SWF's semantic rules, as one table: (operation or decision, input, expected fault or cause).

What botocore's model cannot say and the conformance test therefore cannot generate: the
``*Failed`` event and cause SWF records for a decision it accepts but cannot carry out, the
faults of requests that are well formed but refused (names, timeouts that ``NONE`` or a year
bounds, forged page tokens, resources that exist or not), and the decisions refused as a whole
(``ValidationException``, nothing recorded). Every refused request must leave the service's
state exactly as it was. This table is the one place these rules are tested; add a row here.

Not producible by ``swfobjects local``, so not in the table: the ``*_CREATION_RATE_EXCEEDED``
causes (no rate limits) and ``OPERATION_NOT_PERMITTED`` (no IAM), the only causes of
``RecordMarkerFailed``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers.conformance import Fixture, fault_code, served_fixture
from tests.helpers.local_support import ACTIVITY, DOMAIN, WORKFLOW, decision, schedule

OLD_ACTIVITY = {"name": "old-act", "version": "1"}
BARE_ACTIVITY = {"name": "bare-act", "version": "1"}
OLD_WORKFLOW = {"name": "old-wf", "version": "1"}
BARE_WORKFLOW = {"name": "bare-wf", "version": "1"}
GONE_DOMAIN = "gone"


def _token(data: Any) -> str:
    """A page token forged the way the service writes real ones."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@dataclass(frozen=True)
class Rule:
    """One row: a request (or the decisions of a decision task) and what SWF answers.

    ``expect`` is a fault code (the request is refused and nothing changes) or
    ``(event type, cause)`` (the decisions are accepted and the event records the cause).
    ``before`` are decisions of an earlier decision task of the same run; ``signal_first``
    signals the run while its decision task is out, so closing decisions meet new events.
    """

    name: str
    expect: str | tuple[str, str]
    operation: str = "RespondDecisionTaskCompleted"
    params: dict[str, Any] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    before: list[dict[str, Any]] = field(default_factory=list)
    signal_first: bool = False


def _timer(timer_id: str = "t", seconds: str = "10") -> dict[str, Any]:
    return decision("StartTimer", timerId=timer_id, startToFireTimeout=seconds)


def _child(workflow_id: str = "@unique@", **attrs: Any) -> dict[str, Any]:
    attrs.setdefault("workflowType", WORKFLOW)
    return decision("StartChildWorkflowExecution", workflowId=workflow_id, **attrs)


def _start(**params: Any) -> dict[str, Any]:
    return {"domain": DOMAIN, "workflowId": "@unique@", "workflowType": WORKFLOW, **params}


_BAD_NAMES = ["a:b", "a/b", "a|b", "bell\x07", "nel\x85", "arn", " padded"]
_BAD_TIMEOUTS = ["²", "abc", "nan", "1e3", "31536001"]

RULES: list[Rule] = [
    # --- ScheduleActivityTask -> ScheduleActivityTaskFailed ---------------------------------
    Rule(
        "activity type unknown",
        ("ScheduleActivityTaskFailed", "ACTIVITY_TYPE_DOES_NOT_EXIST"),
        decisions=[schedule("a", activityType={"name": "nope", "version": "1"})],
    ),
    Rule(
        "activity type deprecated",
        ("ScheduleActivityTaskFailed", "ACTIVITY_TYPE_DEPRECATED"),
        decisions=[schedule("a", activityType=OLD_ACTIVITY)],
    ),
    Rule(
        "activity id in use",
        ("ScheduleActivityTaskFailed", "ACTIVITY_ID_ALREADY_IN_USE"),
        decisions=[schedule("a"), schedule("a")],
    ),
    Rule(
        "activity id in use by an earlier task",
        ("ScheduleActivityTaskFailed", "ACTIVITY_ID_ALREADY_IN_USE"),
        before=[schedule("a")],
        decisions=[schedule("a")],
    ),
    Rule(
        "open activities limit",
        ("ScheduleActivityTaskFailed", "OPEN_ACTIVITIES_LIMIT_EXCEEDED"),
        decisions=[schedule(f"a{i}") for i in range(1001)],
    ),
    Rule(
        "no task list",
        ("ScheduleActivityTaskFailed", "DEFAULT_TASK_LIST_UNDEFINED"),
        decisions=[schedule("a", activityType=BARE_ACTIVITY)],
    ),
    Rule(
        "no schedule-to-start timeout",
        ("ScheduleActivityTaskFailed", "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"),
        decisions=[schedule("a", activityType=BARE_ACTIVITY, taskList={"name": "x"})],
    ),
    Rule(
        "no schedule-to-close timeout",
        ("ScheduleActivityTaskFailed", "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"),
        decisions=[
            schedule(
                "a",
                activityType=BARE_ACTIVITY,
                taskList={"name": "x"},
                scheduleToStartTimeout="10",
            )
        ],
    ),
    Rule(
        "no start-to-close timeout",
        ("ScheduleActivityTaskFailed", "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        decisions=[
            schedule(
                "a",
                activityType=BARE_ACTIVITY,
                taskList={"name": "x"},
                scheduleToStartTimeout="10",
                scheduleToCloseTimeout="NONE",
            )
        ],
    ),
    Rule(
        "no heartbeat timeout",
        ("ScheduleActivityTaskFailed", "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
        decisions=[
            schedule(
                "a",
                activityType=BARE_ACTIVITY,
                taskList={"name": "x"},
                scheduleToStartTimeout="10",
                scheduleToCloseTimeout="NONE",
                startToCloseTimeout="5",
            )
        ],
    ),
    # --- the other decisions' *Failed causes ---------------------------------------------------
    Rule(
        "cancel of an unknown activity",
        ("RequestCancelActivityTaskFailed", "ACTIVITY_ID_UNKNOWN"),
        decisions=[decision("RequestCancelActivityTask", activityId="nope")],
    ),
    Rule(
        "timer id in use",
        ("StartTimerFailed", "TIMER_ID_ALREADY_IN_USE"),
        decisions=[_timer(), _timer()],
    ),
    Rule(
        "open timers limit",
        ("StartTimerFailed", "OPEN_TIMERS_LIMIT_EXCEEDED"),
        decisions=[_timer(f"t{i}") for i in range(1001)],
    ),
    Rule(
        "cancel of an unknown timer",
        ("CancelTimerFailed", "TIMER_ID_UNKNOWN"),
        decisions=[decision("CancelTimer", timerId="nope")],
    ),
    Rule(
        "child of an unknown type",
        ("StartChildWorkflowExecutionFailed", "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        decisions=[_child(workflowType={"name": "nope", "version": "1"})],
    ),
    Rule(
        "child of a deprecated type",
        ("StartChildWorkflowExecutionFailed", "WORKFLOW_TYPE_DEPRECATED"),
        decisions=[_child(workflowType=OLD_WORKFLOW)],
    ),
    Rule(
        "child id already running",
        ("StartChildWorkflowExecutionFailed", "WORKFLOW_ALREADY_RUNNING"),
        decisions=[_child("@run.workflowId@")],
    ),
    Rule(
        "child without a task list",
        ("StartChildWorkflowExecutionFailed", "DEFAULT_TASK_LIST_UNDEFINED"),
        decisions=[_child(workflowType=BARE_WORKFLOW)],
    ),
    Rule(
        "child without an execution timeout",
        ("StartChildWorkflowExecutionFailed", "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        decisions=[_child(workflowType=BARE_WORKFLOW, taskList={"name": "x"})],
    ),
    Rule(
        "child without a task timeout",
        ("StartChildWorkflowExecutionFailed", "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        decisions=[
            _child(
                workflowType=BARE_WORKFLOW,
                taskList={"name": "x"},
                executionStartToCloseTimeout="60",
            )
        ],
    ),
    Rule(
        "child without a child policy",
        ("StartChildWorkflowExecutionFailed", "DEFAULT_CHILD_POLICY_UNDEFINED"),
        decisions=[
            _child(
                workflowType=BARE_WORKFLOW,
                taskList={"name": "x"},
                executionStartToCloseTimeout="60",
                taskStartToCloseTimeout="10",
            )
        ],
    ),
    Rule(
        "signal to an unknown execution",
        ("SignalExternalWorkflowExecutionFailed", "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"),
        decisions=[decision("SignalExternalWorkflowExecution", workflowId="nope", signalName="s")],
    ),
    Rule(
        "cancel request to an unknown execution",
        ("RequestCancelExternalWorkflowExecutionFailed", "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"),
        decisions=[decision("RequestCancelExternalWorkflowExecution", workflowId="nope")],
    ),
    Rule(
        "lambda without Lambda",
        ("ScheduleLambdaFunctionFailed", "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION"),
        decisions=[decision("ScheduleLambdaFunction", id="l", name="f")],
    ),
    *(
        Rule(
            f"{kind} meets a new event",
            (f"{kind}Failed", "UNHANDLED_DECISION"),
            decisions=[decision(kind)],
            signal_first=True,
        )
        for kind in (
            "CompleteWorkflowExecution",
            "FailWorkflowExecution",
            "CancelWorkflowExecution",
            "ContinueAsNewWorkflowExecution",
        )
    ),
    Rule(
        "continue as new to an unknown version",
        ("ContinueAsNewWorkflowExecutionFailed", "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        decisions=[decision("ContinueAsNewWorkflowExecution", workflowTypeVersion="nope")],
    ),
    # --- decisions refused as a whole: nothing recorded -----------------------------------
    *(
        Rule(f"{what} {bad!r}", "ValidationException", decisions=[made(bad)])
        for bad in _BAD_NAMES
        for what, made in (
            ("activity id", lambda v: schedule(v)),
            ("timer id", lambda v: _timer(v)),
            ("marker name", lambda v: decision("RecordMarker", markerName=v)),
            (
                "signal name",
                lambda v: decision("SignalExternalWorkflowExecution", workflowId="w", signalName=v),
            ),
            ("child workflow id", lambda v: _child(v)),
        )
    ),
    *(
        Rule(f"timer of {bad!r} seconds", "ValidationException", decisions=[_timer("t", bad)])
        for bad in [*_BAD_TIMEOUTS, "NONE"]
    ),
    *(
        Rule(
            f"activity {key} {bad!r}",
            "ValidationException",
            decisions=[schedule("a", **{key: bad})],
        )
        for bad in _BAD_TIMEOUTS
        for key in (
            "scheduleToStartTimeout",
            "scheduleToCloseTimeout",
            "startToCloseTimeout",
            "heartbeatTimeout",
        )
    ),
    *(
        Rule(f"child {key} {bad!r}", "ValidationException", decisions=[_child(**{key: bad})])
        for bad in _BAD_TIMEOUTS
        for key in ("executionStartToCloseTimeout", "taskStartToCloseTimeout")
    ),
    Rule(
        "lambda timeout over 900 s",
        "ValidationException",
        decisions=[decision("ScheduleLambdaFunction", id="l", name="f", startToCloseTimeout="901")],
    ),
    Rule(
        "activity priority out of int range",
        "ValidationException",
        decisions=[schedule("a", taskPriority="2147483648")],
    ),
    Rule(
        "a good decision before a bad one is not recorded either",
        "ValidationException",
        decisions=[_timer("fine"), _timer("bad", "²")],
    ),
    # --- requests refused: fault, nothing changes ---------------------------------------
    *(
        Rule(f"{operation} {member} {bad!r}", "ValidationException", operation, params)
        for bad in _BAD_NAMES
        for operation, member, params in (
            (
                "RegisterDomain",
                "name",
                {"name": bad, "workflowExecutionRetentionPeriodInDays": "1"},
            ),
            ("RegisterActivityType", "name", {"domain": DOMAIN, "name": bad, "version": "1"}),
            ("RegisterWorkflowType", "version", {"domain": DOMAIN, "name": "n", "version": bad}),
            ("StartWorkflowExecution", "workflowId", _start(workflowId=bad)),
            ("StartWorkflowExecution", "taskList", _start(taskList={"name": bad})),
            (
                "SignalWorkflowExecution",
                "signalName",
                {"domain": DOMAIN, "workflowId": "@run.workflowId@", "signalName": bad},
            ),
        )
    ),
    *(
        Rule(
            f"start with {key} {bad!r}",
            "ValidationException",
            "StartWorkflowExecution",
            _start(**{key: bad}),
        )
        for bad in _BAD_TIMEOUTS
        for key in ("executionStartToCloseTimeout", "taskStartToCloseTimeout")
    ),
    Rule(
        "start with no execution timeout",
        "ValidationException",
        "StartWorkflowExecution",
        _start(executionStartToCloseTimeout="NONE"),
    ),
    Rule(
        "workflow type registered with no execution timeout",
        "ValidationException",
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            "name": "@unique@",
            "version": "1",
            "defaultExecutionStartToCloseTimeout": "NONE",
        },
    ),
    Rule(
        "retention over 90 days",
        "ValidationException",
        "RegisterDomain",
        {"name": "@unique@", "workflowExecutionRetentionPeriodInDays": "91"},
    ),
    Rule(
        "domain exists",
        "DomainAlreadyExistsFault",
        "RegisterDomain",
        {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"},
    ),
    Rule(
        "domain deprecated twice",
        "DomainDeprecatedFault",
        "DeprecateDomain",
        {"name": GONE_DOMAIN},
    ),
    Rule(
        "start in a deprecated domain",
        "DomainDeprecatedFault",
        "StartWorkflowExecution",
        _start(domain=GONE_DOMAIN),
    ),
    Rule(
        "activity type exists",
        "TypeAlreadyExistsFault",
        "RegisterActivityType",
        {"domain": DOMAIN, **ACTIVITY},
    ),
    Rule(
        "delete of a registered type",
        "TypeNotDeprecatedFault",
        "DeleteActivityType",
        {"domain": DOMAIN, "activityType": ACTIVITY},
    ),
    Rule(
        "start of a deprecated type",
        "TypeDeprecatedFault",
        "StartWorkflowExecution",
        _start(workflowType=OLD_WORKFLOW),
    ),
    Rule(
        "start of an unknown type",
        "UnknownResourceFault",
        "StartWorkflowExecution",
        _start(workflowType={"name": "nope", "version": "1"}),
    ),
    Rule(
        "start without defaults",
        "DefaultUndefinedFault",
        "StartWorkflowExecution",
        _start(workflowType=BARE_WORKFLOW),
    ),
    Rule(
        "start of a running id",
        "WorkflowExecutionAlreadyStartedFault",
        "StartWorkflowExecution",
        _start(workflowId="@run.workflowId@"),
    ),
    Rule(
        "SignalWorkflowExecution to an unknown execution",
        "UnknownResourceFault",
        "SignalWorkflowExecution",
        {"domain": DOMAIN, "workflowId": "nope", "signalName": "s"},
    ),
    *(
        Rule(f"{operation} with page token {token!r}", "ValidationException", operation, params)
        for token in [
            "garbage!",
            _token({"o": "x"}),
            _token({"o": -1}),
            _token([1]),
            _token({"o": True}),
        ]
        for operation, params in (
            ("ListDomains", {"registrationStatus": "REGISTERED", "nextPageToken": token}),
            (
                "GetWorkflowExecutionHistory",
                {
                    "domain": DOMAIN,
                    "execution": {"workflowId": "@run.workflowId@", "runId": "@run.runId@"},
                    "nextPageToken": token,
                },
            ),
            (
                "PollForDecisionTask",
                {"domain": DOMAIN, "taskList": {"name": "idle"}, "nextPageToken": token},
            ),
        )
    ),
]


@pytest.fixture(scope="module")
def rules() -> Iterator[Fixture]:
    with served_fixture() as fixture:
        client = fixture.client
        client.register_activity_type(domain=DOMAIN, **BARE_ACTIVITY)
        client.register_activity_type(domain=DOMAIN, **OLD_ACTIVITY)
        client.deprecate_activity_type(domain=DOMAIN, activityType=OLD_ACTIVITY)
        client.register_workflow_type(domain=DOMAIN, **BARE_WORKFLOW)
        client.register_workflow_type(
            domain=DOMAIN,
            **OLD_WORKFLOW,
            defaultTaskList={"name": "x"},
            defaultExecutionStartToCloseTimeout="60",
            defaultTaskStartToCloseTimeout="10",
            defaultChildPolicy="TERMINATE",
        )
        client.deprecate_workflow_type(domain=DOMAIN, workflowType=OLD_WORKFLOW)
        client.register_domain(name=GONE_DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        client.deprecate_domain(name=GONE_DOMAIN)
        yield fixture


def _decision_task(fixture: Fixture, rule: Rule, run: dict[str, str]) -> str:
    """The token of the run's decision task the rule's decisions answer."""
    client = fixture.client
    task_list = {"name": run["taskList"]}
    token = client.poll_for_decision_task(domain=DOMAIN, taskList=task_list)["taskToken"]
    if rule.before:
        client.respond_decision_task_completed(taskToken=token, decisions=rule.before)
        client.signal_workflow_execution(
            domain=DOMAIN, workflowId=run["workflowId"], signalName="next"
        )
        token = client.poll_for_decision_task(domain=DOMAIN, taskList=task_list)["taskToken"]
    if rule.signal_first:
        client.signal_workflow_execution(
            domain=DOMAIN, workflowId=run["workflowId"], signalName="late"
        )
    return str(token)


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_rule(rules: Fixture, rule: Rule) -> None:
    task_list = rules.unique()
    run = {**rules.open_run(task_list), "taskList": task_list}
    fresh: dict[str, Any] = {"run": run}
    if rule.operation == "RespondDecisionTaskCompleted":
        params = {
            "taskToken": _decision_task(rules, rule, run),
            "decisions": rules.resolve(rule.decisions, fresh),
        }
    else:
        params = rules.resolve(rule.params, fresh)
    before = rules.snapshot()
    status, body = rules.send(rule.operation, params)
    if isinstance(rule.expect, str):
        assert (status, fault_code(body)) == (400, rule.expect), body
        assert rules.snapshot() == before, "a refused request changed the service's state"
        return
    assert status == 200, body
    event_type, cause = rule.expect
    events = rules.client.get_workflow_execution_history(
        domain=DOMAIN,
        execution={"workflowId": run["workflowId"], "runId": run["runId"]},
        reverseOrder=True,
    )["events"]
    recent = []
    for event in events:  # newest first, back to this response's DecisionTaskCompleted
        if event["eventType"] == "DecisionTaskCompleted":
            break
        recent.append(event)
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    causes = [e[key]["cause"] for e in recent if e["eventType"] == event_type]
    assert causes == [cause], [e["eventType"] for e in recent]


def test_names_are_unique() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
