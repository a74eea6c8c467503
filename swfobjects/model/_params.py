"""Checks of request parameters, as SWF answers them (``ValidationException``).

Plain functions: they need no state, and every collaborator that reads a request uses them.
"""

from __future__ import annotations

from typing import Any

from ..swf.limits import MAX_DATA, MAX_NAME
from ..swf.names import name_problem
from ._state import SwfFault

__all__ = ["check_new_name", "name", "seconds", "text", "timeout"]


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
