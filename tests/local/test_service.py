"""``swfobjects local`` through boto3: decisions, events, visibility, long polling.

Every event the service emits is checked against botocore's ``HistoryEvent`` shape on the raw
JSON (boto3 itself would silently drop unknown keys).
"""

from __future__ import annotations

import threading
import time

import pytest

from swfobjects.local import LocalSWF
from tests.helpers.local_support import (
    ACTIVITY,
    DOMAIN,
    WORKFLOW,
    decision,
    event_errors,
    output_errors,
    raw_call,
    register,
    schedule,
)


@pytest.fixture
def swf(clock):
    with LocalSWF(poll_timeout=0.5, clock=clock) as service:
        register(service.client())
        yield service


def _start(client, workflow_id, **kwargs):
    return client.start_workflow_execution(
        domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW, **kwargs
    )["runId"]


def _decide(client, decisions, task_list="decisions"):
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": task_list})
    assert task.get("taskToken"), "expected a decision task"
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    return task


def _raw_history(swf, workflow_id, run_id):
    status, body = raw_call(
        swf.endpoint_url,
        "GetWorkflowExecutionHistory",
        {"domain": DOMAIN, "execution": {"workflowId": workflow_id, "runId": run_id}},
    )
    assert status == 200, body
    return body["events"]


def _types(events):
    return [e["eventType"] for e in events]


def _attrs(event):
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def test_every_decision_type_emits_botocore_shaped_events(swf, client, clock):
    other = _start(client, "other", taskList={"name": "other"})
    run = _start(client, "main", input="in", tagList=["t1"])
    _decide(
        client,
        [
            schedule("a1", input="x"),
            schedule("a2", activityType={"name": "nope", "version": "1"}),
            decision("StartTimer", timerId="t1", startToFireTimeout="10"),
            decision("StartTimer", timerId="t2", startToFireTimeout="1000"),
            decision("CancelTimer", timerId="no-such-timer"),
            decision("RecordMarker", markerName="m", details="d"),
            decision(
                "StartChildWorkflowExecution",
                workflowType=WORKFLOW,
                workflowId="kid",
                taskList={"name": "kids"},
            ),
            decision(
                "SignalExternalWorkflowExecution", workflowId="other", signalName="hi", input="s"
            ),
            decision("RequestCancelExternalWorkflowExecution", workflowId="other"),
            decision("SignalExternalWorkflowExecution", workflowId="ghost", signalName="x"),
            decision("ScheduleLambdaFunction", id="l1", name="fn"),
            decision("RequestCancelActivityTask", activityId="no-such-activity"),
        ],
    )
    activity = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})
    assert activity["activityId"] == "a1" and activity["input"] == "x"
    _decide(
        client,
        [
            decision("CancelTimer", timerId="t2"),
            decision("RequestCancelActivityTask", activityId="a1"),
        ],
    )
    beat = client.record_activity_task_heartbeat(taskToken=activity["taskToken"], details="50%")
    assert beat["cancelRequested"] is True
    client.respond_activity_task_canceled(taskToken=activity["taskToken"], details="stopped")
    _decide(client, [], task_list="kids")  # the child's first decision
    kid = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "kids"})
    assert "taskToken" not in kid  # nothing new for the child
    clock.advance(11)
    swf.advance()
    _decide(client, [])  # the parent sees TimerFired etc.
    client.signal_workflow_execution(domain=DOMAIN, workflowId="main", signalName="wake")
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    client.signal_workflow_execution(domain=DOMAIN, workflowId="main", signalName="late")
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[decision("CompleteWorkflowExecution", result="done")],
    )
    _decide(client, [decision("ContinueAsNewWorkflowExecution", input="again")])
    events = _raw_history(swf, "main", run)
    types = _types(events)
    for expected in (
        "ActivityTaskScheduled",
        "ScheduleActivityTaskFailed",
        "TimerStarted",
        "CancelTimerFailed",
        "MarkerRecorded",
        "StartChildWorkflowExecutionInitiated",
        "ChildWorkflowExecutionStarted",
        "SignalExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionSignaled",
        "RequestCancelExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionCancelRequested",
        "SignalExternalWorkflowExecutionFailed",
        "ScheduleLambdaFunctionFailed",
        "RequestCancelActivityTaskFailed",
        "ActivityTaskStarted",
        "TimerCanceled",
        "ActivityTaskCancelRequested",
        "ActivityTaskCanceled",
        "TimerFired",
        "WorkflowExecutionSignaled",
        "CompleteWorkflowExecutionFailed",
        "WorkflowExecutionContinuedAsNew",
    ):
        assert expected in types, expected
    by_type = {e["eventType"]: _attrs(e) for e in events}
    assert by_type["ScheduleActivityTaskFailed"]["cause"] == "ACTIVITY_TYPE_DOES_NOT_EXIST"
    assert by_type["CompleteWorkflowExecutionFailed"]["cause"] == "UNHANDLED_DECISION"
    assert by_type["SignalExternalWorkflowExecutionFailed"]["cause"] == (
        "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    )
    assert by_type["ActivityTaskCanceled"]["details"] == "stopped"
    new_run = by_type["WorkflowExecutionContinuedAsNew"]["newExecutionRunId"]
    all_events = events + _raw_history(swf, "other", other) + _raw_history(swf, "main", new_run)
    kid_run = by_type["ChildWorkflowExecutionStarted"]["workflowExecution"]["runId"]
    all_events += _raw_history(swf, "kid", kid_run)
    assert event_errors(all_events) == []
    other_types = _types(_raw_history(swf, "other", other))
    assert "WorkflowExecutionSignaled" in other_types
    assert "WorkflowExecutionCancelRequested" in other_types


def test_one_event_timestamp_per_call(swf, client):
    run = _start(client, "stamp")
    events = _raw_history(swf, "stamp", run)
    assert _types(events) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert events[0]["eventTimestamp"] == events[1]["eventTimestamp"]


def test_close_decision_fails_while_events_arrive(swf, client):
    _start(client, "busy")
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    client.signal_workflow_execution(domain=DOMAIN, workflowId="busy", signalName="s", input="")
    # at most one scheduled decision task per execution, even with a task in flight
    assert (
        client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "decisions"})["count"]
        == 0
    )
    client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
    )
    again = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    types = _types(again["events"])
    assert types[-3:] == [
        "CompleteWorkflowExecutionFailed",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]


