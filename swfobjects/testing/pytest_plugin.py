"""pytest fixtures for testing swfobjects workflows; loaded through the ``pytest11`` entry point.

Installing swfobjects makes them available in every test, no ``conftest.py`` needed:

* ``swf_executor``: a :class:`SerialExecutor` that skips time (timers fire at once);
* ``swf_frozen``: a :class:`SerialExecutor` that does not skip time, under freezegun:
  ``swf_frozen.tick(seconds)`` moves the frozen clock and runs what came due;
* ``swf_local``: a :class:`LocalEnvironment`: an :class:`SWFExecutor` on a ``swfobjects local``
  service (one per test session, on 127.0.0.1) with its own domain, whose pollers start for
  the workflows the test runs and stop when it ends;
* ``swf_activity``: an :class:`ActivityEnvironment` for one activity, without a workflow.

Each executor fixture offers ``run(Workflow, *args)`` and ``start(...)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from ..client._handle import WorkflowHandle
from ..local import LocalSWF
from ._environment import ActivityEnvironment, LocalEnvironment
from ._serial import SerialExecutor

__all__ = [
    "FrozenExecutor",
    "swf_activity",
    "swf_executor",
    "swf_frozen",
    "swf_local",
    "swf_local_service",
]


class FrozenExecutor:
    """A :class:`SerialExecutor` whose clock moves only when the test says so.

    ``executor`` is the SerialExecutor (``skip_time=False``), ``clock`` freezegun's frozen
    clock. ``tick(seconds)`` moves the clock and runs every task, timer and timeout that came
    due, so a test can walk a workflow through time step by step.
    """

    def __init__(self, executor: SerialExecutor, clock: Any) -> None:
        self.executor = executor
        self.clock = clock

    def start(self, workflow_class: type, *args: Any, **kwargs: Any) -> WorkflowHandle[Any]:
        """Start a workflow and run it as far as the frozen time allows."""
        handle = self.executor.start(workflow_class, *args, **kwargs)
        self.executor.run_until_idle()
        return handle

    def tick(self, seconds: float) -> None:
        """Move the frozen clock ``seconds`` forward and run what came due."""
        self.clock.tick(dt.timedelta(seconds=seconds))
        self.executor.run_until_idle()

    def now(self) -> dt.datetime:
        """The frozen time (UTC)."""
        return dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def swf_executor() -> SerialExecutor:
    """A SerialExecutor that skips time: ``swf_executor.run(Workflow, *args)``."""
    return SerialExecutor()


@pytest.fixture
def swf_frozen() -> Iterator[FrozenExecutor]:
    """A SerialExecutor under freezegun: time moves only with ``swf_frozen.tick(seconds)``."""
    try:
        import freezegun
    except ImportError:  # pragma: no cover - freezegun is in the test extra
        raise RuntimeError(
            "the swf_frozen fixture needs freezegun: pip install freezegun"
        ) from None
    with freezegun.freeze_time(dt.datetime.now(dt.timezone.utc)) as clock:
        yield FrozenExecutor(SerialExecutor(skip_time=False), clock)


@pytest.fixture(scope="session")
def swf_local_service() -> Iterator[LocalSWF]:
    """One ``swfobjects local`` service on 127.0.0.1 for the session (short empty polls)."""
    with LocalSWF(poll_timeout=1.0) as service:
        yield service


@pytest.fixture
def swf_local(swf_local_service: LocalSWF) -> Iterator[LocalEnvironment]:
    """An SWFExecutor on the session's ``swfobjects local``, in a fresh domain, with pollers
    started for the workflows the test runs: ``swf_local.run(Workflow, *args)``."""
    environment = LocalEnvironment(swf_local_service.client())
    try:
        yield environment
    finally:
        environment.close()


@pytest.fixture
def swf_activity() -> ActivityEnvironment:
    """One activity, run as a worker would, without a workflow:
    ``swf_activity.run(Worker().method, *args)``."""
    return ActivityEnvironment()
