"""The same scenario against ``swfobjects local`` and moto's server, on the subset moto supports.

moto is an independent implementation of SWF's API, so agreement on event-type sequences and
attribute names is evidence that both follow SWF. Known moto gaps (``../shared/moto-notes.md``)
are avoided rather than worked around (moto schedules a second decision task when one is
already scheduled, so the scenario decides before new events arrive); attributes moto leaves out
of events that SWF records are listed in ``MOTO_OMITS``.
"""

from __future__ import annotations

import boto3
import pytest

from swfobjects.local import LocalSWF
from tests.helpers.local_support import ACTIVITY, WORKFLOW, decision, register, schedule

pytestmark = pytest.mark.e2e

DOMAIN = "compare"
MOTO_OMITS = {
    "WorkflowExecutionStarted": {"tagList"},
    "ActivityTaskScheduled": {
        "heartbeatTimeout",
        "scheduleToCloseTimeout",
        "scheduleToStartTimeout",
        "startToCloseTimeout",
    },
}


def _client(endpoint):
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def _scenario(client):
    """Activity (with heartbeat), marker, a refused schedule, a signal, completion."""
    register(client, DOMAIN, {"defaultTaskStartToCloseTimeout": "300"})
    run = client.start_workflow_execution(
        domain=DOMAIN, workflowId="cmp", workflowType=WORKFLOW, input="start", tagList=["t"]
    )["runId"]
    task = client.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "decisions"}, identity="d"
    )
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            schedule("a1", input="x"),
            schedule("a1", input="again"),  # ACTIVITY_ID_ALREADY_IN_USE
            schedule("a2", activityType={"name": "missing", "version": "1"}),
            decision("RecordMarker", markerName="m", details="d"),
        ],
    )
    task = client.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "decisions"}, identity="d"
    )
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    activity = client.poll_for_activity_task(
        domain=DOMAIN, taskList={"name": "activities"}, identity="w"
    )
    client.record_activity_task_heartbeat(taskToken=activity["taskToken"], details="half")
    client.respond_activity_task_completed(taskToken=activity["taskToken"], result="r")
    task = client.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "decisions"}, identity="d"
    )
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    client.signal_workflow_execution(domain=DOMAIN, workflowId="cmp", signalName="go", input="i")
    task = client.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "decisions"}, identity="d"
    )
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[decision("CompleteWorkflowExecution", result="done")],
    )
    history = client.get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": "cmp", "runId": run}
    )["events"]
    info = client.describe_workflow_execution(
        domain=DOMAIN, execution={"workflowId": "cmp", "runId": run}
    )["executionInfo"]
    return history, info


def _shape(events, omit=None):
    out = []
    for event in events:
        key = next(k for k in event if k.endswith("EventAttributes"))
        left_out = (omit or {}).get(event["eventType"], set())
        out.append((event["eventType"], sorted(set(event[key]) - left_out)))
    return out


def test_same_history_as_moto(moto_endpoint):
    with LocalSWF(poll_timeout=1) as swf:
        ours, our_info = _scenario(swf.client())
    theirs, their_info = _scenario(_client(moto_endpoint))
    assert [e["eventType"] for e in ours] == [e["eventType"] for e in theirs]
    differences = [
        (index, mine, other)
        for index, (mine, other) in enumerate(
            zip(_shape(ours, MOTO_OMITS), _shape(theirs), strict=True)
        )
        if mine != other
    ]
    assert differences == []
    assert _shape(ours) != _shape(ours, MOTO_OMITS)  # SWF's attributes are really there
    for key in ("executionStatus", "closeStatus", "tagList", "workflowType", "cancelRequested"):
        assert our_info.get(key) == their_info.get(key), key
    failed = [e for e in ours if e["eventType"] == "ScheduleActivityTaskFailed"]
    causes = [e["scheduleActivityTaskFailedEventAttributes"]["cause"] for e in failed]
    their_failed = [e for e in theirs if e["eventType"] == "ScheduleActivityTaskFailed"]
    assert causes == [e["scheduleActivityTaskFailedEventAttributes"]["cause"] for e in their_failed]
    assert ACTIVITY in [
        e["scheduleActivityTaskFailedEventAttributes"]["activityType"] for e in failed
    ]
