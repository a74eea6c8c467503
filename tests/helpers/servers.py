"""Servers the tests talk to over HTTP on 127.0.0.1: moto's and ``swfobjects local``.

The pytest fixtures around them (``moto_endpoint``, ``local_swf``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.helpers.net import free_port


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server (every AWS service it mocks) on a free port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def local_swf(**options: Any) -> Iterator[Any]:
    """``swfobjects local`` on a free port; ``options`` go to ``LocalSWF`` (poll_timeout=1.0
    unless given: short empty polls, so workers stop quickly)."""
    from swfobjects.local import LocalSWF

    options.setdefault("poll_timeout", 1.0)
    with LocalSWF(**options) as service:
        yield service
