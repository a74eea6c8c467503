"""Conformance of ``swfobjects local`` to botocore's model of SWF, generated per operation.

For every SWF operation a valid request (the template below) is mutated by
:mod:`tests.helpers.conformance`: each required member missing, each member with the wrong
JSON type, each enum member outside its set, each string one over its maximum length (and
empty where a minimum applies), each list one item over, each number or date out of range,
each timeout, retention or priority breaking SWF's rule. Each mutation is sent as a raw JSON
1.0 POST and must be answered ``400`` with ``...#ValidationException`` naming the member, and
leave the service's state exactly as it was. Strings at their maximum length must pass
validation (the call may still fail for another reason, such as an unknown resource).

Templates name fresh resources with markers (``@run.workflowId@``...) that each test resolves
just before sending, so a request accepted at its maximum (a termination, a completed task)
never spoils the next test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from swfobjects.local._protocol import service_model
from tests.helpers.conformance import (
    Fixture,
    Mutation,
    apply,
    fault_code,
    in_process_fixture,
    mutations,
    served_fixture,
)
from tests.helpers.local_support import (
    ACTIVITY,
    DOMAIN,
    WORKFLOW,
)

_EXECUTION = {"workflowId": "@run.workflowId@", "runId": "@run.runId@"}
_SINCE = {"oldestDate": 0}
_ARN = "@arn@"

_DECISIONS: dict[str, dict[str, Any]] = {
    "ScheduleActivityTask": {
        "activityType": ACTIVITY,
        "activityId": "a1",
        "control": "c",
        "input": "i",
        "scheduleToCloseTimeout": "30",
        "taskList": {"name": "activities"},
        "taskPriority": "1",
        "scheduleToStartTimeout": "10",
        "startToCloseTimeout": "20",
        "heartbeatTimeout": "NONE",
    },
    "RequestCancelActivityTask": {"activityId": "a1"},
    "CompleteWorkflowExecution": {"result": "r"},
    "FailWorkflowExecution": {"reason": "r", "details": "d"},
    "CancelWorkflowExecution": {"details": "d"},
    "ContinueAsNewWorkflowExecution": {
        "input": "i",
        "executionStartToCloseTimeout": "60",
        "taskList": {"name": "decisions"},
        "taskPriority": "1",
        "taskStartToCloseTimeout": "10",
        "childPolicy": "TERMINATE",
        "tagList": ["t"],
        "workflowTypeVersion": "1",
    },
    "RecordMarker": {"markerName": "m", "details": "d"},
    "StartTimer": {"timerId": "t1", "control": "c", "startToFireTimeout": "10"},
    "CancelTimer": {"timerId": "t1"},
    "SignalExternalWorkflowExecution": {
        "workflowId": "other",
        "runId": "r",
        "signalName": "s",
        "input": "i",
        "control": "c",
    },
    "RequestCancelExternalWorkflowExecution": {
        "workflowId": "other",
        "runId": "r",
        "control": "c",
    },
    "StartChildWorkflowExecution": {
        "workflowType": WORKFLOW,
        "workflowId": "@unique@",
        "control": "c",
        "input": "i",
        "executionStartToCloseTimeout": "60",
        "taskList": {"name": "decisions"},
        "taskPriority": "1",
        "taskStartToCloseTimeout": "10",
        "childPolicy": "TERMINATE",
        "tagList": ["t"],
    },
    "ScheduleLambdaFunction": {
        "id": "l1",
        "name": "f",
        "control": "c",
        "input": "i",
        "startToCloseTimeout": "10",
    },
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "CountClosedWorkflowExecutions": {"domain": DOMAIN, "startTimeFilter": _SINCE},
    "CountOpenWorkflowExecutions": {"domain": DOMAIN, "startTimeFilter": _SINCE},
    "CountPendingActivityTasks": {"domain": DOMAIN, "taskList": {"name": "activities"}},
    "CountPendingDecisionTasks": {"domain": DOMAIN, "taskList": {"name": "decisions"}},
    "DeleteActivityType": {"domain": DOMAIN, "activityType": "@deprecated-activity@"},
    "DeleteWorkflowType": {"domain": DOMAIN, "workflowType": "@deprecated-workflow@"},
    "DeprecateActivityType": {"domain": DOMAIN, "activityType": "@fresh-activity@"},
    "DeprecateDomain": {"name": "@fresh-domain@"},
    "DeprecateWorkflowType": {"domain": DOMAIN, "workflowType": "@fresh-workflow@"},
    "DescribeActivityType": {"domain": DOMAIN, "activityType": ACTIVITY},
    "DescribeDomain": {"name": DOMAIN},
    "DescribeWorkflowExecution": {"domain": DOMAIN, "execution": _EXECUTION},
    "DescribeWorkflowType": {"domain": DOMAIN, "workflowType": WORKFLOW},
    "GetWorkflowExecutionHistory": {
        "domain": DOMAIN,
        "execution": _EXECUTION,
        "maximumPageSize": 1,
        "reverseOrder": True,
    },
    "ListActivityTypes": {
        "domain": DOMAIN,
        "registrationStatus": "REGISTERED",
        "name": ACTIVITY["name"],
        "maximumPageSize": 5,
        "reverseOrder": False,
    },
    "ListClosedWorkflowExecutions": {
        "domain": DOMAIN,
        "startTimeFilter": {"oldestDate": 0, "latestDate": 4_000_000_000},
        "closeStatusFilter": {"status": "COMPLETED"},
        "maximumPageSize": 5,
    },
    "ListDomains": {"registrationStatus": "REGISTERED", "maximumPageSize": 5},
    "ListOpenWorkflowExecutions": {
        "domain": DOMAIN,
        "startTimeFilter": _SINCE,
        "typeFilter": WORKFLOW,
        "maximumPageSize": 5,
        "reverseOrder": True,
    },
    "ListTagsForResource": {"resourceArn": _ARN},
    "ListWorkflowTypes": {"domain": DOMAIN, "registrationStatus": "DEPRECATED"},
    "PollForActivityTask": {"domain": DOMAIN, "taskList": {"name": "idle"}, "identity": "me"},
    "PollForDecisionTask": {
        "domain": DOMAIN,
        "taskList": {"name": "idle"},
        "identity": "me",
        "maximumPageSize": 10,
        "reverseOrder": False,
        "startAtPreviousStartedEvent": True,
    },
    "RecordActivityTaskHeartbeat": {"taskToken": "@activity-token@", "details": "d"},
    "RegisterActivityType": {
        "domain": DOMAIN,
        "name": "@unique@",
        "version": "1",
        "description": "d",
        "defaultTaskStartToCloseTimeout": "10",
        "defaultTaskHeartbeatTimeout": "NONE",
        "defaultTaskList": {"name": "activities"},
        "defaultTaskPriority": "-3",
        "defaultTaskScheduleToStartTimeout": "10",
        "defaultTaskScheduleToCloseTimeout": "20",
    },
    "RegisterDomain": {
        "name": "@unique@",
        "workflowExecutionRetentionPeriodInDays": "1",
        "description": "d",
        "tags": [{"key": "k", "value": "v"}],
    },
    "RegisterWorkflowType": {
        "domain": DOMAIN,
        "name": "@unique@",
        "version": "1",
        "description": "d",
        "defaultTaskStartToCloseTimeout": "10",
        "defaultExecutionStartToCloseTimeout": "60",
        "defaultTaskList": {"name": "decisions"},
        "defaultTaskPriority": "2",
        "defaultChildPolicy": "ABANDON",
    },
    "RequestCancelWorkflowExecution": {"domain": DOMAIN, **_EXECUTION},
    "RespondActivityTaskCanceled": {"taskToken": "@activity-token@", "details": "d"},
    "RespondActivityTaskCompleted": {"taskToken": "@activity-token@", "result": "r"},
    "RespondActivityTaskFailed": {"taskToken": "@activity-token@", "reason": "r", "details": "d"},
    "SignalWorkflowExecution": {"domain": DOMAIN, **_EXECUTION, "signalName": "s", "input": "i"},
    "StartWorkflowExecution": {
        "domain": DOMAIN,
        "workflowId": "@unique@",
        "workflowType": WORKFLOW,
        "taskList": {"name": "decisions"},
        "taskPriority": "0",
        "input": "i",
        "executionStartToCloseTimeout": "60",
        "tagList": ["t"],
        "taskStartToCloseTimeout": "10",
        "childPolicy": "REQUEST_CANCEL",
    },
    "TagResource": {"resourceArn": _ARN, "tags": [{"key": "k", "value": "v"}]},
    "TerminateWorkflowExecution": {
        "domain": DOMAIN,
        **_EXECUTION,
        "reason": "r",
        "details": "d",
        "childPolicy": "ABANDON",
    },
    "UndeprecateActivityType": {"domain": DOMAIN, "activityType": "@deprecated-activity@"},
    "UndeprecateDomain": {"name": "@deprecated-domain@"},
    "UndeprecateWorkflowType": {"domain": DOMAIN, "workflowType": "@deprecated-workflow@"},
    "UntagResource": {"resourceArn": _ARN, "tagKeys": ["k"]},
}
for _kind, _attrs in _DECISIONS.items():
    _key = _kind[0].lower() + _kind[1:] + "DecisionAttributes"
    TEMPLATES[f"RespondDecisionTaskCompleted[{_kind}]"] = {
        "taskToken": "@decision-token@",
        "decisions": [{"decisionType": _kind, _key: _attrs}],
        "executionContext": "x",
    }


def _operation(label: str) -> str:
    return label.partition("[")[0]


def _cases() -> Iterator[Any]:
    model = service_model()
    seen: set[tuple[str, str]] = set()
    for label, template in TEMPLATES.items():
        operation = _operation(label)
        shape = model.operation_model(operation).input_shape
        for mutation in mutations(template, shape):
            if mutation.path[0] != "decisions":  # the decision variants share the rest
                if (operation, mutation.label) in seen:
                    continue
                seen.add((operation, mutation.label))
            yield pytest.param(label, mutation, id=f"{label}-{mutation.label}")


CASES = list(_cases())
VALUE_CASES = [
    case
    for case in CASES
    if case.values[1].kind.startswith(("rule-", "timestamp-", "enum"))  # type: ignore[union-attr]
]
"""The mutations the model must refuse on its own, whoever calls it."""


def test_every_operation_has_a_template():
    assert {_operation(label) for label in TEMPLATES} == set(service_model().operation_names)


@pytest.fixture(scope="module")
def conform() -> Iterator[Fixture]:
    """``swfobjects local`` over HTTP (its clock never moves: nothing fires in a test)."""
    with served_fixture() as fixture:
        yield fixture


@pytest.fixture(scope="module")
def in_process() -> Fixture:
    """The model itself, as the SerialExecutor calls it (no wire validation in front)."""
    return in_process_fixture()


@pytest.fixture(scope="module")
def in_process_client() -> Fixture:
    """The model behind its boto3-shaped client (``InProcessClient.call``)."""
    return in_process_fixture(through_client=True)


def _check(fixture: Fixture, label: str, mutation: Mutation) -> None:
    operation = _operation(label)
    shape = service_model().operation_model(operation).input_shape
    params = apply(fixture.resolve(TEMPLATES[label]), mutation, shape)
    before = fixture.snapshot()
    status, body = fixture.send(operation, params)
    if not mutation.refused:
        fixture.tokens.clear()  # the request may have used them up
        message = str(body.get("message", ""))
        assert not (fault_code(body) == "ValidationException" and "length" in message), body
        assert status == 200 or fault_code(body).endswith(("Fault", "ValidationException")), body
        return
    after = fixture.snapshot()
    if after != before:
        fixture.tokens.clear()
    assert (status, fault_code(body)) == (400, "ValidationException"), body
    assert mutation.member in body["message"], body["message"]
    assert after == before, "a refused request changed the service's state"


@pytest.mark.parametrize(("label", "mutation"), CASES)
def test_request_conforms(conform: Fixture, label: str, mutation: Mutation) -> None:
    _check(conform, label, mutation)


@pytest.mark.parametrize(("label", "mutation"), VALUE_CASES)
def test_model_refuses_bad_values(in_process: Fixture, label: str, mutation: Mutation) -> None:
    """Without the wire's validation in front (the SerialExecutor's path), the model itself
    refuses the values that would corrupt its state: timeouts, priorities, retention days,
    dates and enums, before anything changes."""
    _check(in_process, label, mutation)


@pytest.mark.parametrize(("label", "mutation"), CASES)
def test_in_process_client_conforms(
    in_process_client: Fixture, label: str, mutation: Mutation
) -> None:
    """The boto3-shaped in-process client refuses what SWF's front end refuses."""
    _check(in_process_client, label, mutation)


@pytest.mark.parametrize("fixture", ["conform", "in_process", "in_process_client"])
def test_template_requests_are_accepted(request: pytest.FixtureRequest, fixture: str) -> None:
    """The templates themselves are valid: every mutation's refusal is due to the mutation."""
    target: Fixture = request.getfixturevalue(fixture)
    for label, template in TEMPLATES.items():
        status, body = target.send(_operation(label), target.resolve(template))
        assert status == 200, (label, body)
        target.tokens.clear()


def test_number_of_cases_is_bounded() -> None:
    # A guard on the suite's time: the table grows with botocore's model, not unboundedly.
    assert 500 < len(CASES) < 4000
