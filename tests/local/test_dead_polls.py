"""A long poll whose client has gone (a killed worker) must not take the next task."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._server import _Handler
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


def _cut_before_first_task(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Make the first answer that hands over a task fail to write, as when the worker's
    connection is gone between the hand-over and the write: the server's side of the socket
    is shut for writing, so the real write fails with ``BrokenPipeError``. Returns the list the
    cut answers are appended to."""
    cut: list[bytes] = []
    send = _Handler._send

    def failing_send(self: _Handler, status: int, body: bytes, *args: Any) -> None:
        if not cut and b'"taskToken"' in body:
            cut.append(body)
            self.connection.shutdown(socket.SHUT_WR)
        send(self, status, body, *args)

    monkeypatch.setattr(_Handler, "_send", failing_send)
    return cut


def _raw_poll(swf: LocalSWF, operation: str, task_list: str) -> None:
    """A poll whose answer is cut: the client sees the connection end, not a task."""
    conn = _open_poll(swf, operation, task_list)
    try:
        with pytest.raises((http.client.HTTPException, OSError)):
            conn.getresponse().read()
    finally:
        conn.close()


def _types(client: Any, workflow_id: str, run_id: str) -> list[str]:
    events = client.get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": workflow_id, "runId": run_id}
    )["events"]
    return [e["eventType"] for e in events]


def test_a_decision_task_whose_answer_cannot_be_written_goes_to_a_live_poll_at_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cut = _cut_before_first_task(monkeypatch)
    db = tmp_path / "journal.db"
    with LocalSWF(poll_timeout=3, db=db) as swf:
        client = swf.client()
        register(client)
        run = client.start_workflow_execution(
            domain=DOMAIN, workflowId="cut-decision", workflowType=WORKFLOW
        )["runId"]
        _raw_poll(swf, "PollForDecisionTask", "decisions")
        assert cut, "the hand-over's write was not cut"
        started = time.monotonic()
        got = client.poll_for_decision_task(
            domain=DOMAIN, taskList={"name": "decisions"}, identity="live"
        )
        assert time.monotonic() - started < 2  # not after the 60 s task timeout
        assert got.get("taskToken")
        expected = [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskTimedOut",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
        ]
        assert [e["eventType"] for e in got["events"]] == expected
        timed_out = got["events"][3]["decisionTaskTimedOutEventAttributes"]
        assert timed_out == {
            "timeoutType": "START_TO_CLOSE",
            "scheduledEventId": 2,
            "startedEventId": 3,
        }
        client.respond_decision_task_completed(
            taskToken=got["taskToken"], decisions=[schedule("a1")]
        )
        history = _types(client, "cut-decision", run)
    with LocalSWF(poll_timeout=1, db=db) as swf:  # the timeout was journaled: a replay agrees
        assert _types(swf.client(), "cut-decision", run) == history


def test_an_activity_task_whose_answer_cannot_be_written_times_out_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LocalSWF(poll_timeout=3) as swf:
        client = swf.client()
        register(client)  # activities without timeouts: only this can end the lost task
        client.start_workflow_execution(
            domain=DOMAIN, workflowId="cut-activity", workflowType=WORKFLOW
        )
        decision = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        client.respond_decision_task_completed(
            taskToken=decision["taskToken"], decisions=[schedule("a1")]
        )
        cut = _cut_before_first_task(monkeypatch)
        _raw_poll(swf, "PollForActivityTask", "activities")
        assert cut
        started = time.monotonic()
        got = client.poll_for_decision_task(
            domain=DOMAIN, taskList={"name": "decisions"}, identity="live"
        )
        assert time.monotonic() - started < 2  # the decider hears of it at once
        events = got["events"]
        assert [e["eventType"] for e in events[-4:]] == [
            "ActivityTaskStarted",
            "ActivityTaskTimedOut",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
        ]
        attributes = events[-3]["activityTaskTimedOutEventAttributes"]
        assert attributes["timeoutType"] == "START_TO_CLOSE"
        assert attributes["startedEventId"] == events[-4]["eventId"]
        # the decider retries it, and a live activity poll gets the new attempt
        client.respond_decision_task_completed(
            taskToken=got["taskToken"], decisions=[schedule("a1-retry")]
        )
        task = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})
        assert task.get("activityId") == "a1-retry"


def test_a_poll_whose_client_died_before_it_was_served_leaves_the_waiting_task() -> None:
    """The task is already queued when the poll is served, but the poll's client died while
    its request waited (here: for the engine's lock): no hand-over, a live poll gets it."""
    with LocalSWF(poll_timeout=3) as swf:
        client = swf.client()
        register(client)
        run = client.start_workflow_execution(
            domain=DOMAIN, workflowId="died-waiting", workflowType=WORKFLOW
        )["runId"]
        decision = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        client.respond_decision_task_completed(
            taskToken=decision["taskToken"], decisions=[schedule("a1")]
        )
        engine = swf.engine
        assert engine is not None
        with engine.lock:  # the poll below is read, then waits here for the lock
            dead = _open_poll(swf, "PollForActivityTask", "activities")
            time.sleep(0.3)
            dead.close()  # the worker is killed while its poll waits
            time.sleep(0.1)
        got = client.poll_for_activity_task(
            domain=DOMAIN, taskList={"name": "activities"}, identity="live"
        )
        assert got.get("activityId") == "a1"
        assert "ActivityTaskTimedOut" not in _types(client, "died-waiting", run)
        events = client.get_workflow_execution_history(
            domain=DOMAIN, execution={"workflowId": "died-waiting", "runId": run}
        )["events"]
        starts = [e for e in events if e["eventType"] == "ActivityTaskStarted"]
        assert [e["activityTaskStartedEventAttributes"]["identity"] for e in starts] == ["live"]
