"""Smoke runs of every benchmark at tiny sizes, so the scripts never rot (no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("name", ["replay", "decisions", "serial", "swf", "journal"])
def test_framework_benchmarks_run_and_write_json(name, tmp_path):
    out = tmp_path / f"{name}.json"
    stdout = run("-m", f"benchmarks.{name}", "--quick", "--json", str(out))
    assert "machine:" in stdout
    data = json.loads(out.read_text())
    assert data["benchmark"] == name and data["results"]


def test_swf_profile_splits_the_decision_cpu(tmp_path):
    out = tmp_path / "profile.json"
    stdout = run("-m", "benchmarks.swf", "--profile", "--quick", "--json", str(out))
    assert "Decision thread CPU per decision task" in stdout
    profiles = json.loads(out.read_text())["results"]["profile"]
    assert [p["scenario"] for p in profiles] == [
        "small history",
        "large history",
        "fan-out",
        "no sticky cache",
    ]
    for profile in profiles:
        split = profile["us_per_task"]
        assert profile["decision_tasks"] > 0 and split["total"] > 0
        assert split["parse"] > 0 and split["replay"] > 0 and split["sign"] > 0
    assert profiles[3]["calls_per_task"] == 2  # no cache: the poll brings the whole history


def test_payload_benchmark_runs():
    stdout = run("benchmarks/payloads.py", "--rounds", "1")
    assert "5 MB" in stdout


def test_local_service_benchmark_runs():
    stdout = run(
        "benchmarks/local_service.py",
        "--seconds",
        "0.5",
        "--clients",
        "1",
        "--executions",
        "1",
        "--activities",
        "5",
    )
    assert "API calls/s" in stdout and "activity round trips/s" in stdout


def test_the_instruction_count_side_of_the_comparison_replays(tmp_path):
    """``--compare --instructions`` runs ``_replay_once.py`` under callgrind (not here: no
    valgrind needed); both ways it must run, and replay a history a decider can decide."""
    from benchmarks._histories import FanOut, Sequential
    from benchmarks.replay import recorded

    histories = tmp_path / "histories.json"
    histories.write_text(
        json.dumps({"Sequential": recorded(Sequential, 5), "FanOut": recorded(FanOut, 4)})
    )
    for name in ("Sequential", "FanOut"):
        run("benchmarks/_replay_once.py", str(histories), "--once", name)
        run("benchmarks/_replay_once.py", str(histories), "--once", name, "--skip")


def test_the_paired_ratio_is_taken_within_rounds_and_ignores_a_burst():
    from benchmarks.replay import paired_ratio

    # the best of each side comes from different rounds (10/1 = 10x), but within every
    # round but the burst the slower side took 8x the faster one
    slower = [16.0, 10.0, 24.0, 80.0, 16.0]
    faster = [2.0, 1.25, 3.0, 1.0, 2.0]
    assert min(slower) / min(faster) == 10.0
    assert paired_ratio(slower, faster) == 8.0
