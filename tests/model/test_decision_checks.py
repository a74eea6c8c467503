"""The written-out check of a plain ``ScheduleActivityTask`` (the SerialExecutor's hot path)
never lets through what the general check refuses: every variant of a valid decision with one
attribute broken is refused with the same error either way."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from swfobjects.model import SwfFault, _decisions
from swfobjects.model._decisions import _plain_activity, validate_decisions

VALID: dict[str, Any] = {
    "activityType": {"name": "Noop.noop", "version": "1"},
    "taskList": {"name": "bench-noop"},
    "scheduleToStartTimeout": "NONE",
    "scheduleToCloseTimeout": "NONE",
    "startToCloseTimeout": "60",
    "heartbeatTimeout": "NONE",
    "activityId": "1",
    "input": '{"i":0}',
}

ODD_VALUES: list[Any] = [
    None, "", "NONE", "60", "²", "nan", "-1", "99999999999999", " x", "a:b", "arn", "x" * 257,
    "x" * 40_000, 5, 5.0, True, [], {}, {"name": ""}, {"name": 3}, {"name": "n"},
    {"name": "n", "version": ""}, {"name": "n", "version": "1"}, ["t"], "TERMINATE", "BAD",
]  # fmt: skip
KEYS = [*VALID, "control", "taskPriority", "childPolicy", "tagList"]


def _general(attrs: Any) -> str | None:
    """The general path's verdict (the error message, or None), the fast path switched off."""
    original = _decisions._plain_activity
    _decisions._plain_activity = lambda attrs: False
    try:
        decision = {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": attrs,
        }
        validate_decisions([decision])
    except SwfFault as fault:
        return fault.message
    finally:
        _decisions._plain_activity = original
    return None


def test_the_plain_decision_takes_the_fast_path() -> None:
    assert _plain_activity(VALID)
    assert _general(VALID) is None


@pytest.mark.parametrize("key", KEYS)
def test_fast_path_never_accepts_what_the_general_path_refuses(key: str) -> None:
    for value in ODD_VALUES:
        attrs = copy.deepcopy(VALID)
        if value is None:
            attrs.pop(key, None)
        else:
            attrs[key] = value
        refused = _general(attrs)
        if _plain_activity(attrs):
            assert refused is None, (key, value)
        decision = {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": attrs,
        }
        if refused is None:
            validate_decisions([decision])
        else:
            with pytest.raises(SwfFault) as caught:
                validate_decisions([decision])
            assert caught.value.message == refused


def test_fast_path_agrees_on_random_combinations() -> None:
    rng = random.Random(17)
    for _ in range(2_000):
        attrs = copy.deepcopy(VALID)
        for key in rng.sample(KEYS, rng.randint(1, 3)):
            value = rng.choice(ODD_VALUES)
            if value is None:
                attrs.pop(key, None)
            else:
                attrs[key] = copy.deepcopy(value)
        if _plain_activity(attrs):
            assert _general(attrs) is None, attrs


def test_remembered_timeouts_are_only_checked_good_strings_and_bounded() -> None:
    """The fast path remembers the timeouts it has checked (see ``_PLAIN_TIMEOUT``): what it
    remembers as good is only ``None`` and strings that passed, bad ones are still refused
    after many good ones, and the memo stays bounded."""
    for seconds in range(200):
        assert _plain_activity({**VALID, "heartbeatTimeout": str(seconds)})
    remembered = _decisions._PLAIN_TIMEOUT
    assert len(remembered) <= 64
    assert all(v is None or type(v) is str for v, good in remembered.items() if good)
    for bad in ["²", "nan", "-1", "99999999999999", 60, 60.0, [], {}]:
        attrs = {**VALID, "startToCloseTimeout": bad}
        assert not _plain_activity(attrs), bad
        assert _general(attrs) is not None, bad
