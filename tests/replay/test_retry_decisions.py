"""Retries decided from the failure: ``RetryPolicy(retry_if=..., retry_timeouts=...,
delay_for=...)`` (issue 18), on the SerialExecutor and on hand-written histories."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from swfobjects import (
    ActivityTaskError,
    RetryPolicy,
    SerialExecutor,
    WorkflowExecutionError,
    activity_task,
    decision_task,
)
from swfobjects.exceptions import (
    ActivityTaskTimeoutError,
    DeclarationError,
    NonDeterministicCallError,
)
from swfobjects.replay import decide
from tests.helpers.histories import History, attrs, kinds


class HttpError(Exception):
    """What an HTTP client raises: the status, and the server's Retry-After, as details."""

    def __init__(self, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.details = {"status": status, "retry_after": retry_after}


def transient(error: ActivityTaskError) -> bool:
    return bool(error.details) and error.details["status"] in (429, 503)


def server_delay(error: ActivityTaskError) -> float | None:
    return (error.details or {}).get("retry_after")


HTTP_RETRY = RetryPolicy(max_attempts=5, retry_if=transient, delay_for=server_delay)
ANSWERS: dict[str, list[HttpError | None]] = {}
SEEN: list[tuple[str, int]] = []


@activity_task(task_list="retry-http", retry=HTTP_RETRY)
def fetch(key: str) -> str:
    answer = ANSWERS[key].pop(0)
    SEEN.append((key, len(ANSWERS[key])))
    if answer is not None:
        raise answer
    return f"{key}: ok"


@decision_task(task_list="retry-flows")
async def fetch_flow(key: str) -> str:
    try:
        return await fetch(key)
    except ActivityTaskError as error:
        return f"gave up after attempt {error.attempt}: {error.message}"


def _timers(handle: Any) -> list[str]:
    return [
        e["timerStartedEventAttributes"]["startToFireTimeout"]
        for e in handle.history()
        if e["eventType"] == "TimerStarted"
    ]


def test_503_is_retried_after_the_servers_retry_after_and_400_never() -> None:
    executor = SerialExecutor(check_replay=True)
    ANSWERS["busy"] = [HttpError(503, retry_after=7), HttpError(503, retry_after=2), None]
    handle = executor.start(fetch_flow, "busy")
    assert handle.result() == "busy: ok"
    assert _timers(handle) == ["7", "2"]

    ANSWERS["bad"] = [HttpError(400), None]
    handle = executor.start(fetch_flow, "bad")
    assert handle.result() == "gave up after attempt 1: HTTP 400"
    assert _timers(handle) == []
    assert ANSWERS["bad"] == [None]  # never tried again


def test_delay_for_none_falls_back_to_the_backoff_and_max_attempts_still_bounds() -> None:
    ANSWERS["slow"] = [HttpError(503)] * 5
    handle = SerialExecutor().start(fetch_flow, "slow")
    assert handle.result() == "gave up after attempt 5: HTTP 503"
    assert _timers(handle) == ["1", "2", "4", "8"]  # RetryPolicy's default backoff


def test_the_predicate_sees_the_failure_and_its_attempt() -> None:
    seen: list[tuple[str, str, int, Any]] = []

    def judge(error: ActivityTaskError) -> bool:
        seen.append((error.type_name, error.message, error.attempt, error.details))
        return error.attempt < 2

    @activity_task(task_list="retry-http", retry=RetryPolicy(max_attempts=9, retry_if=judge))
    def always_fails() -> None:
        raise HttpError(502, retry_after=1)

    @decision_task(task_list="retry-flows")
    async def flow() -> int:
        try:
            await always_fails()
        except ActivityTaskError as error:
            return error.attempt
        return 0

    assert SerialExecutor().run(flow) == 2
    name = f"{__name__}.HttpError"
    assert seen[:2] == [
        (name, "HTTP 502", 1, {"status": 502, "retry_after": 1}),
        (name, "HTTP 502", 2, {"status": 502, "retry_after": 1}),
    ]


def test_the_predicate_runs_under_the_determinism_guard() -> None:
    def by_the_clock(error: ActivityTaskError) -> bool:
        return time.time() > 0

    @activity_task(task_list="retry-http", retry=RetryPolicy(retry_if=by_the_clock))
    def fails() -> None:
        raise HttpError(503)

    @decision_task(task_list="retry-flows")
    async def flow() -> None:
        await fails()

    handle = SerialExecutor().start(flow)
    with pytest.raises(NonDeterministicCallError, match="time.time.*by_the_clock"):
        handle.result()


def test_a_predicate_that_does_not_answer_a_bool_fails_where_the_workflow_awaits() -> None:
    @activity_task(
        task_list="retry-http",
        retry=RetryPolicy(retry_if=lambda error: error.details),  # type: ignore[arg-type,return-value]
    )
    def fails() -> None:
        raise HttpError(503)

    @decision_task(task_list="retry-flows")
    async def flow() -> str:
        try:
            await fails()
        except TypeError as error:
            return str(error)
        return "no error"

    message = SerialExecutor().run(flow)
    assert "retry_if" in message and "must return True (retry) or False" in message


def test_a_negative_delay_fails_the_call_with_a_clear_error() -> None:
    @activity_task(task_list="retry-http", retry=RetryPolicy(delay_for=lambda error: -1))
    def fails() -> None:
        raise HttpError(503)

    @decision_task(task_list="retry-flows")
    async def flow() -> None:
        await fails()

    with pytest.raises(WorkflowExecutionError, match="a delay must be zero or more seconds"):
        SerialExecutor().run(flow)


# --- timeouts, on hand-written histories ------------------------------------------------


def _timed_out(policy: RetryPolicy, timeout_type: str) -> list[str]:
    @activity_task(task_list="retry-http", name="retry.slow", retry=policy)
    def slow() -> int:
        return 1

    @decision_task(task_list="retry-flows", name="retry.timeouts")
    async def flow() -> str:
        try:
            return str(await slow())
        except ActivityTaskTimeoutError as error:
            return f"timed out: {error.timeout_type}"

    history = History().started(flow, {})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "retry.slow", "1.0")
    history.add(
        "ActivityTaskTimedOut",
        timeoutType=timeout_type,
        scheduledEventId=scheduled,
        startedEventId=0,
    )
    history.decision(completed=False)
    decisions = decide(flow, history.events)
    found = kinds(decisions)
    if found == ["CompleteWorkflowExecution"]:
        return [json.loads(attrs(decisions[0])["result"])]
    return found


