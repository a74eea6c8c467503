"""HTTP/1.1 front of the local service: SWF's JSON 1.0 protocol over the stdlib HTTP server.

One thread per connection (boto3 keeps connections alive, so a long poll holds one thread and
other clients are unaffected). Every failure becomes SWF's error shape; a bad request never
takes the server down. There is no authentication: the signature boto3 sends is ignored, which
is why the server binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import select
import socket
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..model import SwfFault
from ._engine import Engine
from ._protocol import (
    CONTENT_TYPE,
    MAX_BODY,
    encode_fault,
    encode_result,
    operation_from_target,
    parse_body,
    signed_region,
    validate_input,
)

__all__ = ["SwfHttpServer"]

_DISCARD_LIMIT = 16 * MAX_BODY  # read and drop an oversized body up to this, to answer cleanly


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SwfHttpServer
    server_version = "swfobjects-local"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK stall every response by ~40 ms on loopback
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        try:
            operation = "?"
            raw = self._read_body()
            operation = operation_from_target(self.headers.get("X-Amz-Target"))
            params = parse_body(raw)
            validate_input(operation, params)
            region = signed_region(self.headers.get("Authorization"))
            result = self.server.engine.call(
                operation, params, region=region, alive=self._client_connected
            )
        except SwfFault as fault:
            status, body = encode_fault(fault)
            if self.server.verbose:
                self.log_message("%s -> %s: %s", operation, fault.code, fault.message)
            self._send(status, body)
            return
        self._send(200, encode_result(result))

    def _client_connected(self) -> bool:
        """Whether the client still holds this connection open (checked before a waiting
        poll takes a task). A closed or reset connection reads as end-of-file or an error;
        a live one that has sent nothing more is not readable at all."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return True
            return bool(self.connection.recv(1, socket.MSG_PEEK))
        except (OSError, ValueError):
            return False

    def do_GET(self) -> None:  # noqa: N802
        body = b"swfobjects local: Amazon SWF JSON 1.0 endpoint; POST with X-Amz-Target.\n"
        self._send(200, body, "text/plain")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise SwfFault("SerializationException", "chunked request bodies are not supported")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise SwfFault("SerializationException", "invalid Content-Length header") from None
        if length > MAX_BODY:
            if length <= _DISCARD_LIMIT:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 65536))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            else:
                self.close_connection = True
            raise SwfFault(
                "ValidationException",
                f"request body of {length} bytes exceeds SWF's limit of {MAX_BODY} bytes (1 MB)",
            )
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str = CONTENT_TYPE) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            sys.stderr.write(f"swfobjects local: {format % args}\n")


class SwfHttpServer(ThreadingHTTPServer):
    """A threading HTTP server bound to an :class:`Engine`; tracks connections to close them."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], engine: Engine, verbose: bool = False) -> None:
        self.engine = engine
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut every open keep-alive connection (their handler threads then end)."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
