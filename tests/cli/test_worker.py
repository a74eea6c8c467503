"""``swfobjects worker --processes 2`` as a process: work gets done, a killed child is
restarted, SIGTERM drains them all and exits 0."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from swfobjects._cli import main
from swfobjects.client import SWFExecutor
from tests.cli import shop
from tests.helpers.servers import local_swf


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _expect(lines: queue.Queue[str], pattern: str, timeout: float = 30.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} in {seen!r}")


@pytest.mark.slow  # three Python processes start
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_supervised_processes_work_restart_and_drain() -> None:
    domain = f"cli-worker-{uuid.uuid4().hex[:8]}"
    with local_swf(poll_timeout=1.0) as service:
        assert (
            main(
                [
                    "register",
                    "tests.cli.shop",
                    "--domain",
                    domain,
                    "--endpoint-url",
                    service.endpoint_url,
                ]
            )
            == 0
        )
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "SWFOBJECTS_DOMAIN": domain,
            "AWS_ENDPOINT_URL_SWF": service.endpoint_url,
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "swfobjects",
                "worker",
                "tests.cli.shop",
                "--processes",
                "2",
                "--threads",
                "2",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            lines = _lines(proc)
            first = int(_expect(lines, r"process 1 started \(pid (\d+)\)").group(1))
            _expect(lines, r"process 2 started")
            executor = SWFExecutor(domain, client=service.client())
            assert executor.run(shop.Checkout, "lamp")["box"] == "box(lamp)"

            os.kill(first, signal.SIGKILL)
            _expect(lines, rf"process 1 \(pid {first}\) exited with status -9; restarting")
            second = int(_expect(lines, r"process 1 started \(pid (\d+)\)").group(1))
            assert second != first
            assert executor.run(shop.Checkout, "desk", 70)["paid"] == 70

            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
            _expect(lines, r"swfobjects worker: stopped")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
