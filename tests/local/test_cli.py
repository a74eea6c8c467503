"""``swfobjects local`` as a process: start-up message, a boto3 call, clean SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import boto3
import pytest

from swfobjects._cli import main
from tests.helpers.net import free_port


@pytest.mark.slow  # a process start
def test_local_command_serves_and_stops(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "swfobjects._cli",
            "local",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "swf.sqlite"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert f"http://127.0.0.1:{port}" in lines[0]
        assert "journal" in lines[1]
        assert "NO authentication" in lines[2]
        assert f"web console at http://127.0.0.1:{port}/" in lines[3]
        client = boto3.client(
            "swf",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        client.register_domain(name="cli", workflowExecutionRetentionPeriodInDays="1")
        assert client.describe_domain(name="cli")["domainInfo"]["name"] == "cli"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_busy_port_is_reported(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert main(["local", "--port", str(sock.getsockname()[1])]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_command_is_required():
    with pytest.raises(SystemExit):
        main([])


def test_account_id_must_be_twelve_digits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["local", "--account-id", "12ab"])
    assert exit_info.value.code == 2
    assert "an AWS account id is 12 digits, not '12ab'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("domain=3", "unknown quota 'domain' in 'domain=3'; the quotas are: activity_types, "),
        ("domains", "'domains': give a quota as NAME=N, N a positive integer"),
        ("domains=0", "'domains=0': give a quota as NAME=N, N a positive integer"),
        ("domains=x", "'domains=x': give a quota as NAME=N, N a positive integer"),
    ],
)
def test_bad_quota_is_a_clear_usage_error(
    capsys: pytest.CaptureFixture[str], argument: str, expected: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["local", "--quota", argument])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    if argument.startswith("domain="):
        assert "open_executions" in err and "workflow_types" in err


def test_transport_and_quota_options_reach_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    import swfobjects.local

    seen: dict[str, object] = {}

    class Recorder:
        def __init__(self, *args: object, **kwargs: object) -> None:
            seen.update(kwargs)

        def start(self) -> None:
            raise OSError("not really started")

    monkeypatch.setattr(swfobjects.local, "LocalSWF", Recorder)
    argv = ["local", "--quota", "domains=3", "--quota", "open_executions=10"]
    argv += ["--close-connections", "--read-timeout", "2.5"]
    assert main(argv) == 2
    assert seen["quotas"] == {"domains": 3, "open_executions": 10}
    assert seen["close_connections"] is True and seen["read_timeout"] == 2.5
    assert main(["local"]) == 2
    assert seen["quotas"] == {} and seen["close_connections"] is False
    assert seen["read_timeout"] == 30.0


def test_an_unusable_journal_is_one_line_and_status_2(tmp_path, capsys):
    db = tmp_path / "swf.sqlite"
    db.write_bytes(b"not a database" * 100)
    assert main(["local", "--port", "0", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"swfobjects local: cannot use journal {db}:") and err.count("\n") == 1
