"""``Replayer`` and history files: recorded histories against changed workflow code."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import sys
import types
import warnings

import pytest

from swfobjects import SerialExecutor
from swfobjects.exceptions import HistoryFileError
from swfobjects.replay import decide
from swfobjects.storage import MemoryStore
from swfobjects.testing import Replayer, read_history, write_history
from tests.cli import shop

V1 = pathlib.Path(shop.__file__).read_text()


def _module(tmp_path: pathlib.Path, name: str, source: str) -> types.ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same SWF types as tests.cli.shop, on purpose
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def recorded(tmp_path: pathlib.Path) -> pathlib.Path:
    executor = SerialExecutor([shop.Warehouse()])
    handle = executor.start(shop.Checkout, "lamp", 250)
    handle.result()
    path = tmp_path / "run.json"
    with path.open("w") as file:
        write_history(handle.history(), file)
    return path


def test_the_same_code_replays_ok(recorded: pathlib.Path) -> None:
    result = Replayer(shop.Checkout).replay_file(recorded)
    assert result.ok, str(result)
    assert str(result) == f"{recorded}: OK ({result.events} events)"
    assert result.events == len(json.loads(recorded.read_text())["events"])


def test_a_changed_call_is_reported_with_the_event_and_the_line(
    recorded: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    changed = V1.replace(
        "        box = await self.warehouse.pack(item)\n",
        "        await self.timer(5)\n        box = await self.warehouse.pack(item)\n",
    )
    module = _module(tmp_path, "shop_timer_first", changed)
    result = Replayer(module.Checkout).replay_file(recorded)
    assert not result.ok
    assert result.event_type == "ActivityTaskScheduled"
    assert result.event_id == 5
    line = changed.splitlines().index("        await self.timer(5)") + 1
    assert result.line.startswith(f"{tmp_path / 'shop_timer_first.py'}:{line} in run")
    assert "MISMATCH at event 5 (ActivityTaskScheduled)" in str(result)
    assert f"workflow code: {result.line}" in str(result)


def test_a_renamed_activity_points_at_its_call(
    recorded: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    changed = V1.replace("warehouse.charge(item, cents)", "warehouse.refuse(item)")
    module = _module(tmp_path, "shop_renamed", changed)
    result = Replayer(module.Checkout).replay_file(recorded)
    assert not result.ok
    line = next(i for i, text in enumerate(changed.splitlines(), 1) if "refuse(item)" in text)
    assert f"shop_renamed.py:{line} in run" in result.line


def test_code_that_now_waits_first_points_at_its_wait(
    recorded: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    changed = V1.replace(
        "        box = await self.warehouse.pack(item)\n",
        "        await self.wait_for(lambda: bool(self.approved_by))\n"
        "        box = await self.warehouse.pack(item)\n",
    )
    module = _module(tmp_path, "shop_waits_first", changed)
    result = Replayer(module.Checkout).replay_file(recorded)
    line = next(i for i, text in enumerate(changed.splitlines(), 1) if "wait_for(" in text)
    assert (
        result.line
        == f"{tmp_path / 'shop_waits_first.py'}:{line} in run (where the workflow waits)"
    )


def test_code_that_now_ends_early_points_at_the_workflow_method(
    recorded: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    changed = V1.replace(
        "        box = await self.warehouse.pack(item)\n",
        '        return {"box": "none"}\n        box = await self.warehouse.pack(item)\n',
    )
    module = _module(tmp_path, "shop_ends_early", changed)
    result = Replayer(module.Checkout).replay_file(recorded)
    assert "shop_ends_early.py:" in result.line
    assert "(the workflow method; replayed, it decides CompleteWorkflowExecution" in result.line


def test_a_compatible_change_replays_ok(recorded: pathlib.Path, tmp_path: pathlib.Path) -> None:
    changed = V1.replace(
        'return {"box": box, "paid": paid, "approved_by": self.approved_by}',
        'return {"box": box.upper(), "paid": paid, "approved_by": self.approved_by}',
    )
    module = _module(tmp_path, "shop_compatible", changed)
    assert [r.ok for r in Replayer(module.Checkout).replay_files([recorded, recorded])] == [
        True,
        True,
    ]


def test_a_different_outcome_is_a_mismatch(recorded: pathlib.Path, tmp_path: pathlib.Path) -> None:
    changed = V1.replace(
        'return {"box": box, "paid": paid, "approved_by": self.approved_by}',
        'raise ValueError("no more boxes")',
    )
    module = _module(tmp_path, "shop_fails_now", changed)
    result = Replayer(module.Checkout).replay_file(recorded)
    assert not result.ok
    assert result.event_type == "WorkflowExecutionCompleted"
    assert "the replayed code fails the workflow (FailWorkflowExecution)" in str(result)


def test_aws_cli_files_read_the_same(recorded: pathlib.Path, tmp_path: pathlib.Path) -> None:
    events = json.loads(recorded.read_text())["events"]
    iso = [
        dict(e, eventTimestamp=_iso(e["eventTimestamp"])) for e in reversed(events)
    ]  # AWS CLI v2 prints ISO 8601; --reverse-order files are newest first
    path = tmp_path / "aws.json"
    path.write_text(json.dumps({"events": iso}))
    assert read_history(path) == read_history(recorded)
    assert Replayer(shop.Checkout).replay_file(path).ok


def test_handle_history_and_plain_lists_replay(tmp_path: pathlib.Path) -> None:
    executor = SerialExecutor([shop.Warehouse()])
    handle = executor.start(shop.Checkout, "pen")
    handle.result()
    assert Replayer(shop.Checkout).replay(handle.history()).ok
    path = tmp_path / "dumped.json"
    path.write_text(json.dumps(handle.history(), default=str))  # str(datetime) timestamps
    assert Replayer(shop.Checkout).replay_file(path).ok


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2", "is not JSON"),
        ('{"events": [], "nextPageToken": "x"}', "one page of a history"),
        ('{"executionInfo": {}}', "has no 'events' (its keys: executionInfo)"),
        ('{"events": [{"eventId": 1}]}', "event #1 lacks eventType, eventTimestamp"),
        (
            '{"events": [{"eventId": 1, "eventType": "X", "eventTimestamp": "noon"}]}',
            "neither epoch seconds nor an ISO 8601 time",
        ),
        (
            '{"events": [{"eventId": 1, "eventType": "DecisionTaskScheduled", '
            '"eventTimestamp": 0}]}',
            "does not start with WorkflowExecutionStarted",
        ),
    ],
)
def test_bad_files_are_refused_with_the_reason(
    tmp_path: pathlib.Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(HistoryFileError, match=re.escape(message)):
        Replayer(shop.Checkout).replay_file(path)


def test_a_history_of_another_workflow_type_is_refused(recorded: pathlib.Path) -> None:
    with pytest.raises(HistoryFileError, match="not of 'Refuse'"):
        Replayer(shop.Refuse).replay_file(recorded)


def test_out_of_band_payloads_are_read_from_the_data_store(tmp_path: pathlib.Path) -> None:
    store = MemoryStore()
    executor = SerialExecutor([shop.Warehouse()], data_store=store)
    handle = executor.start(shop.Checkout, "x" * 40_000)  # past SWF's 32 KiB input limit
    handle.result()
    events = handle.history()
    assert "x" * 100 not in str(events)  # the input travelled out of band
    assert Replayer(shop.Checkout, data_store=store).replay(events).ok
    decisions = decide(shop.Checkout, events[:3], data_store=store)
    assert decisions[0]["decisionType"] == "ScheduleActivityTask"
    with pytest.raises(TypeError, match="not both"):
        decide(shop.Checkout, events[:3], data_store=store, payloads=executor.payloads)


def _iso(seconds: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()
