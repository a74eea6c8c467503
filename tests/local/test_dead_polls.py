"""A long poll whose client has gone (a killed worker) must not take the next task."""

from __future__ import annotations

import http.client
import json
import time

from swfobjects.local import LocalSWF
from tests.helpers.local_support import DOMAIN, WORKFLOW, register, schedule


def _open_poll(swf: LocalSWF, operation: str, task_list: str) -> http.client.HTTPConnection:
    """Send a long poll and leave it waiting, as a worker does until it is killed."""
    conn = http.client.HTTPConnection("127.0.0.1", swf.port, timeout=10)
    body = json.dumps({"domain": DOMAIN, "taskList": {"name": task_list}, "identity": "dead"})
    conn.request(
        "POST",
        "/",
        body=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
        },
    )
    return conn


def test_a_dead_activity_poll_leaves_the_task_to_a_live_one() -> None:
    with LocalSWF(poll_timeout=3) as swf:
        client = swf.client()
        register(client)
        run = client.start_workflow_execution(
            domain=DOMAIN, workflowId="dead-poll", workflowType=WORKFLOW
        )["runId"]
        decision = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        dead = [_open_poll(swf, "PollForActivityTask", "activities") for _ in range(3)]
        time.sleep(0.3)  # the polls are waiting in the service
        for conn in dead:
            conn.close()  # the worker is killed: its sockets close
        time.sleep(0.1)
        client.respond_decision_task_completed(
            taskToken=decision["taskToken"], decisions=[schedule("a1")]
        )
        started = time.monotonic()
        got = client.poll_for_activity_task(
            domain=DOMAIN, taskList={"name": "activities"}, identity="live"
        )
        assert got.get("activityId") == "a1"
        assert time.monotonic() - started < 2  # not after a dead poll's task timed out
        events = client.get_workflow_execution_history(
            domain=DOMAIN, execution={"workflowId": "dead-poll", "runId": run}
        )["events"]
        starts = [e for e in events if e["eventType"] == "ActivityTaskStarted"]
        assert [e["activityTaskStartedEventAttributes"]["identity"] for e in starts] == ["live"]
