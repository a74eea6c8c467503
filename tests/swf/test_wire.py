"""botocore's SWF model: loaded once per process, even when threads ask for it together."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from swfobjects.swf import wire


def test_service_model_is_loaded_once_by_concurrent_threads(monkeypatch: pytest.MonkeyPatch):
    loads: list[int] = []
    real = wire.service_model()

    class SlowSession:
        def get_service_model(self, name: str) -> Any:
            loads.append(1)
            time.sleep(0.05)  # the other threads arrive while this one loads
            return real

    monkeypatch.setattr(wire, "_loaded", [])
    monkeypatch.setattr(wire.botocore.session, "get_session", SlowSession)
    seen: list[Any] = []
    threads = [threading.Thread(target=lambda: seen.append(wire.service_model())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == [1]
    assert seen == [real] * 8
    assert wire.service_model() is real  # and later calls load nothing
    assert loads == [1]
