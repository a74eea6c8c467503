"""Manual activity completion: wrapped tokens, answers by token, the SerialExecutor's wait."""

from __future__ import annotations

import logging

import pytest

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task
from swfobjects.exceptions import DeclarationError, UnknownActivityTypeError
from swfobjects.worker._manual import MANUAL_TOKEN_PREFIX, manual_token, parse_manual_token

TOKENS: list[str] = []


class Desk(ActivityWorker, task_list="mc-desk"):
    @activity_task(manual_completion=True, start_to_close_timeout=3600)
    def sign(self, paper: str) -> int:
        TOKENS.append(self.activity_task.task_token)
        return None  # type: ignore[return-value]  # answered by complete_activity

    @activity_task(manual_completion=True, start_to_close_timeout=3600)
    def sign_and_return(self, paper: str) -> int:
        TOKENS.append(self.activity_task.task_token)
        return 7


class Office(Workflow, task_list="mc-office"):
    desk = Desk.client()

    @decision_task
    async def run(self, paper: str, returning: bool = False) -> int:
        if returning:
            return await self.desk.sign_and_return(paper)
        return await self.desk.sign(paper)


def test_tokens_round_trip_and_damage_is_named() -> None:
    activity = Desk._swf_activities["sign"]
    task = {"taskToken": "T/o+k=", "workflowExecution": {"workflowId": "w", "runId": "r"}}
    token = manual_token(activity, task)
    assert token.startswith(MANUAL_TOKEN_PREFIX) and "=" not in token and "/" not in token
    assert parse_manual_token(token) == (
        "Desk.sign",
        "1.0",
        {"workflow_id": "w", "run_id": "r"},
        "T/o+k=",
    )
    assert parse_manual_token("raw-swf-token") is None
    with pytest.raises(ValueError, match="damaged"):
        parse_manual_token(MANUAL_TOKEN_PREFIX + "!!")
    with pytest.raises(TypeError, match="non-empty string"):
        parse_manual_token("")


def test_the_serial_executor_waits_for_the_answer_then_runs_on() -> None:
    TOKENS.clear()
    executor = SerialExecutor()
    handle = executor.start(Office, "lease")
    executor.run_until_idle()
    executor.run_until_idle()  # nothing skips time to the activity's timeout
    assert handle.is_open() and len(TOKENS) == 1
    executor.complete_activity(TOKENS[0], 42)
    assert handle.result() == 42


def test_skipping_time_times_the_unanswered_activity_out() -> None:
    TOKENS.clear()
    executor = SerialExecutor()
    handle = executor.start(Office, "lease")
    with pytest.raises(ValueError, match="'wait' or 'skip'"):
        executor.run_until_idle(manual="later")  # type: ignore[arg-type]
    executor.run_until_idle(manual="skip")
    assert not handle.is_open()
    with pytest.raises(Exception, match="START_TO_CLOSE"):
        handle.result()


def test_a_raw_swf_token_is_answered_unchecked() -> None:
    TOKENS.clear()
    executor = SerialExecutor()
    handle = executor.start(Office, "lease")
    executor.run_until_idle()
    _, _, _, raw = parse_manual_token(TOKENS[0])  # type: ignore[misc]
    executor.complete_activity(raw, 5)
    assert handle.result() == 5


def test_a_token_of_a_type_unknown_here_is_refused() -> None:
    activity = Desk._swf_activities["sign"]
    token = manual_token(
        type(activity)(**{**activity.__dict__, "name": "Elsewhere.sign"}),
        {"taskToken": "t", "workflowExecution": {}},
    )
    with pytest.raises(UnknownActivityTypeError, match="import the module"):
        SerialExecutor().complete_activity(token, 1)


def test_a_value_returned_by_a_manual_activity_is_ignored_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    TOKENS.clear()
    executor = SerialExecutor()
    handle = executor.start(Office, "lease", True)
    with caplog.at_level(logging.WARNING, logger="swfobjects.activity"):
        executor.run_until_idle()
    assert "returned 7, which is ignored" in caplog.text
    executor.complete_activity(TOKENS[0], 1)
    assert handle.result() == 1


def test_manual_completion_must_be_a_bool() -> None:
    with pytest.raises(DeclarationError, match="True or False"):
        activity_task(manual_completion="yes")  # type: ignore[call-overload]
