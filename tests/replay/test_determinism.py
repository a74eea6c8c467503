"""The determinism guard: sleeping, monotonic clocks, threads and asyncio in workflow code
fail the decision naming the call, its line and what to use instead (issue 12, item 6)."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable

import pytest

from swfobjects import SerialExecutor, Workflow, decision_task
from swfobjects.exceptions import NonDeterministicCallError
from swfobjects.replay import decide
from tests.helpers.histories import History


def _sleeps() -> None:
    time.sleep(0)


def _monotonic() -> None:
    time.monotonic()


def _perf_counter() -> None:
    time.perf_counter()


def _thread() -> None:
    threading.Thread(target=lambda: None)


def _lock() -> None:
    threading.Lock()


def _event_loop() -> None:
    asyncio.new_event_loop().close()


def _logs() -> None:
    logging.getLogger("tests.determinism").info("fine: logging takes locks itself")


@functools.cache  # one class per body: workflow types are registered by name
def _workflow(body: Callable[[], None]) -> type:
    async def run(self: Workflow) -> None:
        body()

    return type(
        f"Guarded{body.__name__}",
        (Workflow,),
        {"run": decision_task(run), "__module__": __name__},
        task_list=f"guard{body.__name__}",
    )


CASES = [
    (_sleeps, "time.sleep()", "await self.timer(seconds)"),
    (_monotonic, "time.monotonic()", "self.now()"),
    (_perf_counter, "time.perf_counter()", "self.now()"),
    (_thread, "threading.Thread()", "not on threads or asyncio"),
    (_lock, "threading.Lock()", "not on threads or asyncio"),
    (_event_loop, "asyncio.new_event_loop()", "put threads or asyncio inside activities"),
]


@pytest.mark.parametrize(("body", "call", "advice"), CASES, ids=[c[1] for c in CASES])
def test_the_guard_names_the_call_its_line_and_the_alternative(
    body: Callable[[], None], call: str, advice: str
) -> None:
    workflow = _workflow(body)
    history = History().started(workflow)
    history.decision(completed=False)
    with pytest.raises(NonDeterministicCallError) as caught:
        decide(workflow, history.events)
    message = str(caught.value)
    assert f"{call} called at {__file__}:" in message
    assert f"in {body.__name__}" in message and advice in message


def test_the_serial_executor_fails_the_decision() -> None:
    with pytest.raises(NonDeterministicCallError, match=r"time\.sleep\(\)"):
        SerialExecutor().run(_workflow(_sleeps))


def test_awaiting_asyncio_sleep_is_named_too() -> None:
    async def run(self: Workflow) -> None:
        await asyncio.sleep(0)

    workflow = type(
        "AsyncioSleeper", (Workflow,), {"run": decision_task(run)}, task_list="guard-aio"
    )
    with pytest.raises(NonDeterministicCallError, match=r"asyncio\.sleep\(\) called at"):
        SerialExecutor().run(workflow)


def test_logging_and_the_guard_off_are_fine() -> None:
    assert SerialExecutor().run(_workflow(_logs)) is None
    workflow = _workflow(_monotonic)
    history = History().started(workflow)
    history.decision(completed=False)
    assert decide(workflow, history.events, strict=False)
