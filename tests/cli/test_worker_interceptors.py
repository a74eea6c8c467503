"""``swfobjects worker --interceptor MODULE:NAME`` gives the executor its interceptors."""

from __future__ import annotations

from typing import Any

import pytest

from swfobjects._cli import main
from swfobjects.client import SWFExecutor
from swfobjects.worker import Interceptor


class Counting(Interceptor):
    """Made with no arguments: the command makes one."""


COUNTING = Counting()


class NeedsArguments(Interceptor):
    def __init__(self, name: str) -> None:
        self.name = name


NOT_ONE = object()

_ARGS = ["--endpoint-url", "http://127.0.0.1:9", "--domain", "hooks", "--region", "us-east-1"]


def _run(monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[Interceptor]]:
    seen: list[Interceptor] = []

    def run_workers(self: SWFExecutor, *parts: Any, **options: Any) -> None:
        seen.extend(self.interceptors)

    monkeypatch.setattr(SWFExecutor, "run_workers", run_workers)
    return main(["worker", "tests.cli.shop", *extra, *_ARGS]), seen


def test_interceptors_by_class_and_by_object_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    here = __name__
    status, seen = _run(
        monkeypatch, "--interceptor", f"{here}:Counting", "--interceptor", f"{here}:COUNTING"
    )
    assert status == 0
    assert [type(each) for each in seen] == [Counting, Counting]
    assert seen[1] is COUNTING and seen[0] is not COUNTING


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("NeedsArguments", "cannot make one with no arguments"),
        ("NOT_ONE", "has no Interceptor (object or subclass) named 'NOT_ONE'"),
        ("Missing", "has no Interceptor (object or subclass) named 'Missing'"),
    ],
)
def test_a_wrong_interceptor_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, name: str, says: str
) -> None:
    status, _ = _run(monkeypatch, "--interceptor", f"{__name__}:{name}")
    assert status == 2
    assert says in capsys.readouterr().err


def test_the_otel_tracing_interceptor_loads_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("opentelemetry.sdk")
    from swfobjects.otel import TracingInterceptor

    status, seen = _run(monkeypatch, "--interceptor", "swfobjects.otel:TracingInterceptor")
    assert status == 0
    assert [type(each) for each in seen] == [TracingInterceptor]
