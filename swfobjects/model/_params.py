"""Checks of request parameters, as SWF answers them (``ValidationException``).

Plain functions: they need no state, and every collaborator that reads a request uses them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ..swf._memo import Memo
from ..swf.limits import (
    MAX_DATA,
    MAX_EPOCH_SECONDS,
    MAX_NAME,
    MAX_RESOURCE_TAG_KEY,
    MAX_RESOURCE_TAGS,
    MAX_TAG,
    MAX_TIMEOUT_SECONDS,
)
from ..swf.names import name_problem
from ..swf.values import (
    CHILD_POLICIES,
    CLOSE_STATUSES,
    REGISTRATION_STATUSES,
    priority_problem,
    timeout_problem,
)
from ._state import SwfFault

__all__ = [
    "CHILD_POLICIES",
    "CLOSE_STATUSES",
    "REGISTRATION_STATUSES",
    "SECONDS",
    "check_new_name",
    "choice",
    "merged_tags",
    "name",
    "priority",
    "seconds",
    "text",
    "timeout",
    "timestamp",
]


def text(
    params: dict[str, Any], key: str, limit: int = MAX_DATA, required: bool = False
) -> str | None:
    """``params[key]``, a string of at most ``limit`` characters, or None when absent."""
    value = params.get(key)
    if value is None:
        if required:
            raise SwfFault("ValidationException", f"{key} is required")
        return None
    if not isinstance(value, str):
        raise SwfFault("ValidationException", f"{key} must be a string")
    if len(value) > limit:
        raise SwfFault(
            "ValidationException",
            f"1 validation error detected: Value at '{key}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}",
        )
    return value


def name(params: dict[str, Any], key: str) -> str:
    """``params[key]``, a required non-empty name or id (at most :data:`MAX_NAME`)."""
    value = text(params, key, MAX_NAME, required=True)
    assert value is not None
    if not value:
        raise SwfFault("ValidationException", f"{key} must not be empty")
    return value


def check_new_name(value: str, key: str) -> str:
    """``value`` if SWF accepts it as a new name or id (see :mod:`swfobjects.swf.names`)."""
    problem = name_problem(value)
    if problem is not None:
        raise SwfFault(
            "ValidationException",
            f"{key} {value!r} {problem}: SWF names and ids must not contain ':', '/', '|' or "
            "control characters, start or end with whitespace, or be the literal 'arn'",
        )
    return value


def timeout(
    value: Any, key: str, *, allow_none: bool = True, maximum: int = MAX_TIMEOUT_SECONDS
) -> str | None:
    """An SWF timeout string (``[0-9]+`` seconds within range, or "NONE" where
    ``allow_none``) checked, or None when absent. Anything else is refused before it can reach
    ``float()`` and the due heap (``"²"`` passes ``str.isdigit()``; ``"nan"`` would stop every
    later timer from firing)."""
    if value is None:
        return None
    problem = timeout_problem(value, allow_none=allow_none, maximum=maximum)
    if problem is not None:
        raise SwfFault("ValidationException", f"{key} {_shown(value)} {problem}")
    return str(value)


def choice(
    params: dict[str, Any], key: str, members: tuple[str, ...], required: bool = False
) -> str | None:
    """``params[key]``, one of SWF's enumeration ``members``, or None when absent."""
    value = params.get(key)
    if value is None and not required:
        return None
    if value not in members:
        raise SwfFault(
            "ValidationException",
            f"1 validation error detected: Value {_shown(value)} at '{key}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(members)}]",
        )
    return str(value)


def priority(value: Any, key: str) -> str | None:
    """A ``taskPriority`` string (a decimal integer within Java's ``int``), or None."""
    if value is None:
        return None
    problem = priority_problem(value)
    if problem is not None:
        raise SwfFault("ValidationException", f"{key} {_shown(value)} {problem}")
    return str(value)


def timestamp(value: Any, key: str) -> float:
    """A request's timestamp (epoch seconds, 0 to :data:`MAX_EPOCH_SECONDS`) as a float.

    JSON's ``1e400`` parses as infinity and a 400-digit integer overflows ``float()``: both are
    refused here, as negative dates and NaN are, with SWF's ``ValidationException``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SwfFault("ValidationException", f"{key} must be a timestamp (epoch seconds)")
    if not 0 <= value <= MAX_EPOCH_SECONDS:  # False for NaN too
        raise SwfFault(
            "ValidationException",
            f"{key} {_shown(value)} is not a date: epoch seconds from 0 to {MAX_EPOCH_SECONDS}",
        )
    return float(value)


def _shown(value: Any) -> str:
    """``value`` as an error message quotes it (bounded: it may be a huge number or string)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


SECONDS: Memo[str, float] = Memo(float, 1024)
"""``SECONDS[timeout]``: ``float(timeout)`` for a timeout string already checked (not
``"NONE"``), remembered: every task started arms its timeouts with one."""


def seconds(value: str | None) -> float | None:
    """Seconds in an SWF timeout string already checked by :func:`timeout`; None for
    "NONE"/absent."""
    if value is None or value == "NONE":
        return None
    return float(value)


_TAG_PUNCTUATION = frozenset("_.:/=+-@")


def _tag_text_ok(text: str) -> bool:
    """AWS's tag character set: letters, numbers, separators (spaces) and ``_.:/=+-@``."""
    return all(ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LNZ" for ch in text)


def merged_tags(existing: dict[str, str], tags: Any) -> dict[str, str]:
    """``existing`` resource tags with the request's ``tags`` list applied, as SWF checks them:
    keys of 1 to 128 and values of at most 256 characters from AWS's tag character set, and at
    most 50 tags in all (``TooManyTagsFault``). Raises before anything changes."""
    if not isinstance(tags, list):
        raise SwfFault("ValidationException", "tags must be a list")
    merged = dict(existing)
    for tag in tags:
        if not isinstance(tag, dict):
            raise SwfFault("ValidationException", "each tag is an object with key and value")
        key, value = tag.get("key"), tag.get("value", "")
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_RESOURCE_TAG_KEY:
            raise SwfFault(
                "ValidationException", f"a tag key has 1 to {MAX_RESOURCE_TAG_KEY} characters"
            )
        if not isinstance(value, str) or len(value) > MAX_TAG:
            raise SwfFault("ValidationException", f"a tag value has at most {MAX_TAG} characters")
        if not (_tag_text_ok(key) and _tag_text_ok(value)):
            raise SwfFault(
                "ValidationException",
                f"tag {key!r}: keys and values take letters, numbers, spaces and _.:/=+-@ only",
            )
        merged[key] = value
    if len(merged) > MAX_RESOURCE_TAGS:
        raise SwfFault(
            "TooManyTagsFault",
            f"a resource has at most {MAX_RESOURCE_TAGS} tags; this request makes {len(merged)}",
        )
    return merged
