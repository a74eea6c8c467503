"""Fixtures shared by the whole suite (helpers to import are in ``tests/helpers/``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import servers


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server on 127.0.0.1 (one per session; tests use their own domains and buckets)."""
    pytest.importorskip("moto.server")
    with servers.moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def local_swf() -> Iterator[Any]:
    """``swfobjects local`` on 127.0.0.1 with short empty polls (one per session; tests use
    their own domains)."""
    pytest.importorskip("swfobjects.local")
    with servers.local_swf(poll_timeout=1.0) as service:
        yield service
