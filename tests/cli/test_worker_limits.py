"""``swfobjects worker`` passes the worker limits to ``run_workers``."""

from __future__ import annotations

from typing import Any

import pytest

from swfobjects._cli import main
from swfobjects.client import SWFExecutor


def test_worker_limits_reach_run_workers(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    seen: dict[str, Any] = {}

    def run_workers(self: SWFExecutor, *parts: Any, **options: Any) -> None:
        seen.update(options)

    monkeypatch.setattr(SWFExecutor, "run_workers", run_workers)
    argv = [
        "worker",
        "tests.cli.shop",
        "--max-concurrent-activities",
        "3",
        "--max-activities-per-second",
        "2.5",
        "--graceful-shutdown-timeout",
        "30",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--domain",
        "limits",
        "--region",
        "us-east-1",
    ]
    assert main(argv) == 0
    assert seen["max_concurrent_activities"] == 3
    assert seen["max_activities_per_second"] == 2.5
    assert seen["graceful_shutdown_timeout"] == 30.0
