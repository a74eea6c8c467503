"""A request's JSON checked against botocore's model of SWF, as SWF's own front end checks it.

``problems("StartTimer...", params)`` lists every way a request departs from the operation's
input shape *as JSON on the wire*: JSON types, required members, lengths, ranges, enums,
finite dates, and SWF's rules for the numbers it writes as strings (timeouts, retention days,
priorities: :mod:`swfobjects.swf.values`). ``swfobjects local`` refuses such a request before
the model sees it, and so does the model's boto3-shaped in-process client; both answer SWF's
``ValidationException`` with :func:`validation_message`. Unknown members are ignored, as SWF
ignores them.

botocore's own validator is not used: it checks boto3's Python parameters (it takes ``True``
as an integer and date strings as timestamps, and overflows on ``1e400``).

>>> problems("DescribeDomain", {})
["Value null at 'name' failed to satisfy constraint: Member must not be null"]
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from .limits import MAX_EPOCH_SECONDS
from .values import priority_problem, retention_problem, timeout_problem

__all__ = ["problems", "service_model", "validation_message"]


_loaded: list[ServiceModel] = []
_loading = threading.Lock()


def service_model() -> ServiceModel:
    """botocore's model of SWF: the ground truth for operation names and shapes.

    Loaded once per process, on first use, by whichever thread asks first (the others wait
    for it, so it is never parsed twice): reading botocore's JSON takes tens of milliseconds,
    as long as hundreds of activities take in the SerialExecutor, and tests create hundreds
    of executors.
    """
    if not _loaded:
        with _loading:
            if not _loaded:
                _loaded.append(botocore.session.get_session().get_service_model("swf"))
    return _loaded[0]


@cache
def _operation(name: str) -> OperationModel | None:
    if name not in service_model().operation_names:
        return None
    return service_model().operation_model(name)


def problems(operation: str, params: dict[str, Any]) -> list[str]:
    """Every way ``params`` departs from ``operation``'s input shape (empty if none; an
    operation SWF does not have has no shape to depart from)."""
    op = _operation(operation)
    if op is None or op.input_shape is None:
        return []
    errors: list[str] = []
    _check(params, op.input_shape, "", errors)
    return errors


def validation_message(errors: list[str]) -> str:
    """SWF's message for a ``ValidationException`` listing ``errors``."""
    count = len(errors)
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(errors)


_STRING_RULES: dict[str, Callable[[object], str | None]] = {
    "DurationInSeconds": timeout_problem,
    "DurationInSecondsOptional": timeout_problem,
    "DurationInDays": retention_problem,
    "TaskPriority": priority_problem,
}
"""Rules on the text of string shapes that botocore's model cannot say (SWF's numbers written
as strings); the finer rules of each call (no ``NONE`` for an execution's timeout...) are the
model's."""
_KINDS = {
    "structure": "an object",
    "list": "a list",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "boolean": "a boolean",
    "timestamp": "a timestamp (epoch seconds)",
}


def _check(value: Any, shape: Shape, path: str, errors: list[str]) -> None:
    """Append to ``errors`` every way the raw JSON ``value`` departs from botocore's ``shape``:
    JSON types, required members, lengths, ranges, enums and SWF's number-as-string rules.

    Written for the JSON wire, not for boto3's Python parameters (botocore's own validator
    takes ``True`` as an integer, date strings as timestamps and overflows on ``1e400``)."""
    kind = shape.type_name
    where = path or "request"
    if not _is_kind(value, kind):
        errors.append(_constraint(value, where, f"be {_KINDS.get(kind, kind)}"))
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined, unused-ignore]
        for key in shape.required_members:  # type: ignore[attr-defined, unused-ignore]
            if value.get(key) is None:
                errors.append(
                    f"Value null at '{_join(path, key)}' failed to satisfy "
                    "constraint: Member must not be null"
                )
        for key, member in members.items():
            if value.get(key) is not None:
                _check(value[key], member, _join(path, key), errors)
    elif kind == "list":
        _check_size(len(value), low, high, where, "length", errors)
        for index, item in enumerate(value):
            _check(item, shape.member, f"{where}.{index + 1}.member", errors)  # type: ignore[attr-defined, unused-ignore]
    elif kind == "string":
        enum = shape.enum  # type: ignore[attr-defined, unused-ignore]
        if enum and value not in enum:
            errors.append(_constraint(value, where, f"satisfy enum value set: [{', '.join(enum)}]"))
            return
        if _check_size(len(value), low, high, where, "length", errors):
            rule = _STRING_RULES.get(shape.name)
            problem = rule(value) if rule is not None else None
            if problem is not None:
                errors.append(_constraint(value, where, problem, prefix=""))
    elif kind in ("integer", "long"):
        _check_size(value, low, high, where, "value", errors)
    elif kind == "timestamp" and not 0 <= value <= MAX_EPOCH_SECONDS:
        errors.append(
            _constraint(value, where, f"be a date: epoch seconds from 0 to {MAX_EPOCH_SECONDS}")
        )


def _is_kind(value: Any, kind: str) -> bool:
    """True if the JSON ``value`` has the JSON type of a shape of ``kind``."""
    if kind == "structure":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind in ("integer", "long"):
        return isinstance(value, int)
    if kind == "timestamp":
        return isinstance(value, (int, float))
    return True


def _check_size(
    size: int, low: int | None, high: int | None, where: str, what: str, errors: list[str]
) -> bool:
    """Check ``size`` (a length or a value) against a shape's ``min`` and ``max``."""
    if low is not None and size < low:
        errors.append(
            f"Value at '{where}' failed to satisfy constraint: Member must have {what} greater "
            f"than or equal to {low}"
        )
        return False
    if high is not None and size > high:
        errors.append(
            f"Value at '{where}' failed to satisfy constraint: Member must have {what} less "
            f"than or equal to {high} (it has {size})"
            if what == "length"
            else _constraint(size, where, f"have value less than or equal to {high}")
        )
        return False
    return True


def _constraint(value: Any, where: str, rule: str, prefix: str = "must ") -> str:
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"Value {shown} at '{where}' failed to satisfy constraint: Member {prefix}{rule}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
