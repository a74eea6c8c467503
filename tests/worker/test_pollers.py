"""The poll loops against botocore's Stubber: pagination, empty polls, throttling, failures."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import threading
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from swfobjects import ActivityWorker, Workflow, activity_task, decision_task
from swfobjects.swf.limits import MAX_HEARTBEAT_DETAILS
from swfobjects.worker._pollers import ActivityWorkerRunner, DecisionWorker
from swfobjects.worker._retrying import Backoff
from tests.helpers.histories import History

DOMAIN = "pollers"
NO_WAIT = Backoff(base=0.0, cap=0.0, attempts=4, respond_attempts=3)


class Shouter(ActivityWorker, task_list="pollers-shout", version="1.0"):
    def __init__(self) -> None:
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()
        self.cancel_seen: list[bool] = []

    @activity_task
    def shout(self, text: str) -> str:
        self.started.set()
        self.release.wait(10)
        return text.upper()

    @activity_task
    def explode(self, text: str) -> str:
        raise ValueError("boom " + text * 200)

    @activity_task
    def patient(self, text: str) -> str:
        self.cancel_seen.append(self.heartbeat({"progress": text}))
        return "done"

    @activity_task
    def chatty(self, text: str) -> str:
        self.heartbeat("x" * (MAX_HEARTBEAT_DETAILS + 1))
        return "unreachable"

    @activity_task
    def terminate_me(self, text: str) -> str:
        os.kill(os.getpid(), signal.SIGTERM)
        return text


class Shout(Workflow, task_list="pollers-decide", version="1.0"):
    shouter = Shouter.client()

    @decision_task
    async def run(self, text: str) -> str:
        return await self.shouter.shout(text)


class Renamed(Workflow, task_list="pollers-decide", version="1.0"):
    shouter = Shouter.client()

    @decision_task
    async def run(self, text: str) -> str:
        return await self.shouter.explode(text)


class ReadsTheClock(Workflow, task_list="pollers-decide", version="1.0"):
    @decision_task
    async def run(self) -> float:
        import time

        return time.time()


class LenientStubber(Stubber):
    """A Stubber that also accepts what SWF and moto really send for an empty poll.

    Real SWF answers an empty poll with ``taskToken: ""`` and moto with no ``taskToken`` at
    all; both miss members the model marks as required, which the plain Stubber refuses.
    """

    def _validate_operation_response(self, operation_name: str, response: Any) -> None:
        if response.get("taskToken"):
            super()._validate_operation_response(operation_name, response)


def stubbed() -> tuple[Any, Stubber]:
    client = boto3.client(
        "swf",
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )
    return client, LenientStubber(client)


def boto_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History events as boto3 returns them (datetime stamps, no ``None`` attributes)."""
    out = []
    for event in events:
        event = dict(event)
        event["eventTimestamp"] = dt.datetime.fromtimestamp(
            event["eventTimestamp"], dt.timezone.utc
        )
        for key, value in list(event.items()):
            if key.endswith("EventAttributes"):
                event[key] = {k: v for k, v in value.items() if v is not None}
        out.append(event)
    return out


def decision_task_response(
    events: list[dict[str, Any]], workflow: type = Shout, **extra: Any
) -> dict[str, Any]:
    kind = workflow.workflow_type()
    started = max(
        [e["eventId"] for e in events if e["eventType"] == "DecisionTaskStarted"], default=0
    )
    return {
        "taskToken": "token-1",
        "startedEventId": started,
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "workflowType": {"name": kind.name, "version": kind.version},
        "events": boto_events(events),
        **extra,
    }


def completed_history() -> list[dict[str, Any]]:
    """Shout("hi") whose activity returned "HI": the next decision completes the workflow."""
    history = History().started(Shout, {"text": "hi"})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Shouter.shout", input={"text": "hi"})
    history.completed(scheduled, "HI")
    history.decision(completed=False)
    return history.events


def poll_params(token: str | None = None) -> dict[str, Any]:
    params = {
        "domain": DOMAIN,
        "taskList": {"name": "pollers-decide"},
        "identity": "tester",
        "maximumPageSize": 1000,
        "startAtPreviousStartedEvent": True,
    }
    if token:
        params["nextPageToken"] = token
    return params


def decider(client: Any, **options: Any) -> DecisionWorker:
    return DecisionWorker(client, DOMAIN, [Shout], identity="tester", backoff=NO_WAIT, **options)