@pytest.mark.parametrize(
    ("retry_timeouts", "timeout_type", "expected"),
    [
        (True, "START_TO_CLOSE", ["StartTimer"]),
        (False, "START_TO_CLOSE", ["timed out: START_TO_CLOSE"]),
        ({"HEARTBEAT"}, "HEARTBEAT", ["StartTimer"]),
        ({"HEARTBEAT"}, "SCHEDULE_TO_START", ["timed out: SCHEDULE_TO_START"]),
    ],
)
def test_retry_timeouts_chooses_which_timeouts_are_retried(
    retry_timeouts: Any, timeout_type: str, expected: list[str]
) -> None:
    policy = RetryPolicy(retry_timeouts=retry_timeouts)
    assert _timed_out(policy, timeout_type) == expected


def test_the_predicate_sees_the_timeout_type() -> None:
    policy = RetryPolicy(
        retry_if=lambda error: getattr(error, "timeout_type", "") == "HEARTBEAT",
        delay_for=lambda error: timedelta(minutes=2),
    )
    assert _timed_out(policy, "START_TO_CLOSE") == ["timed out: START_TO_CLOSE"]
    assert _timed_out(policy, "HEARTBEAT") == ["StartTimer"]


def test_retry_policy_options_are_checked() -> None:
    with pytest.raises(DeclarationError, match="unknown timeout type.*'START'"):
        RetryPolicy(retry_timeouts={"START"})
    with pytest.raises(DeclarationError, match="the string 'HEARTBEAT'"):
        RetryPolicy(retry_timeouts="HEARTBEAT")
    with pytest.raises(DeclarationError, match="retry_if must be a function"):
        RetryPolicy(retry_if=True)  # type: ignore[arg-type]
    with pytest.raises(DeclarationError, match="delay_for must be a function"):
        RetryPolicy(delay_for=3)  # type: ignore[arg-type]
    policy = RetryPolicy(retry_timeouts=["HEARTBEAT"])
    assert policy.retry_timeouts == frozenset({"HEARTBEAT"})
    assert policy.retries_timeout("HEARTBEAT") and not policy.retries_timeout("START_TO_CLOSE")
