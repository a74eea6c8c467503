"""SWF's JSON 1.0 wire protocol: request parsing, input validation, error shapes.

Pure functions, no sockets: the HTTP server calls them, and tests can too. Input is checked,
before the model sees it, against botocore's model of SWF as JSON on the wire (JSON types,
required members, lengths, ranges, enums, finite dates) and SWF's rules for the numbers it
writes as strings (timeouts, retention days, priorities: :mod:`swfobjects.swf.values`), so a
malformed request is refused with SWF's ``ValidationException``, whatever client sent it, and
changes nothing. ``tests/local/test_conformance.py`` generates the bad requests from the same
model. Errors are written the way SWF writes them, ``{"__type": "...#Code", "message": ...}``,
so botocore raises its modelled exceptions (``client.exceptions.UnknownResourceFault``...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from ..model import SwfFault
from ..swf.limits import MAX_EPOCH_SECONDS, MAX_REQUEST_BYTES
from ..swf.values import priority_problem, retention_problem, timeout_problem

__all__ = [
    "CONTENT_TYPE",
    "MAX_BODY",
    "encode_fault",
    "encode_result",
    "operation_from_target",
    "parse_body",
    "service_model",
    "signed_region",
    "validate_input",
]

MAX_BODY = MAX_REQUEST_BYTES
"""The largest request body the service reads (SWF's limit on one API request)."""
CONTENT_TYPE = "application/x-amz-json-1.0"
_TARGET_PREFIX = "SimpleWorkflowService."
_NAMESPACES = {
    "ValidationException": "com.amazon.coral.validate",
    "SerializationException": "com.amazon.coral.service",
    "UnknownOperationException": "com.amazon.coral.service",
    "InternalFailure": "com.amazon.coral.service",
}
_SWF_NAMESPACE = "com.amazonaws.swf.base.model"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """botocore's model of SWF: the ground truth for operation names and shapes."""
    return botocore.session.get_session().get_service_model("swf")


@cache
def _operation(name: str) -> OperationModel | None:
    if name not in service_model().operation_names:
        return None
    return service_model().operation_model(name)


def operation_from_target(target: str | None) -> str:
    """The operation named by an ``X-Amz-Target`` header, or an SWF fault saying why not."""
    if not target:
        raise SwfFault("UnknownOperationException", "missing X-Amz-Target header")
    prefix, _, name = target.partition(".")
    if prefix + "." != _TARGET_PREFIX or _operation(name) is None:
        raise SwfFault("UnknownOperationException", f"unknown operation {target!r}")
    return name


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request body (an empty body is ``{}``)."""
    if not raw.strip():
        return {}
    try:
        params = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SwfFault("SerializationException", f"request body is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise SwfFault("SerializationException", "request body must be a JSON object")
    return params


def validate_input(operation: str, params: dict[str, Any]) -> None:
    """Refuse ``params`` that do not fit the operation's input shape, as SWF does, with one
    ``ValidationException`` naming every problem (unknown keys are ignored, as SWF ignores them).
    """
    op = _operation(operation)
    if op is None or op.input_shape is None:
        return
    errors: list[str] = []
    _check(params, op.input_shape, "", errors)
    if errors:
        count = len(errors)
        raise SwfFault(
            "ValidationException",
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(errors),
        )


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


def encode_result(result: dict[str, Any]) -> bytes:
    """A response body."""
    return json.dumps(result, separators=(",", ":")).encode()


def encode_fault(fault: SwfFault) -> tuple[int, bytes]:
    """HTTP status and body of SWF's error shape for ``fault``."""
    namespace = _NAMESPACES.get(fault.code, _SWF_NAMESPACE)
    status = 500 if fault.code == "InternalFailure" else fault.status
    body = {"__type": f"{namespace}#{fault.code}", "message": fault.message}
    return status, json.dumps(body).encode()


_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([a-z0-9-]+)/")


def signed_region(authorization: str | None) -> str | None:
    """The region a request was signed for, from the credential scope of its SigV4
    ``Authorization`` header (``Credential=AKID/20261201/eu-west-1/swf/aws4_request``), or None.

    The signature itself is not checked (the service has no authentication); the region only
    makes ARNs say what SWF's regional endpoint would.

    >>> signed_region("AWS4-HMAC-SHA256 Credential=AKID/20261201/eu-west-1/swf/aws4_request")
    'eu-west-1'
    """
    if not authorization:
        return None
    found = _CREDENTIAL_SCOPE.search(authorization)
    return found.group(1) if found else None
