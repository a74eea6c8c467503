"""How exceptions travel through SWF: a short ``reason`` plus JSON ``details``.

SWF keeps a failure as ``reason`` (at most 256 characters) and ``details`` (at most 32,768).
We write ``reason`` as ``"Type: message"`` for humans and the SWF console (the short type name,
once: a relayed failure whose message already names its type is not prefixed again; a longer
text keeps its head and says it was cut), and ``details`` as a JSON object ``{"type",
"message", "traceback", "details"}`` for code. Decoding accepts failures written by other
clients (plain text details) without losing them.
"""

from __future__ import annotations

import traceback as tb
from typing import Any

from ._codecs import decode_any, dumps, encode_any
from ._payload import MAX_PAYLOAD, MAX_REASON, Payloads, truncate

__all__ = [
    "CUT_MARK",
    "encode_failure",
    "decode_failure",
    "failure_reason",
    "qualified_name",
    "summary",
    "RemoteFailure",
]

CUT_MARK = " [...cut; the full text is in details]"
"""Ends a ``reason`` cut to SWF's 256 characters."""


def qualified_name(cls: type) -> str:
    """``module.QualName`` for a class (plain name for builtins), as failures carry it."""
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def summary(type_name: str, message: str) -> str:
    """``"ShortType: message"``, without repeating a type the message already names."""
    short = type_name.rpartition(".")[2]
    if not short:
        return message
    if not message:
        return short
    if message.startswith(f"{short}: ") or f" {short}: " in message:
        return message
    return f"{short}: {message}"


def failure_reason(type_name: str, message: str) -> str:
    """SWF's ``reason`` for a failure: its :func:`summary`, cut to 256 characters at the head."""
    text = summary(type_name, message)
    if len(text) <= MAX_REASON:
        return text
    return text[: MAX_REASON - len(CUT_MARK)].rstrip() + CUT_MARK


class RemoteFailure:
    """A decoded failure: remote type name, message, traceback text and decoded details.

    >>> RemoteFailure("app.Declined", "card declined", "Traceback ...", {"code": 51})
    RemoteFailure(type_name='app.Declined', message='card declined', details={'code': 51})
    """

    __slots__ = ("type_name", "message", "traceback", "details")

    def __init__(self, type_name: str, message: str, traceback: str, details: Any) -> None:
        self.type_name = type_name
        self.message = message
        self.traceback = traceback
        self.details = details

    def __repr__(self) -> str:
        return (
            f"RemoteFailure(type_name={self.type_name!r}, message={truncate(self.message, 200)!r}"
            f", details={self.details!r})"
        )

    def __str__(self) -> str:
        return summary(self.type_name, self.message)


def encode_failure(
    error: BaseException, payloads: Payloads, what: str, scope: dict[str, str] | None = None
) -> tuple[str, str]:
    """``(reason, details)`` for an exception, both within SWF's limits.

    Extra information the exception carries in a ``details`` attribute is encoded too (tagged
    JSON); if it cannot be encoded the failure still goes out, with a note instead.
    """
    type_name = getattr(error, "type_name", None) or qualified_name(type(error))
    message = str(error)
    reason = failure_reason(type_name, message)
    extra = getattr(error, "details", None)
    try:
        extra_data = encode_any(extra)
    except Exception as exc:  # noqa: BLE001 - a failure report must never fail
        extra_data = f"<details not encodable: {exc}>"
    trace = "".join(tb.format_exception(type(error), error, error.__traceback__))
    body = {"type": type_name, "message": message, "traceback": trace, "details": extra_data}
    if payloads.store is not None:
        try:
            return reason, payloads.encode_data(body, what, scope)
        except Exception:  # noqa: BLE001 - fall back to the truncated inline form
            pass
    text = dumps(body)
    budget = payloads.limit
    if len(text) > budget:
        overflow = len(text) - budget + 64
        body["traceback"] = "...(truncated)\n" + trace[overflow:] if overflow < len(trace) else ""
        text = dumps(body)
    if len(text) > budget:
        body["message"] = truncate(message, 1000)
        body["details"] = "<details too large for SWF; configure a data store>"
        text = dumps(body)
    return reason, text[:MAX_PAYLOAD]


def decode_failure(reason: str | None, details: str | None, payloads: Payloads) -> RemoteFailure:
    """Decode ``reason``/``details`` written by :func:`encode_failure` or by another client."""
    reason = reason or ""
    data: Any = None
    if details:
        try:
            data = payloads.decode_data(details, "failure details")
        except Exception:  # noqa: BLE001 - foreign formats are kept as text
            data = details
    if isinstance(data, dict) and "type" in data and "message" in data:
        return RemoteFailure(
            str(data["type"]),
            str(data["message"]),
            str(data.get("traceback") or ""),
            decode_any(data.get("details")),
        )
    type_name, _, message = reason.partition(": ")
    if not message:
        type_name, message = "", reason
    return RemoteFailure(type_name, message, "", data)
