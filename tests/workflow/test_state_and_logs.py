"""``@state`` declarations, the replay-safe workflow logger and the activity logger."""

from __future__ import annotations

import logging

import pytest

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
    state,
    workflow,
)
from swfobjects.exceptions import DeclarationError, WorkflowCodeError
from swfobjects.replay import decide
from swfobjects.testing import Replayer
from swfobjects.workflow._logging import attempt_of


def test_state_needs_one_plain_method_of_self_with_a_return_type() -> None:
    with pytest.raises(DeclarationError, match="plain method"):

        @state
        async def a(self) -> int:
            return 1

    with pytest.raises(DeclarationError, match="only self"):

        @state
        def b(self, x: int) -> int:
            return x

    with pytest.raises(DeclarationError, match="return annotation"):

        class NoType(Workflow, task_list="st-notype"):
            @state
            def status(self):  # type: ignore[no-untyped-def]
                return 1

            @decision_task
            async def run(self) -> None:
                pass

    with pytest.raises(DeclarationError, match="2 methods @state"):

        class Two(Workflow, task_list="st-two"):
            @state
            def one(self) -> int:
                return 1

            @state
            def two(self) -> int:
                return 2

            @decision_task
            async def run(self) -> None:
                pass

    with pytest.raises(DeclarationError, match="@state does nothing in an ActivityWorker"):

        class Acts(ActivityWorker, task_list="st-acts"):
            @state
            def status(self) -> int:
                return 1


class Broken(Workflow, task_list="st-broken"):
    @state
    def status(self) -> int:
        raise KeyError("oops")

    @decision_task
    async def run(self) -> int:
        return 1


def test_a_failing_state_method_fails_the_decision_task_not_the_workflow() -> None:
    executor = SerialExecutor()
    with pytest.raises(WorkflowCodeError, match=r"@state method status\(\) failed \(KeyError"):
        executor.run(Broken)


class Chatty(ActivityWorker, task_list="st-chatty"):
    @activity_task
    def shout(self, word: str) -> str:
        self.log.info("shouting %s", word)
        return word.upper()


class Talk(Workflow, task_list="st-talk"):
    chatty = Chatty.client()

    @decision_task
    async def run(self, words: list[str]) -> str:
        out = []
        for word in words:
            workflow.log.info("saying %s (replaying: %s)", word, workflow.is_replaying())
            assert self.is_replaying is workflow.is_replaying()
            out.append(await self.chatty.shout(word))
        return " ".join(out)


def _workflow_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "swfobjects.workflow"]


def test_logs_are_silent_in_replays_made_to_inspect(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    executor = SerialExecutor(cache_size=0)  # every decision replays the whole history
    handle = executor.start(Talk, ["a", "b"])
    assert handle.result() == "A B"
    assert _workflow_lines(caplog) == ["saying a (replaying: False)", "saying b (replaying: False)"]
    shout = next(r for r in caplog.records if r.getMessage() == "shouting a")
    assert (shout.activity_type, shout.attempt, shout.workflow_id) == (
        "Chatty.shout",
        1,
        handle.workflow_id,
    )
    caplog.clear()
    assert Replayer(Talk).replay(handle.history()).ok
    handle.pending()
    assert _workflow_lines(caplog) == []
    # decide() computes a real next decision: its last step logs
    history = handle.history()
    starts = [i for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"]
    decide(Talk, history[: starts[1] + 1])
    assert _workflow_lines(caplog) == ["saying b (replaying: False)"]


def test_the_loggers_refuse_to_work_outside_their_code() -> None:
    with pytest.raises(RuntimeError, match="workflow.log can only be used inside"):
        workflow.log.info("nowhere")
    with pytest.raises(RuntimeError, match="self.log can only be called"):
        workflow.activity_log.info("nowhere")
    with pytest.raises(RuntimeError, match="is_replaying"):
        workflow.is_replaying()


def test_attempt_numbers_follow_retry_ids() -> None:
    assert [attempt_of(i) for i in ("5", "5.1", "5.2", "x", "a.b")] == [1, 2, 3, 1, 1]
