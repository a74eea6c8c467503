"""Checks of request parameters, as SWF answers them (``ValidationException``).

Plain functions: they need no state, and every collaborator that reads a request uses them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ..swf.limits import MAX_DATA, MAX_NAME, MAX_RESOURCE_TAG_KEY, MAX_RESOURCE_TAGS, MAX_TAG
from ..swf.names import name_problem
from ._state import SwfFault

__all__ = ["check_new_name", "merged_tags", "name", "seconds", "text", "timeout"]


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


def timeout(value: Any, key: str) -> str | None:
    """An SWF timeout string (digits or "NONE") checked, or None when absent."""
    if value is None:
        return None
    if not isinstance(value, str) or not (value == "NONE" or value.isdigit()):
        raise SwfFault("ValidationException", f"{key} must be a number of seconds or NONE")
    return value


def seconds(value: str | None) -> float | None:
    """Seconds in an SWF timeout string; None for "NONE"/absent."""
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