def test_long_poll_wakes_when_work_arrives(swf, client):
    swf.engine.poll_timeout = 10
    got = {}

    def poll():
        got["task"] = swf.client().poll_for_decision_task(
            domain=DOMAIN, taskList={"name": "decisions"}
        )

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.3)
    assert waiter.is_alive()  # waiting, not answered empty
    run = _start(client, "woken")
    waiter.join(5)
    assert not waiter.is_alive()
    assert got["task"]["workflowExecution"]["runId"] == run


@pytest.mark.slow  # waits out the long poll
def test_empty_poll_answers_empty_token_after_timeout(swf, client):
    started = time.monotonic()
    task = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "nobody"})
    assert "taskToken" not in task
    assert time.monotonic() - started >= 0.45
    # SWF's wire answers, as captured from the real service: no taskToken member at all
    status, body = raw_call(
        swf.endpoint_url, "PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "n"}}
    )
    assert status == 200 and body == {"previousStartedEventId": 0, "startedEventId": 0}
    status, body = raw_call(
        swf.endpoint_url, "PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": "n"}}
    )
    assert status == 200 and body == {"startedEventId": 0}
    # SWF's empty answer leaves out members the shape requires of a real task; nothing else
    assert [e for e in output_errors("PollForDecisionTask", body) if "required" not in e] == []


def test_decision_task_history_pages(swf, client):
    _start(client, "paged")
    for i in range(7):
        client.signal_workflow_execution(domain=DOMAIN, workflowId="paged", signalName=f"s{i}")
    first = client.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "decisions"}, maximumPageSize=4
    )
    events = list(first["events"])
    token = first.get("nextPageToken")
    while token:
        page = client.poll_for_decision_task(
            domain=DOMAIN, taskList={"name": "decisions"}, maximumPageSize=4, nextPageToken=token
        )
        assert page["taskToken"] == first["taskToken"]
        events += page["events"]
        token = page.get("nextPageToken")
    assert [e["eventId"] for e in events] == list(range(1, first["startedEventId"] + 1))


