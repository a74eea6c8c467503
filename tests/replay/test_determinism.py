"""The determinism guard: sleeping, clocks, randomness, threads and asyncio in workflow code
fail the decision naming the call, its line and what to use instead (issue 12, item 6); it is
on by default and costs no profile hook, also for names imported before swfobjects (issue 17)."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from freezegun import freeze_time

from swfobjects import SerialExecutor, Workflow, decision_task
from swfobjects.exceptions import NonDeterministicCallError
from swfobjects.payloads._framework_io import framework_io
from swfobjects.replay import Decider, decide
from swfobjects.replay._determinism import DeterminismGuard
from tests.helpers.histories import History

ROOT = Path(__file__).resolve().parents[2]


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


def _datetime_now() -> None:
    dt.datetime.now()


def _date_today() -> None:
    dt.date.today()


def _random_choice() -> None:
    random.choice([1, 2])


def _uuid4() -> None:
    uuid.uuid4()


def _urandom() -> None:
    os.urandom(4)


def _time_ns() -> None:
    time.time_ns()


def _event() -> None:
    threading.Event()


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
    (_datetime_now, "datetime.now()", "self.now()"),
    (_date_today, "date.today()", "self.now()"),
    (_random_choice, "random.choice()", "self.random()"),
    (_uuid4, "uuid.uuid4()", "self.uuid4()"),
    (_urandom, "os.urandom()", "self.random()"),
    (_time_ns, "time.time_ns()", "self.now()"),
    (_event, "threading.Event()", "not on threads or asyncio"),
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


def _clock_reading_decision() -> list[dict[str, object]]:
    workflow = _workflow(_time_ns)
    history = History().started(workflow)
    history.decision(completed=False)
    return history.events


def test_every_decider_checks_by_default_and_strict_false_turns_it_off() -> None:
    events = _clock_reading_decision()
    checked = Decider(_workflow(_time_ns).workflow_type())
    with pytest.raises(NonDeterministicCallError, match=r"time\.time_ns\(\) called at"):
        checked.feed(events)  # feeding decides
    unchecked = Decider(_workflow(_time_ns).workflow_type(), strict=False)
    unchecked.feed(events)
    assert unchecked.decisions()


def test_no_profile_hook_is_installed_while_workflow_code_runs() -> None:
    """What made the guard expensive (7.5x a replay) is gone: wrappers, not a global hook."""
    seen: list[object] = []
    workflow = _workflow(lambda: seen.append(sys.getprofile()))
    history = History().started(workflow)
    history.decision(completed=False)
    decide(workflow, history.events)
    assert seen == [None]


def test_the_guard_watches_its_own_thread_only_and_lets_framework_io_through() -> None:
    with DeterminismGuard() as guard:
        other = threading.Thread(target=time.time)  # made by the test, a stdlib-free caller
        other.start()
        other.join()
        with framework_io():
            time.time()
        assert guard.violation is not None and "threading.Thread() called at" in guard.violation
    with DeterminismGuard() as guard:
        with guard.paused():
            time.monotonic()
        assert guard.violation is None
        time.monotonic()
    assert (
        guard.violation is not None and f"time.monotonic() called at {__file__}:" in guard.violation
    )
    time.monotonic()  # no guard on: fine


def test_frozen_time_is_caught_and_so_is_the_clock_freezegun_gives_back() -> None:
    events = _clock_reading_decision()
    workflow = _workflow(_datetime_now)
    history = History().started(workflow)
    history.decision(completed=False)
    with freeze_time("2024-01-01"):
        with pytest.raises(NonDeterministicCallError, match=r"time\.time_ns\(\)"):
            decide(_workflow(_time_ns), events)
        with pytest.raises(NonDeterministicCallError, match=r"datetime\.now\(\) called at"):
            decide(workflow, history.events)
    with pytest.raises(NonDeterministicCallError, match=r"time\.time_ns\(\)"):
        decide(_workflow(_time_ns), events)
    with pytest.raises(NonDeterministicCallError, match=r"datetime\.now\(\) called at"):
        decide(workflow, history.events)


SCRIPT = """\
from time import monotonic
from random import choice
from datetime import datetime

import swfobjects
from swfobjects import Workflow, decision_task
from swfobjects.exceptions import NonDeterministicCallError
from swfobjects.replay import decide
from tests.helpers.histories import History

import asyncio
from asyncio import new_event_loop


def body_monotonic():
    monotonic()


def body_choice():
    choice([1, 2])


def body_now():
    datetime.now()


def body_loop():
    new_event_loop().close()


for index, body in enumerate([body_monotonic, body_choice, body_now, body_loop]):
    async def run(self, body=body):
        body()

    workflow = type(f"Early{index}", (Workflow,), {"run": decision_task(run)}, task_list="early")
    history = History().started(workflow)
    history.decision(completed=False)
    try:
        decide(workflow, history.events)
    except NonDeterministicCallError as error:
        print(str(error).split(": ", 1)[1].split(";")[0])
    else:
        print("not caught:", body.__name__)
"""


def test_names_imported_before_swfobjects_and_asyncio_imported_after_are_caught(
    tmp_path: Path,
) -> None:
    script = tmp_path / "early.py"
    script.write_text(SCRIPT)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    expected = [
        ("time.monotonic()", "body_monotonic"),
        ("random.choice()", "body_choice"),
        ("datetime.now()", "body_now"),
        ("asyncio.new_event_loop()", "body_loop"),
    ]
    assert len(lines) == len(expected), done.stdout
    for line, (call, function) in zip(lines, expected, strict=True):
        assert line.startswith(f"{call} called at {script}:") and line.endswith(f"in {function}")
