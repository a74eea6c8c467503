"""``SWFExecutor(unawaited=...)`` against ``swfobjects local``: the same semantics as the
SerialExecutor's option (tests/testing/test_unawaited.py), since the one decider decides both.

"warn" (the default, for production) logs a warning naming the promises a completed workflow
never awaited; "error" fails the workflow with ``WorkflowCodeError`` naming them; "ignore" says
nothing. A wrong value is refused when the executor or worker is made, not in a poll thread.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from swfobjects import (
    ActivityWorker,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
)
from swfobjects.client import SWFExecutor
from swfobjects.worker import DecisionWorker

pytestmark = pytest.mark.slow


class SwfMail(ActivityWorker, task_list="swf-unawaited-mail"):
    @activity_task(start_to_close_timeout=30)
    def send(self, to: str) -> str:
        return f"sent to {to}"


class SwfForgets(Workflow, task_list="swf-unawaited-forgets"):
    mail = SwfMail.client()

    @decision_task(execution_start_to_close_timeout=60, task_start_to_close_timeout=10)
    async def run(self, to: str) -> str:
        self.mail.send(to)
        self.timer(30)
        return "done"


def _executor(local_swf: Any, **options: Any) -> SWFExecutor:
    executor = SWFExecutor(f"unawaited-{uuid.uuid4().hex[:8]}", local_swf.client(), **options)
    executor.register(SwfForgets, SwfMail)
    return executor


def test_error_fails_the_workflow_naming_the_promises(local_swf: Any) -> None:
    executor = _executor(local_swf, unawaited="error")
    with executor.running(SwfForgets, SwfMail()):
        handle = executor.start(SwfForgets, "ann")
        with pytest.raises(WorkflowExecutionError) as caught:
            handle.result(timeout=30)
    assert caught.value.reason.startswith("WorkflowCodeError: workflow SwfForgets")
    message = str(caught.value)
    assert "without awaiting 2 promise(s) it started" in message
    assert "activity SwfMail.send (1) (pending), timer t1 (pending)" in message
    assert "Did you forget `await`?" in message


def test_warn_is_the_default_and_logs_once_naming_them(
    local_swf: Any, caplog: pytest.LogCaptureFixture
) -> None:
    executor = _executor(local_swf)
    with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
        with executor.running(SwfForgets, SwfMail()):
            assert executor.start(SwfForgets, "bo").result(timeout=30) == "done"
    (record,) = [r for r in caplog.records if "without awaiting" in r.message]
    assert "activity SwfMail.send (1) (pending), timer t1 (pending)" in record.message


def test_ignore_says_nothing(local_swf: Any, caplog: pytest.LogCaptureFixture) -> None:
    executor = _executor(local_swf, unawaited="ignore")
    with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
        with executor.running(SwfForgets, SwfMail()):
            assert executor.start(SwfForgets, "cy").result(timeout=30) == "done"
    assert not [r for r in caplog.records if "without awaiting" in r.message]


def test_a_wrong_mode_is_refused_at_once(local_swf: Any) -> None:
    with pytest.raises(ValueError, match="unawaited must be 'warn', 'error' or 'ignore'"):
        SWFExecutor("unawaited-x", local_swf.client(), unawaited="loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unawaited must be 'warn', 'error' or 'ignore'"):
        DecisionWorker(local_swf.client(), "unawaited-x", unawaited="loud")  # type: ignore[arg-type]