def test_history_paging_and_reverse_order(swf, client):
    run = _start(client, "hist")
    for i in range(5):
        client.signal_workflow_execution(domain=DOMAIN, workflowId="hist", signalName=f"s{i}")
    execution = {"workflowId": "hist", "runId": run}
    pages = client.get_paginator("get_workflow_execution_history").paginate(
        domain=DOMAIN, execution=execution, reverseOrder=True, maximumPageSize=3
    )
    ids = [e["eventId"] for page in pages for e in page["events"]]
    assert ids == list(range(7, 0, -1))


def test_list_and_count_executions_with_filters(swf, client, clock):
    for i in range(5):
        _start(client, f"list-{i}", tagList=["even" if i % 2 == 0 else "odd"])
        clock.advance(1)
    client.terminate_workflow_execution(domain=DOMAIN, workflowId="list-3")
    oldest = {"oldestDate": 0}
    open_ = client.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=oldest)
    assert [i["execution"]["workflowId"] for i in open_["executionInfos"]] == [
        "list-4",
        "list-2",
        "list-1",
        "list-0",
    ]
    pages = client.get_paginator("list_open_workflow_executions").paginate(
        domain=DOMAIN, startTimeFilter=oldest, reverseOrder=True, maximumPageSize=3
    )
    ids = [i["execution"]["workflowId"] for p in pages for i in p["executionInfos"]]
    assert ids == ["list-0", "list-1", "list-2", "list-4"]
    tagged = client.count_open_workflow_executions(
        domain=DOMAIN, startTimeFilter=oldest, tagFilter={"tag": "even"}
    )
    assert tagged["count"] == 3
    closed = client.list_closed_workflow_executions(
        domain=DOMAIN, closeTimeFilter=oldest, closeStatusFilter={"status": "TERMINATED"}
    )
    assert [i["execution"]["workflowId"] for i in closed["executionInfos"]] == ["list-3"]
    assert closed["executionInfos"][0]["closeStatus"] == "TERMINATED"
    by_id = client.count_closed_workflow_executions(
        domain=DOMAIN, startTimeFilter=oldest, executionFilter={"workflowId": "list-0"}
    )
    assert by_id["count"] == 0
    window = client.count_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": clock.now - 3, "latestDate": clock.now}
    )
    assert window["count"] == 2  # list-2 and list-4 (list-3 is closed)
    with pytest.raises(client.exceptions.ClientError, match="mutually exclusive"):
        client.count_open_workflow_executions(
            domain=DOMAIN,
            startTimeFilter=oldest,
            tagFilter={"tag": "x"},
            typeFilter={"name": "wf"},
        )


def test_pending_activity_task_count(swf, client):
    _start(client, "pending")
    _decide(client, [schedule(f"p{i}") for i in range(3)])
    count = client.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "activities"})
    assert count["count"] == 3
    client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})
    count = client.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "activities"})
    assert count["count"] == 2


def test_domain_and_type_lifecycle(swf, client):
    arn = client.describe_domain(name=DOMAIN)["domainInfo"]["arn"]
    client.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "a"}])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    client.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == []
    with pytest.raises(client.exceptions.TypeAlreadyExistsFault):
        client.register_activity_type(domain=DOMAIN, **ACTIVITY)
    client.deprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    listed = client.list_activity_types(domain=DOMAIN, registrationStatus="DEPRECATED")
    assert [t["activityType"] for t in listed["typeInfos"]] == [ACTIVITY]
    client.undeprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    client.deprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    with pytest.raises(client.exceptions.TypeDeprecatedFault):
        _start(client, "deprecated")
    client.delete_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.describe_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    client.deprecate_domain(name=DOMAIN)
    assert client.list_domains(registrationStatus="DEPRECATED")["domainInfos"][0]["name"] == (
        DOMAIN
    )
    client.undeprecate_domain(name=DOMAIN)


