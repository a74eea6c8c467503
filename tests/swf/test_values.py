"""SWF's rules for timeouts, retention days and priorities (``swfobjects.swf.values``)."""

from __future__ import annotations

import pytest

from swfobjects.swf.limits import MAX_TIMEOUT_SECONDS
from swfobjects.swf.values import priority_problem, retention_problem, timeout_problem


@pytest.mark.parametrize("good", ["0", "10", "007", str(MAX_TIMEOUT_SECONDS), "NONE"])
def test_timeouts_swf_takes(good: str) -> None:
    assert timeout_problem(good) is None


@pytest.mark.parametrize(
    "bad",
    [
        "²",
        "٣",
        "abc",
        "nan",
        "inf",
        "-1",
        "+1",
        "1.5",
        "1e3",
        " 1",
        "1\n",
        "",
        "none",
        str(MAX_TIMEOUT_SECONDS + 1),
        10,
        None,
    ],
)
def test_timeouts_swf_refuses(bad: object) -> None:
    assert timeout_problem(bad) is not None


def test_none_only_where_allowed() -> None:
    assert timeout_problem("NONE", allow_none=False) is not None
    assert timeout_problem("900", maximum=900) is None
    assert timeout_problem("901", maximum=900) == "is more than 900 seconds"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("90", True), ("NONE", True), ("91", False), ("²", False), ("-1", False)],
)
def test_retention(value: str, ok: bool) -> None:
    assert (retention_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0", True),
        ("-5", True),
        ("2147483647", True),
        ("-2147483648", True),
        ("2147483648", False),
        ("1.0", False),
        ("high", False),
        ("²", False),
        ("", False),
    ],
)
def test_priority(value: str, ok: bool) -> None:
    assert (priority_problem(value) is None) is ok