# --- decision tasks -------------------------------------------------------------------------


def test_decider_reads_every_history_page_before_deciding() -> None:
    client, stub = stubbed()
    events = completed_history()
    first = decision_task_response(events[:4], nextPageToken="page-2")
    first["startedEventId"] = events[-1]["eventId"]
    stub.add_response("poll_for_decision_task", first, poll_params())
    second = decision_task_response(events[4:-1], nextPageToken="page-3")
    stub.add_response("poll_for_decision_task", second, poll_params("page-2"))
    third = decision_task_response(events[-1:])
    stub.add_response("poll_for_decision_task", third, poll_params("page-3"))
    complete = {
        "decisionType": "CompleteWorkflowExecution",
        "completeWorkflowExecutionDecisionAttributes": {"result": json.dumps("HI")},
    }
    stub.add_response(
        "respond_decision_task_completed", {}, {"taskToken": "token-1", "decisions": [complete]}
    )
    with stub:
        assert decider(client).poll_once("pollers-decide") is True
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    "response", [{"taskToken": "", "startedEventId": 0}, {"startedEventId": 0}]
)
def test_empty_poll_is_not_a_task(response: dict[str, Any]) -> None:
    client, stub = stubbed()
    stub.add_response("poll_for_decision_task", response, poll_params())
    with stub:
        assert decider(client).poll_once("pollers-decide") is False
    stub.assert_no_pending_responses()


def test_throttled_poll_is_retried() -> None:
    client, stub = stubbed()
    stub.add_client_error("poll_for_decision_task", "ThrottlingException", http_status_code=400)
    stub.add_client_error("poll_for_decision_task", "LimitExceededFault", http_status_code=400)
    stub.add_client_error("poll_for_decision_task", "InternalFailure", http_status_code=500)
    stub.add_response("poll_for_decision_task", {"taskToken": "", "startedEventId": 0})
    worker = decider(client)
    with stub:
        assert worker.poll_once("pollers-decide") is False
    stub.assert_no_pending_responses()
    assert worker.client.retries == 3


def test_poll_gives_up_after_its_attempts() -> None:
    client, stub = stubbed()
    for _ in range(NO_WAIT.attempts):
        stub.add_client_error("poll_for_decision_task", "ThrottlingException")
    with stub, pytest.raises(Exception, match="ThrottlingException"):
        decider(client).poll_once("pollers-decide")
    stub.assert_no_pending_responses()


def test_non_retryable_error_is_not_retried() -> None:
    client, stub = stubbed()
    stub.add_client_error("poll_for_decision_task", "UnknownResourceFault")
    with stub, pytest.raises(Exception, match="UnknownResourceFault"):
        decider(client).poll_once("pollers-decide")
    stub.assert_no_pending_responses()


def test_throttled_respond_is_retried_until_delivered() -> None:
    client, stub = stubbed()
    stub.add_response("poll_for_decision_task", decision_task_response(completed_history()))
    stub.add_client_error("respond_decision_task_completed", "ThrottlingException")
    stub.add_client_error("respond_decision_task_completed", "ServiceUnavailable", 503)
    stub.add_response(
        "respond_decision_task_completed", {}, {"taskToken": "token-1", "decisions": ANY}
    )
    with stub:
        decider(client).poll_once("pollers-decide")
    stub.assert_no_pending_responses()


def test_undeliverable_respond_is_logged_and_the_worker_goes_on(caplog) -> None:
    client, stub = stubbed()
    stub.add_response("poll_for_decision_task", decision_task_response(completed_history()))
    for _ in range(NO_WAIT.respond_attempts):
        stub.add_client_error("respond_decision_task_completed", "ThrottlingException")
    stub.add_response("poll_for_decision_task", {"taskToken": "", "startedEventId": 0})
    worker = decider(client)
    with stub, caplog.at_level(logging.ERROR, logger="swfobjects.workers"):
        assert worker.poll_once("pollers-decide") is True
        assert worker.poll_once("pollers-decide") is False
    stub.assert_no_pending_responses()
    assert "wf-1" in caplog.text and "could not be delivered" in caplog.text