def test_size_limits_use_swf_error_shapes(swf, client):
    with pytest.raises(client.exceptions.ClientError) as caught:
        _start(client, "big", input="x" * 32_769)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(client.exceptions.ClientError, match="tagList"):
        _start(client, "tags", tagList=[f"t{i}" for i in range(6)])


def test_describe_execution_matches_output_shape(swf, client):
    run = _start(client, "described")
    status, body = raw_call(
        swf.endpoint_url,
        "DescribeWorkflowExecution",
        {"domain": DOMAIN, "execution": {"workflowId": "described", "runId": run}},
    )
    assert status == 200
    assert output_errors("DescribeWorkflowExecution", body) == []
    assert body["openCounts"]["openDecisionTasks"] == 1


def test_domain_arns_name_the_signed_region_and_the_account(swf, client):
    assert client.describe_domain(name=DOMAIN)["domainInfo"]["arn"] == (
        f"arn:aws:swf:us-east-1:123456789012:/domain/{DOMAIN}"
    )
    ireland = swf.client(region_name="eu-west-1")
    arn = ireland.describe_domain(name=DOMAIN)["domainInfo"]["arn"]
    assert arn == f"arn:aws:swf:eu-west-1:123456789012:/domain/{DOMAIN}"
    ireland.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}])
    assert ireland.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "k", "value": "v"}]
    ireland.untag_resource(resourceArn=arn, tagKeys=["k"])


def test_the_account_id_is_settable():
    with LocalSWF(account_id="111122223333", poll_timeout=0.5) as other:
        client = other.client(region_name="ap-south-1")
        client.register_domain(name="acct", workflowExecutionRetentionPeriodInDays="1")
        arn = client.describe_domain(name="acct")["domainInfo"]["arn"]
    assert arn == "arn:aws:swf:ap-south-1:111122223333:/domain/acct"


def test_region_of_a_request_comes_from_its_credential_scope():
    from swfobjects.local._protocol import signed_region

    header = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/eu-central-1/swf/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc"
    )
    assert signed_region(header) == "eu-central-1"
    assert signed_region(None) is None
    assert signed_region("Basic Zm9vOmJhcg==") is None


@pytest.mark.parametrize(
    "bad",
    [
        schedule("a:1"),
        decision("StartTimer", timerId="t|1", startToFireTimeout="5"),
        decision("RecordMarker", markerName="arn"),
        decision("SignalExternalWorkflowExecution", workflowId="w", signalName="s/1"),
    ],
)
def test_decisions_that_create_badly_named_things_are_refused_whole(swf, client, bad):
    from botocore.exceptions import ClientError

    run = _start(client, f"named-{bad['decisionType']}")
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    good = decision("RecordMarker", markerName="fine")
    with pytest.raises(ClientError, match="SWF names and ids must not contain") as raised:
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[good, bad])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    events = client.get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": f"named-{bad['decisionType']}", "runId": run}
    )["events"]
    assert [e["eventType"] for e in events] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]


def test_resource_tags_as_swf_limits_them(swf, client):
    from botocore.exceptions import ClientError

    many = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as raised:
        client.register_domain(name="tagged", workflowExecutionRetentionPeriodInDays="1", tags=many)
    assert raised.value.response["Error"]["Code"] == "TooManyTagsFault"
    assert "tagged" not in [
        d["name"] for d in client.list_domains(registrationStatus="REGISTERED")["domainInfos"]
    ]
    client.register_domain(
        name="tagged", workflowExecutionRetentionPeriodInDays="1", tags=many[:50]
    )
    arn = client.describe_domain(name="tagged")["domainInfo"]["arn"]
    with pytest.raises(ClientError) as raised:
        client.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert raised.value.response["Error"]["Code"] == "TooManyTagsFault"
    client.untag_resource(resourceArn=arn, tagKeys=["k0"])
    with pytest.raises(ClientError) as raised:
        client.tag_resource(resourceArn=arn, tags=[{"key": "semi;colon", "value": "v"}])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    client.tag_resource(resourceArn=arn, tags=[{"key": "team: ops/eu=1+2-@", "value": "Équipe 7"}])
    assert len(client.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
