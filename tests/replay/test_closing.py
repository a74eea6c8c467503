"""Abandoned runs: their suspended coroutines close at once, and never into another run.

A decider that is dropped (``decide()`` returned, the sticky cache evicted it, a replay
ended) leaves workflow coroutines suspended at an ``await``. If the garbage collector closed
them at some later moment, their ``finally:`` blocks would reach whatever run is deciding
then (``runtime_var``) and schedule into it.
"""

from __future__ import annotations

import gc
import logging
import sys
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from swfobjects import ActivityWorker, Workflow, activity_task, all_of, decision_task
from swfobjects.replay import Decider, decide
from swfobjects.workflow._context import runtime_var
from tests.helpers.histories import History, attrs, kinds

CLEANUPS: list[str] = []
"""What the ``finally:`` blocks of the workflows below reached, in order."""
DURING_STEP: list[Callable[[], None]] = []
"""Called by :class:`Steps` in its first step: what happens "while another run decides"."""


class Tidy(ActivityWorker, task_list="closing-acts"):
    @activity_task
    def pack(self, what: str) -> None:
        return None


class Waits(Workflow, task_list="closing"):
    """The documented cleanup pattern: only a cancellation gets it out of ``wait_for``."""

    tidy = Tidy.client()

    @decision_task
    async def run(self) -> str:
        try:
            await self.wait_for(lambda: False)
        finally:
            CLEANUPS.append("waits")
            await self.tidy.pack("cleanup")
        return "finished"


class Stubborn(Workflow, task_list="closing"):
    """A ``finally`` that swallows everything and awaits again, twice."""

    tidy = Tidy.client()

    @decision_task
    async def run(self) -> str:
        try:
            await self.wait_for(lambda: False)
        finally:
            for attempt in range(2):
                try:
                    CLEANUPS.append(f"stubborn {attempt}")
                    await self.tidy.pack("cleanup")
                except BaseException:  # noqa: BLE001 - on purpose: the worst user code
                    await self.wait_for(lambda: False)
        return "finished"


class Branches(Workflow, task_list="closing"):
    """Two coroutines of its own on the scheduler, each with a cleanup."""

    tidy = Tidy.client()

    async def branch(self, name: str) -> None:
        try:
            await self.timer(60)
        finally:
            CLEANUPS.append(name)
            await self.tidy.pack(name)

    @decision_task
    async def run(self) -> None:
        await all_of(self.branch("left"), self.branch("right"))


class Steps(Workflow, task_list="closing"):
    tidy = Tidy.client()

    @decision_task
    async def run(self) -> str:
        for hook in DURING_STEP:
            hook()
        await self.tidy.pack("own")
        return "done"


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    gc.collect()  # earlier tests' garbage must not close in the middle of these
    CLEANUPS.clear()
    DURING_STEP.clear()
    yield
    CLEANUPS.clear()
    DURING_STEP.clear()


def _waiting(workflow: Any, run_id: str = "run-a") -> Decider:
    """A decider of ``workflow`` after its first decision: suspended at its first await."""
    history = History().started(workflow)
    history.decision(completed=False)
    decider = Decider(workflow.workflow_type(), workflow_id=run_id, run_id=run_id)
    decider.feed(history.events)
    return decider


def _steps_decisions() -> list[dict[str, Any]]:
    history = History().started(Steps)
    history.decision(completed=False)
    decider = Decider(Steps.workflow_type(), workflow_id="run-b", run_id="run-b")
    decider.feed(history.events)
    return decider.decisions()


@pytest.mark.parametrize("cycle", [False, True], ids=["dropped", "in-a-reference-cycle"])
def test_an_abandoned_run_collected_while_another_decides_schedules_nothing_there(
    cycle: bool,
) -> None:
    abandoned = _waiting(Waits)
    assert abandoned.decisions() == []
    if cycle:
        abandoned.itself = abandoned  # type: ignore[attr-defined]  # freed by the collector only
    held = [abandoned]
    del abandoned

    def collect() -> None:
        held.clear()
        gc.collect()

    DURING_STEP.append(collect)
    enabled = gc.isenabled()
    gc.disable()  # the collection happens where the test says, not earlier
    try:
        decisions = _steps_decisions()
    finally:
        if enabled:
            gc.enable()
    assert kinds(decisions) == ["ScheduleActivityTask"]
    assert attrs(decisions[0])["input"] == '{"what": "own"}'
    assert CLEANUPS == ["waits"]  # the cleanup ran (before or during), quietly


def test_closing_an_abandoned_coroutine_while_another_run_is_set_schedules_nothing() -> None:
    abandoned = _waiting(Waits)
    coroutines = [task.coro for task in abandoned.runtime.scheduler._tasks]
    del abandoned
    other = _waiting(Steps, "run-b")
    token = runtime_var.set(other.runtime)
    try:
        for coro in coroutines:
            coro.close()  # what the collector would do at this moment
    finally:
        runtime_var.reset(token)
    assert other.runtime.activities == 1  # its own "own", nothing more
    assert [key for key in other.runtime.commands.pending] == ["A:1"]
