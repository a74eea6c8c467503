"""Abandoned runs: their suspended coroutines close at once, and never into another run.

A decider that is dropped (``decide()`` returned, the sticky cache evicted it, a replay
ended) leaves workflow coroutines suspended at an ``await``. If the garbage collector closed
them at some later moment, their ``finally:`` blocks would reach whatever run is deciding
then (``runtime_var``) and schedule into it.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from swfobjects import ActivityWorker, Workflow, activity_task, all_of, decision_task
from swfobjects.exceptions import HistoryError
from swfobjects.replay import Decider, decide, pending_from_history
from swfobjects.replay._closing import _KEPT, CLOSED_RUN, RunClosed, close_deferred
from swfobjects.replay._scheduler import CLOSE_ATTEMPTS, _close
from swfobjects.testing import Replayer
from swfobjects.worker._decisions import DecisionHandler
from swfobjects.workflow._context import runtime_var
from tests.helpers.histories import History, attrs, kinds

CLEANUPS: list[str] = []
"""What the ``finally:`` blocks of the workflows below reached, in order."""
DURING_STEP: list[Callable[[], None]] = []
"""Called by :class:`Deciding` in its first step: what happens "while another run decides"."""


class Janitor(ActivityWorker, task_list="closing-acts"):
    @activity_task
    def pack(self, what: str) -> None:
        return None


class Abandoned(Workflow, task_list="closing"):
    """The documented cleanup pattern: only a cancellation gets it out of ``wait_for``."""

    tidy = Janitor.client()

    @decision_task
    async def run(self) -> str:
        try:
            await self.wait_for(lambda: False)
        finally:
            CLEANUPS.append("abandoned")
            await self.tidy.pack("cleanup")
        return "finished"


class AbandonedStubborn(Workflow, task_list="closing"):
    """A ``finally`` that swallows everything and awaits again, ``STUBBORN[0]`` times."""

    @decision_task
    async def run(self) -> str:
        gate = self.wait_for(lambda: False)
        try:
            await gate
        finally:
            for attempt in range(STUBBORN[0]):
                try:
                    CLEANUPS.append(f"stubborn {attempt}")
                    await gate  # yields: closing it again is the only way out
                except BaseException:  # noqa: BLE001, S110 - on purpose: the worst user code
                    pass
        return "finished"


STUBBORN = [2]


class AbandonedClocks(Workflow, task_list="closing"):
    """Reads the clock in its ``finally`` (a determinism guard would flag it)."""

    @decision_task
    async def run(self) -> None:
        try:
            await self.wait_for(lambda: False)
        finally:
            CLEANUPS.append(f"clock {time.time() > 0}")


class AbandonedBranches(Workflow, task_list="closing"):
    """Two coroutines of its own on the scheduler, each with a cleanup."""

    tidy = Janitor.client()

    async def branch(self, name: str) -> None:
        try:
            await self.timer(60)
        finally:
            CLEANUPS.append(name)
            await self.tidy.pack(name)

    @decision_task
    async def run(self) -> None:
        await all_of(self.branch("left"), self.branch("right"))


class Deciding(Workflow, task_list="closing"):
    tidy = Janitor.client()

    @decision_task
    async def run(self) -> str:
        for hook in DURING_STEP:
            hook()
        await self.tidy.pack("own")
        return "done"


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    gc.collect()  # earlier tests' garbage must not close in the middle of these
    close_deferred()
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
    history = History().started(Deciding)
    history.decision(completed=False)
    decider = Decider(Deciding.workflow_type(), workflow_id="run-b", run_id="run-b")
    decider.feed(history.events)
    return decider.decisions()


@pytest.mark.parametrize("cycle", [False, True], ids=["dropped", "in-a-reference-cycle"])
def test_an_abandoned_run_collected_while_another_decides_schedules_nothing_there(
    cycle: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    abandoned = _waiting(Abandoned)
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
    assert json.loads(attrs(decisions[0])["input"]) == {"what": "own"}
    assert CLEANUPS == []  # the finalizer only queued the closer: nothing ran inside that run
    close_deferred()
    assert CLEANUPS == ["abandoned"]  # the cleanup ran at the next safe moment, quietly
    assert unraisable == []


def test_closing_an_abandoned_coroutine_while_another_run_is_set_schedules_nothing() -> None:
    abandoned = _waiting(Abandoned)
    coroutines = [task.coro for task in abandoned.runtime.scheduler._tasks]
    del abandoned
    other = _waiting(Deciding, "run-b")
    token = runtime_var.set(other.runtime)
    try:
        for coro in coroutines:
            coro.close()  # what the collector would do at this moment
    finally:
        runtime_var.reset(token)
    assert other.runtime.activities == 1  # its own "own", nothing more
    assert [key for key in other.runtime.commands.pending] == ["A:1"]


def test_a_dropped_decider_is_freed_and_its_cleanup_runs_at_the_next_decider_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    decider = _waiting(Abandoned)
    freed = weakref.ref(decider)
    del decider
    assert freed() is None  # no reference cycle through the decider: freed at once
    assert CLEANUPS == []  # queued: a finalizer may run inside the collector
    _waiting(Deciding, "run-b").discard()  # the next decider made closes it first
    assert CLEANUPS == ["abandoned"]  # its finally ran then, with no run deciding
    gc.collect()
    assert unraisable == []  # nothing for the collector to close later


def test_discard_closes_quietly_logs_at_debug_and_is_final(
    caplog: pytest.LogCaptureFixture,
) -> None:
    decider = _waiting(Abandoned)
    coroutine = next(iter(decider.runtime.scheduler._tasks)).coro
    with caplog.at_level(logging.DEBUG, logger="swfobjects.decider"):
        decider.discard()
        decider.discard()  # idempotent
    assert CLEANUPS == ["abandoned"]
    assert coroutine.cr_frame is None
    assert decider.runtime.scheduler._tasks == {}
    assert any("RunClosed" in record.getMessage() for record in caplog.records)
    assert all(record.levelno == logging.DEBUG for record in caplog.records)
    with pytest.raises(RuntimeError, match="was discarded"):
        decider.feed([])


def test_every_coroutine_of_the_run_closes_in_spawn_order() -> None:
    decider = _waiting(AbandonedBranches)
    decider.discard()
    assert CLEANUPS == ["left", "right"]


def test_the_closed_run_refuses_everything_with_a_base_exception() -> None:
    with pytest.raises(RunClosed, match="schedule_activity while its run was being closed"):
        CLOSED_RUN.schedule_activity(None, {}, {})
    assert not issubclass(RunClosed, Exception)  # past `except Exception:` in workflow code


def test_a_finally_that_awaits_again_is_closed_again() -> None:
    STUBBORN[0] = CLOSE_ATTEMPTS - 1
    try:
        decider = _waiting(AbandonedStubborn)
        coroutine = next(iter(decider.runtime.scheduler._tasks)).coro
        decider.discard()
    finally:
        STUBBORN[0] = 2
    assert coroutine.cr_frame is None
    assert len(CLEANUPS) == CLOSE_ATTEMPTS - 1


def test_a_coroutine_that_never_stops_awaiting_is_kept_suspended_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    STUBBORN[0] = CLOSE_ATTEMPTS + 2
    try:
        decider = _waiting(AbandonedStubborn)
        with caplog.at_level(logging.WARNING, logger="swfobjects.decider"):
            decider.discard()
    finally:
        STUBBORN[0] = 2
    assert "kept awaiting while being closed" in caplog.text
    assert "workflow AbandonedStubborn" in caplog.text
    kept = _KEPT.pop()
    assert kept.coro.cr_frame is not None  # never resumed by anyone
    token = runtime_var.set(CLOSED_RUN)  # end the test's coroutine the same way, but longer
    try:
        while not _close(kept.coro, kept.name, []):
            pass
    finally:
        runtime_var.reset(token)


def test_another_runs_determinism_guard_ignores_the_abandoned_runs_cleanup() -> None:
    held = [_waiting(AbandonedClocks)]
    DURING_STEP.append(held.clear)  # freed, so closed, while a strict decision runs
    history = History().started(Deciding)
    history.decision(completed=False)
    decisions = decide(Deciding, history.events, strict=True)
    assert kinds(decisions) == ["ScheduleActivityTask"]
    assert CLEANUPS == []  # queued while that run decided, not run inside it
    close_deferred()
    assert CLEANUPS == ["clock True"]  # and closed later, with the guard paused


def test_decide_closes_the_run_before_returning() -> None:
    history = History().started(Abandoned)
    history.decision(completed=False)
    assert decide(Abandoned, history.events) == []
    assert CLEANUPS == ["abandoned"]


def test_replayer_and_pending_close_their_replays() -> None:
    history = History().started(Abandoned)
    history.add("DecisionTaskScheduled", taskList={"name": "closing"}, startToCloseTimeout="60")
    history.decision()
    assert Replayer(Abandoned).replay(history.events).ok
    assert CLEANUPS == ["abandoned"]
    pending = pending_from_history(history.events, Abandoned.workflow_type())
    assert [item.kind for item in pending] == ["signal"]
    assert CLEANUPS == ["abandoned", "abandoned"]


def _task(run_id: str, history: History) -> dict[str, Any]:
    return {
        "taskToken": "t",
        "workflowExecution": {"workflowId": run_id, "runId": run_id},
        "workflowType": {"name": "Abandoned", "version": "1.0"},
        "events": history.events,
        "startedEventId": history.events[-1]["eventId"],
        "previousStartedEventId": 0,
    }


def test_the_decision_handler_discards_every_decider_it_lets_go() -> None:
    handler = DecisionHandler([Abandoned], cache_size=1)
    history = History().started(Abandoned)
    history.decision(completed=False)
    handler.decide(_task("a", history))
    assert CLEANUPS == []  # cached: still suspended
    handler.decide(_task("b", history))
    assert CLEANUPS == ["abandoned"]  # "a" evicted
    handler.forget("b")
    assert CLEANUPS == ["abandoned", "abandoned"]
    broken = History().started(Abandoned)
    broken.started(Abandoned)  # a second start: the decision fails before any step
    broken.decision(completed=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(HistoryError, match="second WorkflowExecutionStarted"):
            handler.decide(_task("c", broken))
        gc.collect()
    assert handler._cache == {}
    assert [str(w.message) for w in caught] == []  # closed, so no "never awaited" warning
    no_cache = DecisionHandler([Abandoned], cache_size=0)
    no_cache.decide(_task("d", history))
    assert CLEANUPS == ["abandoned", "abandoned", "abandoned"]


_COLLECTED_INSIDE_SET = """
import contextvars, gc
from tests.helpers.histories import History
from swfobjects.replay import Decider
import tests.replay.test_closing as here

other = contextvars.ContextVar("other")
gc.set_threshold(1, 1, 1)
for i in range(1500):
    history = History().started(here.Abandoned)
    history.decision(completed=False)
    decider = Decider(here.Abandoned.workflow_type(), workflow_id="x", run_id="x")
    decider.feed(history.events)
    decider.itself = decider  # a cycle: freed by the collector only
    del decider
    for j in range(50):
        other.set((i, j))  # collections start inside set's own allocations
print(len(here.CLEANUPS))
"""


@pytest.mark.slow
def test_runs_freed_by_the_collector_inside_a_contextvar_set_do_not_crash_the_interpreter() -> None:
    """Closing inside the collector set ``runtime_var`` in the middle of another
    ``ContextVar.set``: a use-after-free that crashed this loop one run in three."""
    import subprocess

    root = __file__.rsplit("/tests/", 1)[0]
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", _COLLECTED_INSIDE_SET],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 1000  # the abandoned runs were closed, later and quietly
