"""A fault-injecting HTTP proxy for SWF's JSON protocol: throttles, 500s and lost answers.

It sits between boto3 and ``swfobjects local`` on 127.0.0.1. For each request a seeded random
draw decides: answer ``ThrottlingException`` without forwarding (SWF's "Rate exceeded"), forward
and then *lose* the answer (the service did the work; the client sees a 500), or forward
faithfully. What happened is counted per operation, so tests can check that faults happened.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ChaosProxy"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ChaosProxy

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as the service

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rpartition(".")[2]
        fate = self.server.fate(operation)
        if fate == "throttle":
            self._answer(
                400,
                {
                    "__type": "com.amazon.coral.availability#ThrottlingException",
                    "message": "Rate exceeded",
                },
            )
            return
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=90)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream.request("POST", "/", body=body, headers=headers)
            response = upstream.getresponse()
            status, answer = response.status, response.read()
        finally:
            upstream.close()
        if fate == "lose":
            self._answer(500, {"__type": "InternalFailure", "message": "answer lost by chaos"})
            return
        self._send(status, answer)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class ChaosProxy(ThreadingHTTPServer):
    """``with ChaosProxy(upstream_port, throttle=0.3, lose=0.1, seed=1) as proxy:`` then send
    boto3 to ``proxy.endpoint_url``."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        upstream_port: int,
        *,
        throttle: float = 0.3,
        lose: float = 0.1,
        seed: int = 0,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream_port = upstream_port
        self.throttle = throttle
        self.lose = lose
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.fates: Counter[tuple[str, str]] = Counter()
        self._thread: threading.Thread | None = None

    def fate(self, operation: str) -> str:
        with self._lock:
            draw = self._rng.random()
            fate = (
                "throttle"
                if draw < self.throttle
                else "lose"
                if draw < self.throttle + self.lose
                else "pass"
            )
            self.fates[operation, fate] += 1
            return fate

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> ChaosProxy:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
