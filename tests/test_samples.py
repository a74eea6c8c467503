"""The samples run as documented and print their results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("samples.hello", "Hello, world!"),
        ("samples.fanout", "sum of squares 1..100 = 338350"),
        ("samples.order", "payment attempts: 3"),
        ("samples.children", "'X9': 'failed:"),
        ("samples.approval", "yacht: not approved within 3 days"),
        ("samples.batches", "sum of 0..99999 = 4999950000 in 11 runs"),
        ("samples.versioning", "before the change: ['account:ann', 'active:ann']"),
        ("samples.legacy", "msg-1: Ada owes 36.00 EUR"),
        ("samples.approval_by_email", "laptop: approved\nyacht: rejected"),
        (
            "samples.status_page",
            "launch: waiting for an editor (3/3)\nlaunch: published (3/3)\n"
            "5 of 5 decisions changed the state and sent it",
        ),
        ("samples.polyglot", "order-7: 12.00 EUR; stamped:order-7"),
        (
            "samples.http_retry",
            "GET /report: 200 'ready' (waited 30 s)\nGET /broken: gave up after attempt 1",
        ),
        (
            "samples.tracing",
            "12 spans in 1 trace:\ncheckout request\n  StartWorkflow:Shipping\n"
            "    RunWorkflow:Shipping\n      DecisionTask:Shipping\n"
            "      RunActivity:Carrier.book (attempt 1, error: ConnectionError: carrier API busy)",
        ),
    ],
)
def test_sample_runs(module, expected):
    done = subprocess.run(
        [sys.executable, "-m", module], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
