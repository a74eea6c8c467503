"""Promises a workflow started and never awaited are reported when it completes (issue 12)."""

from __future__ import annotations

import logging

import pytest

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    all_of,
    decision_task,
)


class Mail(ActivityWorker, task_list="unawaited-mail"):
    @activity_task
    def send(self, to: str) -> str:
        return f"sent to {to}"


class Forgets(Workflow, task_list="unawaited-forgets"):
    mail = Mail.client()

    @decision_task
    async def run(self, to: str) -> str:
        self.mail.send(to)
        self.timer(30)
        return "done"


class Remembers(Workflow, task_list="unawaited-remembers"):
    mail = Mail.client()

    @decision_task
    async def run(self, to: str) -> str:
        first = self.mail.send(to)
        both = all_of(self.mail.send(to + "2"), self.timer(1))
        await self.timer(1)
        async with self.timeout(60):
            await first
        await both
        return first.result()


def test_a_forgotten_promise_is_a_warning_naming_it(caplog):
    with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
        assert SerialExecutor().run(Forgets, "ann") == "done"
    (record,) = caplog.records
    assert "without awaiting 2 promise(s)" in record.message
    assert "activity Mail.send (1) (pending), timer t1 (pending)" in record.message
    assert "Did you forget `await`?" in record.message


def test_the_serial_executor_can_make_it_an_error():
    with pytest.raises(WorkflowExecutionError, match="without awaiting 2 promise") as caught:
        SerialExecutor(unawaited="error").run(Forgets, "ann")
    assert "WorkflowCodeError" in caught.value.reason


def test_ignore_says_nothing(caplog):
    with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
        assert SerialExecutor(unawaited="ignore").run(Forgets, "ann") == "done"
    assert not caplog.records


def test_awaited_combined_and_scoped_promises_are_not_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
        assert SerialExecutor(unawaited="error").run(Remembers, "bo") == "sent to bo"
    assert not caplog.records


def test_a_wrong_mode_is_refused():
    with pytest.raises(ValueError, match="unawaited must be"):
        SerialExecutor(unawaited="loud").run(Forgets, "x")  # type: ignore[arg-type]


class FansOutThenForgets(Workflow, task_list="unawaited-fans-out"):
    mail = Mail.client()

    @decision_task
    async def run(self, n: int) -> int:
        sent = await all_of(*[self.mail.send(f"p{i}") for i in range(n)])
        self.mail.send("forgotten")
        await self.timer(5)
        return len(sent)


def test_a_fan_out_frees_its_calls_once_observed_and_still_reports_a_forgotten_one(caplog):
    executor = SerialExecutor()
    with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
        handle = executor.start(FansOutThenForgets, 150)
        assert handle.result() == 150
    (record,) = caplog.records
    assert "without awaiting 1 promise(s) it started: activity Mail.send (151) (settled)" in (
        record.message
    )

    # a full replay up to the decision after the fan-out: the 150 calls were observed at
    # once (all_of), after the last was listed; the decider keeps none of them
    from swfobjects.replay import Decider

    events = handle.history()
    timer = next(
        e
        for e in events
        if e["eventType"] == "TimerStarted" and e["timerStartedEventAttributes"]["timerId"] == "t1"
    )
    completed = events[timer["timerStartedEventAttributes"]["decisionTaskCompletedEventId"] - 1]
    started_id = completed["decisionTaskCompletedEventAttributes"]["startedEventId"]
    cut = events[:started_id]  # up to the decision that sees the fan-out done
    decider = Decider(FansOutThenForgets.workflow_type(), workflow_id="w", run_id="r")
    decider.feed(cut)
    assert [p.description for p in decider.runtime.unawaited()] == ["activity Mail.send (151)"]
    assert len(decider.runtime.started) == 1
    decider.discard()
