"""Workflow state (``@state``), manual activity completion and replay-safe logs, on every
executor (issue 16, items 1, 2 and 4)."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from swfobjects import ActivityWorker, Workflow, activity_task, decision_task, signal, state
from swfobjects.exceptions import SerializationError, WorkflowExecutionError

TIMEOUTS = {"execution_start_to_close_timeout": 120, "task_start_to_close_timeout": 10}

pytestmark = pytest.mark.e2e

WAIT = 30.0
"""Seconds a test waits for SWF-backed pollers to reach a point."""


def settle(runner: Any, until: Any) -> None:
    """Let the executor work until ``until()`` is true (the SerialExecutor: run until idle)."""
    if runner.name == "serial":
        runner.executor.run_until_idle()
        assert until()
        return
    deadline = time.monotonic() + WAIT
    while not until():
        assert time.monotonic() < deadline, "the workers did not get there in time"
        time.sleep(0.05)


# --- @state -------------------------------------------------------------------------------


@dataclass
class Progress:
    step: str
    items: list[str]


class Shelf(ActivityWorker, task_list="ff-shelf"):
    @activity_task(start_to_close_timeout=30)
    def store(self, item: str) -> str:
        return item.upper()


class Stocking(Workflow, task_list="ff-stocking", **TIMEOUTS):
    shelf = Shelf.client()

    def __init__(self) -> None:
        self.items: list[str] = []
        self.step = "waiting"
        self.closing = False

    @state
    def progress(self) -> Progress:
        return Progress(self.step, list(self.items))

    @signal
    def add(self, item: str) -> None:
        self.items.append(item)

    @signal
    def ping(self) -> None:
        """A signal that changes no state: its decision sends no executionContext."""

    @signal
    def close(self) -> None:
        self.closing = True

    @decision_task
    async def run(self) -> int:
        await self.wait_for(lambda: self.closing)
        self.step = "storing"
        stored = [await self.shelf.store(item) for item in self.items]
        self.step = "done"
        return len(stored)


@pytest.mark.swf_features("execution_context")
def test_state_is_readable_from_outside_and_sent_only_when_it_changed(executor):
    handle = executor.start(Stocking)
    settle(executor, lambda: handle.state() == Progress("waiting", []))
    handle.signal("add", "jam")
    settle(executor, lambda: handle.state() == Progress("waiting", ["jam"]))
    handle.signal("ping")
    settle(executor, lambda: len(_contexts(handle)) == 3)
    assert handle.state() == Progress("waiting", ["jam"])  # kept while unchanged
    handle.signal("close")
    assert handle.result(timeout=WAIT) == 1
    assert handle.state() == Progress("done", ["jam"])
    contexts = _contexts(handle)
    assert contexts[2] is None  # the ping changed nothing: nothing sent
    sent = [c for c in contexts if c is not None]
    assert len(sent) == len(set(sent)) == 4  # waiting, +jam, storing, done: no repeats
    assert handle.describe()["latestExecutionContext"] == sent[-1]


def _contexts(handle: Any) -> list[str | None]:
    """The ``executionContext`` of each completed decision task of the run, in order."""
    return [
        e["decisionTaskCompletedEventAttributes"].get("executionContext")
        for e in handle.history()
        if e["eventType"] == "DecisionTaskCompleted"
    ]


# --- manual completion ----------------------------------------------------------------------

TOKENS: dict[str, str] = {}


class Approvals(ActivityWorker, task_list="ff-approvals"):
    @activity_task(manual_completion=True, start_to_close_timeout=60)
    def approve(self, item: str) -> bool:
        TOKENS[item] = self.activity_task.task_token
        return None  # type: ignore[return-value]  # answered by complete_activity


class Purchase(Workflow, task_list="ff-purchase", **TIMEOUTS):
    approvals = Approvals.client()

    @decision_task
    async def run(self, item: str) -> str:
        approved = await self.approvals.approve(item)
        return f"{item}: {'bought' if approved else 'refused'}"


def test_a_manual_activity_is_answered_later_with_a_checked_result(executor):
    item = f"yacht-{uuid.uuid4().hex[:6]}"
    handle = executor.start(Purchase, item)
    settle(executor, lambda: item in TOKENS)
    assert handle.is_open()
    with pytest.raises(SerializationError, match="expected bool"):
        executor.executor.complete_activity(TOKENS[item], "yes")
    assert executor.executor.heartbeat_activity(TOKENS[item], {"mailed": 1}) is False
    executor.executor.complete_activity(TOKENS[item], True)
    assert handle.result(timeout=WAIT) == f"{item}: bought"


def test_a_manual_activity_can_be_failed_by_its_token_holder(executor):
    item = f"boat-{uuid.uuid4().hex[:6]}"
    handle = executor.start(Purchase, item)
    settle(executor, lambda: item in TOKENS)
    executor.executor.fail_activity(TOKENS[item], PermissionError("over budget"))
    with pytest.raises(WorkflowExecutionError, match="PermissionError: over budget"):
        handle.result(timeout=WAIT)


# --- replay-safe logs -----------------------------------------------------------------------


class Steps(ActivityWorker, task_list="ff-steps"):
    @activity_task(start_to_close_timeout=30)
    def step(self, n: int) -> int:
        self.log.info("activity step %d", n)
        return n


class Logged(Workflow, task_list="ff-logged", **TIMEOUTS):
    steps = Steps.client()

    @decision_task
    async def run(self, count: int) -> int:
        total = 0
        for n in range(count):
            self.log.info("workflow step %d", n)
            total += await self.steps.step(n)
        self.log.info("done")
        return total


def test_workflow_logs_are_written_once_despite_replays(executor, caplog):
    caplog.set_level(logging.INFO, logger=__name__)
    handle = executor.start(Logged, 3)
    assert handle.result(timeout=WAIT) == 3
    mine = [r for r in caplog.records if getattr(r, "workflow_id", None) == handle.workflow_id]
    workflow_lines = [r.getMessage() for r in mine if not hasattr(r, "activity_id")]
    assert workflow_lines == ["workflow step 0", "workflow step 1", "workflow step 2", "done"]
    first = next(r for r in mine if r.getMessage() == "workflow step 0")
    assert (first.run_id, first.workflow_type) == (handle.run_id, "Logged")
    assert isinstance(first.event_id, int) and first.event_id > 0
    activity_lines = sorted(r.getMessage() for r in mine if hasattr(r, "activity_id"))
    assert activity_lines == ["activity step 0", "activity step 1", "activity step 2"]
    assert {r.attempt for r in mine if hasattr(r, "activity_id")} == {1}