def test_nondeterminism_is_logged_and_the_task_left_to_time_out(caplog) -> None:
    """History says ``shout`` was scheduled; ``Renamed`` code schedules ``explode``."""
    history = History().started(Renamed, {"text": "hi"})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Shouter.shout", input={"text": "hi"})
    history.completed(scheduled, "HI")
    history.decision(completed=False)
    client, stub = stubbed()
    stub.add_response(
        "poll_for_decision_task", decision_task_response(history.events, workflow=Renamed)
    )
    worker = DecisionWorker(client, DOMAIN, [Renamed], identity="tester", backoff=NO_WAIT)
    with stub, caplog.at_level(logging.ERROR, logger="swfobjects.workers"):
        assert worker.poll_once("pollers-decide") is True  # no respond call was stubbed
    stub.assert_no_pending_responses()
    assert worker.failed_decisions == 1
    record = next(r for r in caplog.records if "decider failed" in r.getMessage())
    message = record.getMessage()
    assert "wf-1" in message and "run-1" in message and "NonDeterminismError" in message
    assert f"at event {scheduled}:" in message


def test_the_decision_worker_checks_determinism_unless_told_not_to(caplog) -> None:
    history = History().started(ReadsTheClock)
    history.decision(completed=False)
    client, stub = stubbed()
    stub.add_response(
        "poll_for_decision_task", decision_task_response(history.events, workflow=ReadsTheClock)
    )
    worker = DecisionWorker(client, DOMAIN, [ReadsTheClock], identity="tester", backoff=NO_WAIT)
    with stub, caplog.at_level(logging.ERROR, logger="swfobjects.workers"):
        assert worker.poll_once("pollers-decide") is True  # no respond call was stubbed
    assert worker.failed_decisions == 1
    message = next(r for r in caplog.records if "decider failed" in r.getMessage()).getMessage()
    assert "NonDeterministicCallError" in message and "time.time() called at" in message
    unchecked = DecisionWorker(client, DOMAIN, [ReadsTheClock], check_determinism=False)
    assert unchecked.handler.strict is False and worker.handler.strict is True


def test_a_malformed_history_is_logged_with_its_cause_and_the_worker_goes_on(caplog) -> None:
    """A duplicated WorkflowExecutionStarted: each delivery fails alone, no crash, no loop."""
    history = History().started(Shout, {"text": "hi"})
    history.started(Shout, {"text": "hi"})
    history.decision(completed=False)
    client, stub = stubbed()
    for _ in range(2):  # SWF hands the timed-out task out again
        stub.add_response("poll_for_decision_task", decision_task_response(history.events))
    stub.add_response("poll_for_decision_task", {"taskToken": "", "startedEventId": 0})
    worker = decider(client)
    with stub, caplog.at_level(logging.ERROR, logger="swfobjects.workers"):
        assert worker.poll_once("pollers-decide") is True  # no respond call was stubbed
        assert worker.poll_once("pollers-decide") is True
        assert worker.poll_once("pollers-decide") is False
    stub.assert_no_pending_responses()
    assert worker.failed_decisions == 2
    records = [r for r in caplog.records if "decider failed" in r.getMessage()]
    assert len(records) == 2
    message = records[0].getMessage()
    assert "wf-1" in message and "HistoryError" in message and "at event 2 (field" in message
    assert "second WorkflowExecutionStarted" in message and "malformed" in message
    assert not records[0].exc_info  # a one-line cause, not a traceback


def test_unknown_workflow_type_is_logged_not_answered(caplog) -> None:
    client, stub = stubbed()
    response = decision_task_response(completed_history())
    response["workflowType"] = {"name": "NoSuchWorkflow", "version": "9"}
    stub.add_response("poll_for_decision_task", response)
    worker = decider(client)
    with stub, caplog.at_level(logging.ERROR, logger="swfobjects.workers"):
        worker.poll_once("pollers-decide")
    stub.assert_no_pending_responses()
    assert "NoSuchWorkflow" in caplog.text and "wf-1" in caplog.text


# --- activity tasks -------------------------------------------------------------------------


def activity_task_response(name: str, text: str = "hi") -> dict[str, Any]:
    return {
        "taskToken": "act-token",
        "activityId": "1",
        "startedEventId": 7,
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": f"Shouter.{name}", "version": "1.0"},
        "input": json.dumps({"text": text}),
    }


def activity_runner(client: Any, worker: Shouter | None = None, **options: Any) -> Any:
    return ActivityWorkerRunner(
        client, DOMAIN, [worker or Shouter()], identity="tester", backoff=NO_WAIT, **options
    )


