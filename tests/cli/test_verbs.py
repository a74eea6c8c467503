"""Every verb of the CLI against ``swfobjects local`` on 127.0.0.1 (workers in this process)."""

from __future__ import annotations

import json
import pathlib
import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from swfobjects._cli import main
from swfobjects.client import SWFExecutor
from tests.cli import shop
from tests.helpers.html_tree import parse_html
from tests.helpers.servers import local_swf

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Cli:
    """Runs ``swfobjects ...`` in this process against one service and domain."""

    def __init__(self, endpoint: str, domain: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.endpoint = endpoint
        self.domain = domain
        self.capsys = capsys

    def __call__(self, *argv: str, options: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        extra = ["--endpoint-url", self.endpoint, "--domain", self.domain] if options else []
        status = main([*argv, *extra])
        out, err = self.capsys.readouterr()
        return status, out, err

    def wait_closed(self, workflow_id: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status, out, _ = self("show", workflow_id, "--json")
            assert status == 0
            shown: dict[str, Any] = json.loads(out)
            if shown["status"] != "OPEN" or time.monotonic() > deadline:
                return shown
            time.sleep(0.1)


@pytest.fixture(scope="module")
def service() -> Iterator[Any]:
    with local_swf(poll_timeout=1.0) as swf:
        yield swf


@pytest.fixture(scope="module")
def domain(service: Any) -> Iterator[str]:
    """A domain with the shop's types registered by the CLI and workers running."""
    name = f"cli-{uuid.uuid4().hex[:8]}"
    assert (
        main(
            ["register", "tests.cli.shop", "--domain", name, "--endpoint-url", service.endpoint_url]
        )
        == 0
    )
    executor = SWFExecutor(name, client=service.client())
    with executor.running(shop.Checkout, shop.Refuse, shop.Warehouse()):
        yield name


@pytest.fixture
def cli(service: Any, domain: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(service.endpoint_url, domain, capsys)


def test_register_lists_every_type_and_is_idempotent(cli: Cli) -> None:
    status, out, err = cli("register", "tests.cli.shop:Checkout,Warehouse")
    assert status == 0, err
    assert f"domain {cli.domain}: registered (or already there)" in out
    lines = out.splitlines()
    assert lines[1].split() == ["KIND", "NAME", "VERSION", "TASK", "LIST"]
    assert any(line.split() == ["workflow", "Checkout", "1.0", "cli-shop"] for line in lines)
    assert any(line.split()[:2] == ["activity", "Warehouse.charge"] for line in lines)
    assert not any("Refuse" in line for line in lines)


def test_run_prints_the_result_as_json(cli: Cli) -> None:
    status, out, err = cli("run", "tests.cli.shop:Checkout", '["lamp", 250]', "--id", "run-1")
    assert status == 0, err
    assert json.loads(out) == {"box": "box(lamp)", "paid": 250, "approved_by": ""}
    assert "workflow id: run-1" in err


def test_arguments_from_a_file(cli: Cli, tmp_path: pathlib.Path) -> None:
    arguments = tmp_path / "args.json"
    arguments.write_text(json.dumps({"item": "sofa", "cents": 90}))
    status, out, err = cli(
        "start", "tests.cli.shop:Checkout", "--input-file", str(arguments), "--wait", "--json"
    )
    assert status == 0, err
    assert json.loads(out)["paid"] == 90
    status, _, err = cli("start", "tests.cli.shop:Checkout", "[1]", "--input-file", str(arguments))
    assert status == 2 and "give ARGS_JSON or --input-file, not both" in err


def test_start_then_signal_then_show(cli: Cli) -> None:
    status, out, err = cli(
        "start", "tests.cli.shop:Checkout", '{"item": "desk", "wait": true}', "--id", "sig-1"
    )
    assert status == 0, err
    assert out.splitlines()[0] == "workflow id: sig-1"
    assert out.splitlines()[1].startswith("run id:")
    status, out, _ = cli("show", "sig-1")
    assert "status:     OPEN" in out
    deadline = time.monotonic() + 20
    while 'state:      "waiting for approval"' not in out and time.monotonic() < deadline:
        time.sleep(0.1)
        out = cli("show", "sig-1")[1]
    assert 'state:      "waiting for approval"' in out
    status, out, err = cli("signal", "sig-1", "approve", '{"by": "ann"}')
    assert status == 0, err
    assert out.startswith("signal approve sent to sig-1")
    shown = cli.wait_closed("sig-1")
    assert shown["status"] == "COMPLETED"
    assert shown["result"] == {"box": "box(desk)", "paid": 50, "approved_by": "ann"}
    assert shown["state"] == "done"
    assert shown["input"] == {"item": "desk", "wait": True}
    signaled = [e for e in shown["events"] if e["event_type"] == "WorkflowExecutionSignaled"]
    assert signaled[0]["subject"] == "signal approve"


def test_show_draws_the_history_with_attempts_and_failures(cli: Cli) -> None:
    assert cli("run", "tests.cli.shop:Checkout", '["chair", 500]', "--id", "show-1")[0] == 0
    status, out, err = cli("show", "show-1")
    assert status == 0, err
    assert "status:     COMPLETED" in out
    assert 'result:     {"box": "box(chair)", "paid": 500, "approved_by": ""}' in out
    assert "failed: ConnectionError: card network busy for chair" in out
    table = out[out.index("ID  ") :].splitlines()
    assert table[0].split() == ["ID", "+TIME", "EVENT", "FOR", "TRY", "PAYLOAD"]
    failed = next(line for line in table if "ActivityTaskFailed" in line)
    assert "activity Warehouse.charge (2)" in failed and "  1  " in failed
    retried = [line for line in table if "ActivityTaskCompleted" in line][-1]
    assert "activity Warehouse.charge (2.1)" in retried and "  2  " in retried
    assert table[1].split()[:3] == ["1", "0.000s", "WorkflowExecutionStarted"]
    assert len(table) - 1 == len(json.loads(cli("history", "show-1")[1])["events"])


def test_show_html_writes_the_timeline(cli: Cli, tmp_path: pathlib.Path) -> None:
    assert cli("run", "tests.cli.shop:Checkout", '["stool", 500]', "--id", "html-1")[0] == 0
    page = tmp_path / "html-1.html"
    status, out, err = cli("show", "html-1", "--html", str(page))
    assert status == 0, err
    assert f"timeline:   {page} (open it in a browser)" in out
    root, elements = parse_html(page.read_text(encoding="utf-8"))
    assert root.find("h1")[0].text.startswith("html-1 (run ")
    assert sum("failed" in e.classes for e in elements if e.tag == "g") == 1
    events = json.loads(cli("history", "html-1")[1])["events"]
    assert len(root.find("tbody")[0].find("tr")) == len(events)
    status, _, err = cli("show", "html-1", "--html", str(tmp_path / "no" / "such.html"))
    assert status == 1 and "cannot write the timeline to" in err


def test_a_failed_workflow_is_status_1_with_its_remote_traceback(cli: Cli) -> None:
    status, out, err = cli("run", "tests.cli.shop:Refuse", '["gun"]', "--id", "fail-1")
    assert status == 1
    assert out == ""
    assert "swfobjects run: workflow Refuse (fail-1) failed" in err
    assert "gun may not ship" in err and "Traceback" in err
    status, out, _ = cli("show", "fail-1")
    assert status == 0
    assert "status:     FAILED" in out
    assert "failure:    PermissionError:" in out
    assert 'raise PermissionError(f"{item} may not ship")' in out  # the activity's own line


def test_cancel_and_terminate(cli: Cli) -> None:
    for workflow_id in ("cancel-1", "term-1"):
        started = cli(
            "start", "tests.cli.shop:Checkout", '{"item": "x", "wait": true}', "--id", workflow_id
        )
        assert started[0] == 0
    status, out, err = cli("cancel", "cancel-1")
    assert status == 0, err
    assert out.startswith("cancellation requested for cancel-1")
    status, out, err = cli("terminate", "term-1", "--reason", "bad input")
    assert (status, out.split()[0]) == (0, "terminated"), err
    assert cli.wait_closed("cancel-1")["status"] == "CANCELED"
    shown = cli.wait_closed("term-1")
    assert (shown["status"], shown["reason"]) == ("TERMINATED", "bad input")


def test_list_filters_and_json(cli: Cli) -> None:
    assert cli("run", "tests.cli.shop:Checkout", '["pen"]', "--id", "list-1")[0] == 0
    cli("start", "tests.cli.shop:Checkout", '{"item": "y", "wait": true}', "--id", "list-open")
    status, out, err = cli("list")
    assert status == 0, err
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["WORKFLOW", "ID", "TYPE"]
    ids = {row.split()[0] for row in rows}
    assert {"list-1", "list-open"} <= ids
    opened = {row.split()[0] for row in cli("list", "--open")[1].splitlines()[1:]}
    assert "list-open" in opened and "list-1" not in opened
    closed = json.loads(cli("list", "--closed", "--type", "Checkout", "--json")[1])
    assert "list-1" in {info["execution"]["workflowId"] for info in closed}
    assert all(info["executionStatus"] == "CLOSED" for info in closed)
    assert all(not info["tagList"] for info in closed)  # the start marker tag is hidden
    assert cli("list", "--since", "1h")[0] == 0
    status, _, err = cli("list", "--type", "Checkout", "--tag", "x")
    assert (
        status == 2 and err == "swfobjects list: SWF filters by one of --type and --tag at a time\n"
    )
    cli("terminate", "list-open")


def test_history_then_replay_before_and_after_a_code_change(
    cli: Cli, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("run", "tests.cli.shop:Checkout", '["lamp", 250]', "--id", "hist-1")[0] == 0
    status, out, err = cli("history", "hist-1")
    assert status == 0, err
    path = tmp_path / "run.json"
    path.write_text(out)
    document = json.loads(out)
    assert list(document) == ["events"]
    assert document["events"][0]["eventType"] == "WorkflowExecutionStarted"
    assert isinstance(document["events"][0]["eventTimestamp"], float)

    status, out, _ = cli("replay", str(path), "--workflow", "tests.cli.shop:Checkout")
    assert (status, out) == (0, f"{path}: OK ({len(document['events'])} events)\n")

    source = pathlib.Path(shop.__file__).read_text()
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "shop_v2.py").write_text(
        source.replace(
            "box = await self.warehouse.pack(item)", "box = await self.warehouse.pack(item.upper())"
        )
    )  # compatible: same calls, other arguments
    status, out, _ = cli("replay", str(path), str(path), "--workflow", "shop_v2:Checkout")
    assert status == 0 and out.count(": OK (") == 2
    changed = source.replace(
        "        box = await self.warehouse.pack(item)\n",
        "        await self.timer(1)\n        box = await self.warehouse.pack(item)\n",
    )
    (tmp_path / "shop_v3.py").write_text(changed)
    status, out, _ = cli("replay", str(path), "--workflow", "shop_v3:Checkout")
    line = changed.splitlines().index("        await self.timer(1)") + 1
    assert status == 1
    assert out.startswith(f"{path}: MISMATCH at event 5 (ActivityTaskScheduled): history event 5")
    assert f"workflow code: {tmp_path / 'shop_v3.py'}:{line} in run" in out
    report = json.loads(cli("replay", str(path), "--workflow", "shop_v3:Checkout", "--json")[1])
    assert report[0]["ok"] is False and report[0]["eventId"] == 5


def test_global_options_before_the_verb_and_from_the_environment(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("run", "tests.cli.shop:Checkout", '["mug"]', "--id", "env-1")[0] == 0
    before = cli(
        "--domain",
        cli.domain,
        "--endpoint-url",
        cli.endpoint,
        "--json",
        "show",
        "env-1",
        options=False,
    )
    assert before[0] == 0 and json.loads(before[1])["status"] == "COMPLETED"
    monkeypatch.setenv("SWFOBJECTS_DOMAIN", cli.domain)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", cli.endpoint)
    status, out, err = cli("show", "env-1", "--json", options=False)
    assert status == 0, err
    assert json.loads(out)["workflowId"] == "env-1"


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["show", "no-such-id"], 1, "no execution with workflow id 'no-such-id' in '{domain}'"),
        (["show", "x", "--run", "r"], 1, "SWF refused: UnknownResourceFault:"),
        (["start", "tests.cli.shop:Checkout", "[1,"], 2, "the arguments are not JSON"),
        (["start", "tests.cli.shop:Checkout", "7"], 2, "wrap a single argument in a list: [7]"),
        (["start", "nosuchmodule:X"], 2, "no module named 'nosuchmodule'"),
        (["start", "tests.cli.shop:Nope"], 2, "tests.cli.shop has no 'Nope'"),
        (["start", "tests.cli.shop:Warehouse"], 2, "is not one Workflow class"),
        (
            ["replay", "/nonexistent.json", "--workflow", "tests.cli.shop:Checkout"],
            2,
            "cannot read history file /nonexistent.json",
        ),
        (["list", "--since", "yesterday"], 2, "give a duration (30m, 2h, 7d)"),
    ],
)
def test_errors_are_one_line_with_a_status(
    cli: Cli, argv: list[str], status: int, message: str
) -> None:
    got, out, err = cli(*argv)
    assert got == status
    assert err.count("\n") == 1, err
    assert err.startswith(f"swfobjects {argv[0]}: ")
    assert message.format(domain=cli.domain) in err


def test_no_domain_is_status_2_and_debug_shows_the_traceback(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWFOBJECTS_DOMAIN", raising=False)
    status, _, err = cli("list", "--endpoint-url", cli.endpoint, options=False)
    assert status == 2
    assert err == "swfobjects list: no domain: pass --domain NAME or set SWFOBJECTS_DOMAIN\n"
    status, _, err = cli("list", "--debug", "--endpoint-url", cli.endpoint, options=False)
    assert status == 2 and "Traceback (most recent call last)" in err


def test_show_of_an_open_run_says_what_it_waits_on(cli: Cli) -> None:
    with warnings.catch_warnings():
        cli("start", "tests.cli.shop:Checkout", '{"item": "z", "wait": true}', "--id", "wait-1")
    deadline = time.monotonic() + 10
    while True:
        shown = json.loads(cli("show", "wait-1", "--json")[1])
        if any(e["event_type"] == "ActivityTaskCompleted" for e in shown["events"]):
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    if shown["waitingOn"] != ["a signal or a wait_for() condition"]:  # a decision in flight
        time.sleep(0.5)
        shown = json.loads(cli("show", "wait-1", "--json")[1])
    assert shown["waitingOn"] == ["a signal or a wait_for() condition"]
    assert "waiting on: a signal or a wait_for() condition" in cli("show", "wait-1")[1]
    cli("terminate", "wait-1")


def test_the_reading_verbs_against_moto(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """moto's SWF is an implementation independent of ours: the same verbs read it."""
    cli = Cli(moto_endpoint, f"cli-moto-{uuid.uuid4().hex[:8]}", capsys)
    extra = ["--region", "us-east-1"]
    assert cli("register", "tests.cli.shop", *extra)[0] == 0
    status, out, err = cli("start", "tests.cli.shop:Checkout", '["lamp"]', "--id", "m-1", *extra)
    assert status == 0, err
    status, out, err = cli("list", "--open", *extra)
    assert status == 0, err
    assert out.splitlines()[1].split()[:3] == ["m-1", "Checkout", "OPEN"]
    status, out, err = cli("show", "m-1", *extra)
    assert status == 0, err
    assert "waiting on: a decision task (scheduled, no decider has taken it)" in out
    document = json.loads(cli("history", "m-1", *extra)[1])
    assert [e["eventType"] for e in document["events"]] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
    ]
    assert cli("terminate", "m-1", *extra)[0] == 0
    assert "TERMINATED" in cli("list", "--closed", *extra)[1]
