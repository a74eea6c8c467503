"""Many processes, one SWF: two deciders and two activity workers against ``swfobjects local``.

50 concurrent workflows must all complete with the right result; then, with 50 more running,
one activity worker is killed with SIGKILL in the middle of a task and one decider in the
middle of the run: SWF's timeouts and the workflows' retry policies must still complete every
one of them. Finally SIGTERM stops the survivors gracefully (exit status 0).

The worker processes run this same file as a script: ``python THIS_FILE ROLE ENDPOINT DOMAIN
IN_FLIGHT_DIR``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from swfobjects import ActivityWorker, RetryPolicy, Workflow, activity_task, decision_task

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = 50
TASK_TIMEOUT = 4
"""Seconds: decision and activity start-to-close timeouts, how fast SWF notices a dead worker."""


class MpWork(ActivityWorker, task_list="mp-work", version="1.0"):
    def __init__(self, in_flight: str = "") -> None:
        self.in_flight = Path(in_flight) if in_flight else None

    @activity_task(
        start_to_close_timeout=TASK_TIMEOUT,
        retry=RetryPolicy(max_attempts=6, initial_interval=1, backoff_coefficient=1),
    )
    def double(self, n: int) -> int:
        """Doubles slowly, leaving a file named for this process while it works."""
        marker = None
        if self.in_flight is not None:
            marker = self.in_flight / f"{os.getpid()}-{uuid.uuid4().hex}"
            marker.touch()
        time.sleep(0.15)
        if marker is not None:
            marker.unlink()
        return 2 * n


class MpFlow(Workflow, task_list="mp-decide", version="1.0"):
    work = MpWork.client()

    @decision_task(execution_start_to_close_timeout=600, task_start_to_close_timeout=TASK_TIMEOUT)
    async def run(self, n: int) -> int:
        once = await self.work.double(n)
        return await self.work.double(once)


def _worker_main(role: str, endpoint: str, domain: str, in_flight: str) -> None:
    import logging

    import boto3

    from swfobjects.client._swf_executor import SWFExecutor, swf_client

    logging.basicConfig(level=logging.WARNING, format=f"{role}[%(process)d] %(message)s")
    session = boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
    )
    executor = SWFExecutor(domain, client=swf_client(session, endpoint_url=endpoint))
    if role == "decider":
        executor.run_workers(MpFlow, decision_threads=2)
    else:
        executor.run_workers(MpWork(in_flight), activity_threads=4)


def _spawn(role: str, endpoint: str, domain: str, in_flight: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    return subprocess.Popen(
        [sys.executable, __file__, role, endpoint, domain, str(in_flight)], env=env, cwd=ROOT
    )


def _wait_all(handles: list, timeout: float) -> list[int]:
    return [handle.result(timeout=timeout) for handle in handles]


def test_deciders_and_workers_in_separate_processes_survive_kill_9(tmp_path: Path) -> None:
    local = pytest.importorskip("swfobjects.local")
    from swfobjects.client._swf_executor import SWFExecutor

    in_flight = tmp_path / "in-flight"
    in_flight.mkdir()
    domain = f"mp-{uuid.uuid4().hex[:8]}"
    with local.LocalSWF(poll_timeout=2.0) as service:
        executor = SWFExecutor(domain, client=service.client(), poll_interval=0.25)
        executor.register(MpFlow, MpWork)
        procs = {
            name: _spawn(name.split("-")[0], service.endpoint_url, domain, in_flight)
            for name in ("decider-1", "decider-2", "activity-1", "activity-2")
        }
        try:
            first = [executor.start(MpFlow, n, workflow_id=f"first-{n}") for n in range(WORKFLOWS)]
            assert _wait_all(first, timeout=120) == [4 * n for n in range(WORKFLOWS)]

            second = [
                executor.start(MpFlow, n, workflow_id=f"second-{n}") for n in range(WORKFLOWS)
            ]
            victim = procs["activity-1"]
            deadline = time.monotonic() + 60
            while not any(p.name.startswith(f"{victim.pid}-") for p in in_flight.iterdir()):
                assert time.monotonic() < deadline, "activity-1 never started a task"
                time.sleep(0.01)
            victim.kill()
            procs["decider-1"].kill()
            victim.wait()
            procs["decider-1"].wait()
            orphans = [p for p in in_flight.iterdir() if p.name.startswith(f"{victim.pid}-")]
            assert orphans, "the activity worker was killed mid-task"

            assert _wait_all(second, timeout=180) == [4 * n for n in range(WORKFLOWS)]
            timed_out = sum(
                1
                for handle in second
                for event in handle.history()
                if event["eventType"] in ("ActivityTaskTimedOut", "DecisionTaskTimedOut")
            )
            assert timed_out >= 1, "the killed workers' tasks were recovered by SWF timeouts"
        finally:
            for name in ("decider-2", "activity-2"):
                if procs[name].poll() is None:
                    procs[name].send_signal(signal.SIGTERM)
            codes = {}
            for name, proc in procs.items():
                try:
                    codes[name] = proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    codes[name] = "hung"
        assert codes["decider-2"] == 0 and codes["activity-2"] == 0, codes


if __name__ == "__main__":
    _worker_main(*sys.argv[1:5])
