"""pytest fixtures for testing swfobjects workflows; loaded through the ``pytest11`` entry point.

Installing swfobjects makes them available in every test, no ``conftest.py`` needed:

* ``swf_executor``: a :class:`SerialExecutor` that skips time (timers fire at once);
* ``swf_frozen``: a :class:`SerialExecutor` that does not skip time, under freezegun:
  ``swf_frozen.tick(seconds)`` moves the frozen clock and runs what came due;
* ``swf_local``: a :class:`LocalEnvironment`: an :class:`SWFExecutor` on a ``swfobjects local``
  service (one per test session, on 127.0.0.1) with its own domain, whose pollers start for
  the workflows the test runs and stop when it ends;
* ``swf_activity``: an :class:`ActivityEnvironment` for one activity, without a workflow;
* ``swf_replay``: asserts that a directory of saved histories still replays with a workflow
  class (``swf_replay(Checkout, "tests/histories")``): the check before a deploy, as a test.

Each executor fixture offers ``run(Workflow, *args)`` and ``start(...)``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..client._handle import WorkflowHandle
from ..local import LocalSWF
from ..payloads._payload import PayloadStore
from ..payloads.storage._stores import DataStore
from ._environment import ActivityEnvironment, LocalEnvironment
from ._replayer import Replayer, ReplayResult
from ._serial import SerialExecutor

__all__ = [
    "FrozenExecutor",
    "ReplayCheck",
    "swf_activity",
    "swf_executor",
    "swf_frozen",
    "swf_local",
    "swf_local_service",
    "swf_replay",
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


class ReplayCheck:
    """Asserts that saved histories still replay with today's code (the ``swf_replay`` fixture).

    >>> def test_checkout_still_replays(swf_replay):                   # doctest: +SKIP
    ...     swf_replay(Checkout, Path(__file__).parent / "histories")

    Every file of the directory matching ``pattern`` (``*.json``: histories saved by
    ``swfobjects history``, ``aws swf get-workflow-execution-history`` or
    ``write_history(handle.history())``) is replayed by :class:`Replayer`; the test fails
    listing every mismatch with its event and workflow line. A directory with no history in it
    fails too: a check that checks nothing must not pass.
    """

    def __call__(
        self,
        workflow_class: type,
        directory: str | os.PathLike[str],
        *,
        data_store: DataStore | PayloadStore | None = None,
        domain: str = "",
        pattern: str = "*.json",
    ) -> list[ReplayResult]:
        """Replay every history file of ``directory``; their results (all OK), or fail."""
        folder = Path(directory)
        if not folder.is_dir():
            pytest.fail(f"swf_replay: {folder} is not a directory of saved histories")
        paths = sorted(folder.glob(pattern))
        if not paths:
            pytest.fail(
                f"swf_replay: no history files matching {pattern!r} in {folder}; save some "
                "with `swfobjects history WORKFLOW_ID > FILE.json`"
            )
        replayer = Replayer(workflow_class, data_store=data_store, domain=domain)
        results = replayer.replay_files(paths)
        failed = [result for result in results if not result.ok]
        if failed:
            pytest.fail(
                f"{len(failed)} of {len(results)} histories no longer replay with "
                f"{workflow_class.__qualname__}:\n" + "\n".join(str(result) for result in failed),
                pytrace=False,
            )
        return results


@pytest.fixture
def swf_replay() -> ReplayCheck:
    """Assert a directory of saved histories still replays:
    ``swf_replay(Checkout, "tests/histories")``."""
    return ReplayCheck()
