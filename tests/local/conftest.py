"""Fixtures of the ``swfobjects local`` tests. Each module starts its own service (``swf``) with
the options it needs; these fixtures are what they share."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.local_support import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """The service's clock, moved by hand: ``clock.advance(30)``."""
    return ManualClock()


@pytest.fixture
def client(swf: Any) -> Any:
    """A boto3 SWF client of the module's ``swf`` service."""
    return swf.client()
