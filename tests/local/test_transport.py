"""The HTTP transport of ``swfobjects local`` under misbehaving clients: bursts of connections,
half-sent bodies, lying ``Content-Length`` headers, absurd nesting, and ``--close-connections``.
Every answer has SWF's error shape and no connection holds a thread for ever."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._protocol import MAX_JSON_DEPTH
from swfobjects.local._server import LISTEN_BACKLOG, SwfHttpServer
from tests.helpers.local_support import DOMAIN, register

READ_TIMEOUT = 0.3


@pytest.fixture(scope="module")
def swf() -> Iterator[LocalSWF]:
    with LocalSWF(poll_timeout=0.2, read_timeout=READ_TIMEOUT) as service:
        register(service.client())
        yield service


def _connect(swf: LocalSWF) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", swf.port), timeout=10)
    return sock


def _request(operation: str, body: bytes, length: str | None = None) -> bytes:
    head = [
        "POST / HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/x-amz-json-1.0",
        f"X-Amz-Target: SimpleWorkflowService.{operation}",
    ]
    if length is not None:
        head.append(f"Content-Length: {length}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _answer(sock: socket.socket) -> tuple[int, dict[str, Any], str | None]:
    """Status, JSON body and ``Connection`` header of the next response on ``sock``."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    body = json.loads(response.read() or b"{}")
    return response.status, body, response.getheader("Connection")


def _closed_by_server(sock: socket.socket, within: float = 5.0) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def _code(body: dict[str, Any]) -> str:
    return str(body["__type"]).rpartition("#")[2]


# --- lengths, bodies, nesting --------------------------------------------------------------


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "+5"])
def test_bad_content_length_is_refused_not_waited_on(swf: LocalSWF, length: str) -> None:
    with _connect(swf) as sock:
        sock.sendall(_request("DescribeDomain", b'{"name": "x"}', length))
        status, body, connection = _answer(sock)
        assert (status, _code(body)) == (400, "SerializationException")
        assert "Content-Length" in body["message"] and connection == "close"
        assert _closed_by_server(sock)


def test_missing_content_length_with_a_body_is_refused(swf: LocalSWF) -> None:
    with _connect(swf) as sock:
        sock.sendall(_request("DescribeDomain", json.dumps({"name": DOMAIN}).encode()))
        status, body, connection = _answer(sock)
        assert (status, _code(body)) == (400, "SerializationException")
        assert "missing Content-Length" in body["message"]
        assert _closed_by_server(sock)  # the unannounced body is never read as a request


def test_half_sent_body_is_answered_and_closed_after_the_read_timeout(swf: LocalSWF) -> None:
    with _connect(swf) as sock:
        started = time.monotonic()
        sock.sendall(_request("DescribeDomain", b'{"name": "', "100"))
        status, body, connection = _answer(sock)
        waited = time.monotonic() - started
        assert (status, _code(body)) == (408, "RequestTimeoutException")
        assert "10 of 100 bytes" in body["message"]
        assert READ_TIMEOUT * 0.9 <= waited < READ_TIMEOUT + 3
        assert _closed_by_server(sock)


def test_idle_connection_is_closed_after_the_read_timeout(swf: LocalSWF) -> None:
    with _connect(swf) as sock:
        assert _closed_by_server(sock, within=READ_TIMEOUT + 3)


def test_many_half_sent_bodies_release_their_threads(swf: LocalSWF) -> None:
    server = swf._server
    assert isinstance(server, SwfHttpServer)
    sockets = [_connect(swf) for _ in range(20)]
    try:
        for sock in sockets:
            sock.sendall(_request("DescribeDomain", b"{", "50"))
        deadline = time.monotonic() + READ_TIMEOUT + 5
        while server._connections and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not server._connections
    finally:
        for sock in sockets:
            sock.close()
    client = swf.client()
    assert client.describe_domain(name=DOMAIN)["domainInfo"]["name"] == DOMAIN


@pytest.mark.parametrize("depth", [100_000, MAX_JSON_DEPTH + 1])
def test_deep_nesting_is_a_serialization_exception(swf: LocalSWF, depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    body = b'{"name": "' + DOMAIN.encode() + b'", "extra": ' + nested + b"}"
    with _connect(swf) as sock:
        sock.sendall(_request("DescribeDomain", body, str(len(body))))
        status, answer, _ = _answer(sock)
    assert (status, _code(answer)) == (400, "SerializationException")
    assert f"nested more than {MAX_JSON_DEPTH} levels" in answer["message"]


def test_nesting_within_the_limit_is_served(swf: LocalSWF) -> None:
    depth = MAX_JSON_DEPTH - 1  # the outer object is one level
    body = b'{"name": "' + DOMAIN.encode() + b'", "extra": ' + b"[" * depth + b"]" * depth + b"}"
    with _connect(swf) as sock:
        sock.sendall(_request("DescribeDomain", body, str(len(body))))
        status, answer, connection = _answer(sock)
    assert status == 200 and answer["domainInfo"]["name"] == DOMAIN
    assert connection is None  # kept alive by default


# --- connections ---------------------------------------------------------------------------


def test_burst_of_new_connections_is_all_answered(swf: LocalSWF) -> None:
    assert LISTEN_BACKLOG >= 128 and SwfHttpServer.request_queue_size == LISTEN_BACKLOG
    count = 100
    barrier = threading.Barrier(count)
    results: list[object] = []
    lock = threading.Lock()
    body = json.dumps({"name": DOMAIN}).encode()

    def one() -> None:
        barrier.wait()
        try:
            with socket.create_connection(("127.0.0.1", swf.port), timeout=20) as sock:
                sock.sendall(_request("DescribeDomain", body, str(len(body))))
                outcome: object = _answer(sock)[0]
        except OSError as exc:
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * count
    assert time.monotonic() - started < 15


def test_close_connections_answers_connection_close_and_closes() -> None:
    with LocalSWF(poll_timeout=0.2, close_connections=True) as swf:
        register(swf.client())  # boto3 copes: it reconnects for every call
        body = json.dumps({"name": DOMAIN}).encode()
        with _connect(swf) as sock:
            sock.sendall(_request("DescribeDomain", body, str(len(body))))
            status, answer, connection = _answer(sock)
            assert status == 200 and answer["domainInfo"]["name"] == DOMAIN
            assert connection == "close"
            assert _closed_by_server(sock, within=2)
        conn = http.client.HTTPConnection("127.0.0.1", swf.port, timeout=5)
        try:
            conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "x"})
            response = conn.getresponse()
            response.read()
            assert response.getheader("Connection") == "close"  # errors too
            assert response.will_close
        finally:
            conn.close()


def test_keep_alive_is_the_default(swf: LocalSWF) -> None:
    body = json.dumps({"name": DOMAIN}).encode()
    with _connect(swf) as sock:
        for _ in range(2):  # two requests on one connection
            sock.sendall(_request("DescribeDomain", body, str(len(body))))
            status, _, connection = _answer(sock)
            assert (status, connection) == (200, None)


def test_read_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="read_timeout must be a positive"):
        LocalSWF(read_timeout=0)
