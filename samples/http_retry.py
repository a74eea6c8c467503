"""An HTTP call retried on 503 after the server's ``Retry-After``, and never on 400.

    python -m samples.http_retry

The retry policy looks at the failure: the activity turns an HTTP error status into an
exception whose ``details`` carry the status and the ``Retry-After`` header, ``retry_if``
retries only 429 and 5xx answers, and ``delay_for`` waits as long as the server asked (or the
policy's backoff when it did not say). Both run in the decider on every replay, so they look
only at the error. The server here is a small one on 127.0.0.1 started by the sample: it
answers 503 twice on ``/report``, and 400 on ``/broken``.
"""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from swfobjects import (
    ActivityTaskError,
    RetryPolicy,
    SerialExecutor,
    activity_task,
    decision_task,
    workflow,
)


class HttpStatusError(Exception):
    """An HTTP error answer; ``details`` travel to the workflow with the failure."""

    def __init__(self, url: str, status: int, retry_after: str | None) -> None:
        super().__init__(f"GET {url}: HTTP {status}")
        seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
        self.details = {"status": status, "retry_after": seconds}


def transient(error: ActivityTaskError) -> bool:
    """Retry what the server may answer differently later: 429 and 5xx, not 4xx."""
    status = (error.details or {}).get("status")
    return status == 429 or (status is not None and status >= 500)


def server_delay(error: ActivityTaskError) -> int | None:
    """The server's ``Retry-After`` in seconds, or None for the policy's backoff."""
    return (error.details or {}).get("retry_after")


@activity_task(
    task_list="http",
    start_to_close_timeout=30,
    retry=RetryPolicy(max_attempts=5, retry_if=transient, delay_for=server_delay),
)
def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode())
    except urllib.error.HTTPError as error:
        raise HttpStatusError(url, error.code, error.headers.get("Retry-After")) from None


@decision_task(name="http_retry.report", task_list="http-flows")
async def report(base: str) -> list[str]:
    lines = []
    for path in ("/report", "/broken"):
        started = workflow.now()
        try:
            body = await fetch(base + path)
            outcome = f"200 {body!r}"
        except ActivityTaskError as error:
            outcome = f"gave up after attempt {error.attempt}: {error.message}"
        waited = (workflow.now() - started).total_seconds()
        lines.append(f"GET {path}: {outcome} (waited {waited:.0f} s)")
    return lines


class _Flaky(http.server.BaseHTTPRequestHandler):
    calls: Counter[str] = Counter()

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.calls[self.path] += 1
        if self.path == "/report" and self.calls[self.path] <= 2:
            self.send_response(503)
            self.send_header("Retry-After", str(10 * self.calls[self.path]))
            self.end_headers()
        elif self.path == "/report":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ready")
        else:
            self.send_response(400)
            self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def flaky_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    with flaky_server() as base:
        for line in SerialExecutor().run(report, base):
            print(line)
    print("requests:", dict(_Flaky.calls))


if __name__ == "__main__":
    main()
