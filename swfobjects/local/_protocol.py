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
from typing import Any

from ..model import SwfFault
from ..swf.limits import MAX_REQUEST_BYTES
from ..swf.wire import problems, service_model, validation_message

__all__ = [
    "CONTENT_TYPE",
    "MAX_BODY",
    "MAX_JSON_DEPTH",
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
    "RequestTimeoutException": "com.amazon.coral.service",
}
_SWF_NAMESPACE = "com.amazonaws.swf.base.model"


def operation_from_target(target: str | None) -> str:
    """The operation named by an ``X-Amz-Target`` header, or an SWF fault saying why not."""
    if not target:
        raise SwfFault("UnknownOperationException", "missing X-Amz-Target header")
    prefix, _, name = target.partition(".")
    if prefix + "." != _TARGET_PREFIX or name not in service_model().operation_names:
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
    except RecursionError:
        params = _TOO_DEEP  # nested deeper than the parser goes: refused just below
    if params is _TOO_DEEP or _too_deep(params, raw):
        raise SwfFault(
            "SerializationException",
            f"request body is nested more than {MAX_JSON_DEPTH} levels deep",
        )
    if not isinstance(params, dict):
        raise SwfFault("SerializationException", "request body must be a JSON object")
    return params


MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects a request body may have. SWF's own shapes nest
about 5 deep; the bound keeps a hostile body from exhausting recursion in the validator, the
model or the journal (any of which would otherwise fail after the model changed)."""


_TOO_DEEP = object()


def _too_deep(value: Any, raw: bytes) -> bool:
    """Whether ``value`` nests arrays/objects deeper than :data:`MAX_JSON_DEPTH` (iterative)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False  # too few brackets to be that deep: the usual small request costs nothing
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def validate_input(operation: str, params: dict[str, Any]) -> None:
    """Refuse ``params`` that do not fit the operation's input shape, as SWF does, with one
    ``ValidationException`` naming every problem (see :func:`swfobjects.swf.wire.problems`).
    """
    errors = problems(operation, params)
    if errors:
        raise SwfFault("ValidationException", validation_message(errors))


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
