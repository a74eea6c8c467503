"""The pytest fixtures swfobjects installs (entry point ``pytest11``), used as a user would."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from swfobjects import ActivityWorker, Workflow, activity_task, decision_task
from swfobjects.exceptions import CancelledError, SerializationError
from swfobjects.testing import ActivityEnvironment, LocalEnvironment, SerialExecutor, write_history
from swfobjects.testing.pytest_plugin import FrozenExecutor, ReplayCheck
from tests.cli import shop
from tests.testing.test_replayer import V1, _module


class Reminders(ActivityWorker, task_list="plugin-reminders", version="1.0"):
    @activity_task(start_to_close_timeout=30, heartbeat_timeout=10)
    def send(self, who: str) -> str:
        return f"reminded {who}"

    @activity_task(start_to_close_timeout=30, heartbeat_timeout=10)
    def count(self, n: int) -> int:
        for i in range(n):
            if self.heartbeat({"done": i}):
                raise CancelledError(f"stopped at {i}")
        return n

    @activity_task(start_to_close_timeout=30)
    def whoami(self) -> str:
        task = self.activity_task
        return f"{task.workflow_id}/{task.activity_id}/{task.activity_name}"

    @activity_task(start_to_close_timeout=30)
    def broken(self, n: int) -> int:
        raise ValueError(f"bad {n}")


class Remind(Workflow, task_list="plugin-remind", version="1.0"):
    reminders = Reminders.client()

    @decision_task(execution_start_to_close_timeout=7200, task_start_to_close_timeout=30)
    async def run(self, who: str, wait: int) -> str:
        await self.timer(wait)
        return await self.reminders.send(who)  # type: ignore[no-any-return]


def test_swf_executor_skips_time(swf_executor: SerialExecutor) -> None:
    assert swf_executor.run(Remind, "ann", 3600) == "reminded ann"


def test_swf_frozen_moves_only_when_told(swf_frozen: FrozenExecutor) -> None:
    handle = swf_frozen.start(Remind, "bob", 60)
    swf_frozen.tick(59)
    assert handle.is_open()
    swf_frozen.tick(1)
    assert not handle.is_open()
    assert handle.result() == "reminded bob"


@pytest.mark.e2e
def test_swf_local_runs_workflows_over_http(swf_local: LocalEnvironment) -> None:
    assert swf_local.run(Remind, "cy", 1) == "reminded cy"


def test_swf_activity_runs_one_activity_with_heartbeats(swf_activity: ActivityEnvironment) -> None:
    assert swf_activity.run(Reminders().count, 3) == 3
    assert swf_activity.heartbeats == [{"done": 0}, {"done": 1}, {"done": 2}]


def test_swf_activity_cancellation_and_task_info() -> None:
    env = ActivityEnvironment(cancel_after=1, workflow_id="wf-9")
    with pytest.raises(CancelledError, match="stopped at 1"):
        env.run(Reminders().count, 5)
    assert ActivityEnvironment(workflow_id="wf-9").run(Reminders().whoami) == (
        "wf-9/1/Reminders.whoami"
    )


def test_swf_activity_errors_arrive_unchanged_and_arguments_are_checked() -> None:
    env = ActivityEnvironment()
    with pytest.raises(ValueError, match="bad 2"):
        env.run(Reminders().broken, 2)
    with pytest.raises((TypeError, SerializationError)):
        env.run(Reminders().count, "three")
    with pytest.raises(TypeError, match="needs an @activity_task method"):
        env.run(len, [1])


def test_fixtures_are_registered_through_the_entry_point(request: Any) -> None:
    plugin = request.config.pluginmanager.get_plugin("swfobjects")
    assert plugin is not None, "pip install -e . registers the pytest11 entry point"


def _save_runs(directory: pathlib.Path, *items: str) -> None:
    executor = SerialExecutor([shop.Warehouse()])
    directory.mkdir()
    for item in items:
        handle = executor.start(shop.Checkout, item, 250)
        handle.result()
        with (directory / f"{item}.json").open("w") as file:
            write_history(handle.history(), file)


def test_swf_replay_passes_histories_that_still_replay(
    swf_replay: ReplayCheck, tmp_path: pathlib.Path
) -> None:
    _save_runs(tmp_path / "histories", "lamp", "desk")
    results = swf_replay(shop.Checkout, tmp_path / "histories")
    assert [(pathlib.Path(r.source).name, r.ok) for r in results] == [
        ("desk.json", True),
        ("lamp.json", True),
    ]


def test_swf_replay_fails_the_test_on_a_mismatch_naming_event_and_line(
    swf_replay: ReplayCheck, tmp_path: pathlib.Path
) -> None:
    _save_runs(tmp_path / "histories", "lamp")
    changed = V1.replace(
        "        box = await self.warehouse.pack(item)\n",
        "        await self.timer(5)\n        box = await self.warehouse.pack(item)\n",
    )
    module = _module(tmp_path, "shop_replay_fixture", changed)
    with pytest.raises(pytest.fail.Exception) as failure:
        swf_replay(module.Checkout, tmp_path / "histories")
    message = str(failure.value)
    assert message.startswith("1 of 1 histories no longer replay with Checkout:")
    assert "lamp.json: MISMATCH at event 5 (ActivityTaskScheduled)" in message
    assert "shop_replay_fixture.py:" in message


def test_swf_replay_refuses_to_check_nothing(
    swf_replay: ReplayCheck, tmp_path: pathlib.Path
) -> None:
    with pytest.raises(pytest.fail.Exception, match="no history files matching '\\*.json'"):
        swf_replay(shop.Checkout, tmp_path)
    with pytest.raises(pytest.fail.Exception, match="is not a directory"):
        swf_replay(shop.Checkout, tmp_path / "missing")
