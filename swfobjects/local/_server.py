"""HTTP/1.1 front of the local service: SWF's JSON 1.0 protocol over the stdlib HTTP server.

One thread per connection (boto3 keeps connections alive, so a long poll holds one thread and
other clients are unaffected). Every failure becomes SWF's error shape; a bad request never
takes the server down. What a misbehaving client can hold is bounded: the listen backlog
absorbs bursts of new connections (:data:`LISTEN_BACKLOG`); a connection that sends nothing
for ``read_timeout`` seconds is closed (a body sent halfway is first answered with
``RequestTimeoutException``); a body must announce its length (``Content-Length``, at most
``MAX_BODY``). With ``keep_alive=False`` (``--close-connections``) every answer closes its
connection: for clients that fork after opening a keep-alive connection, whose processes
would otherwise share one socket and wait behind each other's long polls.

There is no authentication: the signature boto3 sends is ignored, which is why the server
binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import select
import socket
import sys
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..model import SwfFault
from ._console import console_response
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

__all__ = ["DEFAULT_READ_TIMEOUT", "LISTEN_BACKLOG", "SwfHttpServer"]

LISTEN_BACKLOG = 1024
"""Connections the kernel queues before ``accept`` (the stdlib's default of 5 made bursts of
new clients time out or be reset)."""
DEFAULT_READ_TIMEOUT = 30.0
"""Seconds a connection may send nothing while the service waits for a request or its body."""

_DISCARD_LIMIT = 16 * MAX_BODY  # read and drop an oversized body up to this, to answer cleanly


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SwfHttpServer
    server_version = "swfobjects-local"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)  # each read (and write) waits so long
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
        except Exception as exc:  # a bug before the engine: still SWF's shape, never a hang-up
            traceback.print_exc(file=sys.stderr)
            internal = SwfFault("InternalFailure", f"internal error in {operation}: {exc!r}", 500)
            self._send(*encode_fault(internal))
            return
        try:
            self._send(200, encode_result(result))
        except OSError as exc:  # the client went away after the hand-over
            self.close_connection = True
            if self.server.engine.undelivered(operation, params, result):
                self.log_message(
                    "%s: answer not delivered (%s), its task timed out", operation, exc
                )

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
        try:
            self._send(*console_response(self.path, self.server.engine))
        except Exception as exc:  # a console bug must not take the connection down silently
            traceback.print_exc(file=sys.stderr)
            self._send(500, f"internal error: {exc!r}\n".encode(), "text/plain; charset=utf-8")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise SwfFault("SerializationException", "chunked request bodies are not supported")
        header = self.headers.get("Content-Length")
        if header is None:  # a body may follow that this request does not announce
            self.close_connection = True
            raise SwfFault(
                "SerializationException", "missing Content-Length header (a request needs one)"
            )
        length = int(header) if header.isascii() and header.strip().isdigit() else -1
        if length < 0:
            self.close_connection = True
            raise SwfFault(
                "SerializationException",
                f"invalid Content-Length header {header[:40]!r}: a number of bytes is expected",
            )
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
        parts: list[bytes] = []
        received = 0
        try:
            while received < length:
                chunk = self.rfile.read1(length - received)
                if not chunk:
                    break  # the client hung up
                parts.append(chunk)
                received += len(chunk)
        except TimeoutError:
            pass
        body = b"".join(parts)
        if received < length:  # the client stopped sending (read timeout) or hung up
            self.close_connection = True
            raise SwfFault(
                "RequestTimeoutException",
                f"request body incomplete: {len(body)} of {length} bytes arrived (the client "
                f"sent nothing for {self.server.read_timeout:g} s, or hung up)",
                408,
            )
        return body

    def _send(self, status: int, body: bytes, content_type: str = CONTENT_TYPE) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if not self.server.keep_alive:
            self.close_connection = True
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
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        engine: Engine,
        verbose: bool = False,
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        keep_alive: bool = True,
    ) -> None:
        if not read_timeout > 0:
            raise ValueError(
                f"read_timeout must be a positive number of seconds, not {read_timeout}"
            )
        self.engine = engine
        self.verbose = verbose
        self.read_timeout = read_timeout
        self.keep_alive = keep_alive
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