def capture(client: Any, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(
        f"provide-client-params.swf.{operation}", lambda params, **_: calls.append(params)
    )
    return calls


def test_activity_result_is_reported() -> None:
    client, stub = stubbed()
    stub.add_response("poll_for_activity_task", activity_task_response("shout"))
    stub.add_response(
        "respond_activity_task_completed", {}, {"taskToken": "act-token", "result": '"HI"'}
    )
    with stub:
        assert activity_runner(client).poll_once("pollers-shout") is True
    stub.assert_no_pending_responses()


def test_activity_error_is_reported_within_swf_limits() -> None:
    client, stub = stubbed()
    sent = capture(client, "RespondActivityTaskFailed")
    stub.add_response("poll_for_activity_task", activity_task_response("explode"))
    stub.add_client_error("respond_activity_task_failed", "ThrottlingException")
    stub.add_response("respond_activity_task_failed", {})
    with stub:
        activity_runner(client).poll_once("pollers-shout")
    stub.assert_no_pending_responses()
    params = sent[-1]
    assert params["reason"].startswith("ValueError: boom hi")
    assert len(params["reason"]) <= 256
    details = json.loads(params["details"])
    assert details["type"] == "ValueError"
    assert details["message"].startswith("boom hihi")
    assert "Traceback" in details["traceback"] and "explode" in details["traceback"]
    assert len(params["details"]) <= 32768


def test_heartbeat_reports_cancellation_requests() -> None:
    client, stub = stubbed()
    worker = Shouter()
    sent = capture(client, "RecordActivityTaskHeartbeat")
    stub.add_response("poll_for_activity_task", activity_task_response("patient", "half"))
    stub.add_response("record_activity_task_heartbeat", {"cancelRequested": True})
    stub.add_response("respond_activity_task_completed", {})
    with stub:
        activity_runner(client, worker).poll_once("pollers-shout")
    stub.assert_no_pending_responses()
    assert worker.cancel_seen == [True]
    assert sent[0]["taskToken"] == "act-token"
    assert json.loads(sent[0]["details"]) == {"progress": "half"}


def test_heartbeat_on_a_closed_task_reports_cancellation() -> None:
    client, stub = stubbed()
    worker = Shouter()
    stub.add_response("poll_for_activity_task", activity_task_response("patient"))
    stub.add_client_error("record_activity_task_heartbeat", "UnknownResourceFault")
    stub.add_client_error("respond_activity_task_completed", "UnknownResourceFault")
    with stub:
        activity_runner(client, worker).poll_once("pollers-shout")
    stub.assert_no_pending_responses()
    assert worker.cancel_seen == [True]


def test_oversized_heartbeat_details_fail_the_activity_not_the_worker() -> None:
    client, stub = stubbed()
    sent = capture(client, "RespondActivityTaskFailed")
    stub.add_response("poll_for_activity_task", activity_task_response("chatty"))
    stub.add_response("respond_activity_task_failed", {})
    with stub:
        activity_runner(client).poll_once("pollers-shout")
    stub.assert_no_pending_responses()
    assert "PayloadTooLargeError" in sent[-1]["reason"]


def test_stop_finishes_the_task_in_hand_and_answers_it() -> None:
    client, stub = stubbed()
    worker = Shouter()
    worker.release.clear()
    stub.add_response("poll_for_activity_task", activity_task_response("shout"))
    stub.add_response(
        "respond_activity_task_completed", {}, {"taskToken": "act-token", "result": '"HI"'}
    )
    runner = activity_runner(client, worker, threads=1)
    with stub:
        runner.start()
        assert worker.started.wait(10)
        runner.stop()
        assert runner.in_hand == 1
        worker.release.set()
        assert runner.join(timeout=10)
    stub.assert_no_pending_responses()
    assert runner.handled == 1 and runner.in_hand == 0


def test_sigterm_stops_run_after_the_task_in_hand() -> None:
    client, stub = stubbed()
    stub.add_response("poll_for_activity_task", activity_task_response("terminate_me"))
    stub.add_response(
        "respond_activity_task_completed", {}, {"taskToken": "act-token", "result": '"hi"'}
    )
    previous = signal.getsignal(signal.SIGTERM)
    runner = activity_runner(client, threads=1)
    with stub:
        runner.run()  # returns only because SIGTERM stopped it
    stub.assert_no_pending_responses()
    assert runner.handled == 1
    assert signal.getsignal(signal.SIGTERM) is previous
