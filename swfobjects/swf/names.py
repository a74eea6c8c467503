"""SWF's rule for the names and ids a client chooses.

Domain names, type names and versions, task lists, workflow ids, activity ids, timer ids,
marker names and signal names must not start or end with whitespace, must not contain ``:``,
``/``, ``|`` or a control character (``\\u0000-\\u001f``, ``\\u007f-\\u009f``), and must not be
the literal ``arn``. SWF refuses such a request with ``ValidationException``.

>>> name_problem("orders-42") is None
True
>>> name_problem("orders:42")
"contains ':'"
"""

from __future__ import annotations

import re

__all__ = ["is_valid_name", "name_problem"]

_FORBIDDEN = re.compile(r"[:/|\x00-\x1f\x7f-\x9f]")
_ALLOWED = r"[^:/|\x00-\x1f\x7f-\x9f]"
_EDGE = r"[^\s:/|\x00-\x1f\x7f-\x9f]"

is_valid_name = re.compile(rf"(?!arn\Z){_EDGE}(?:{_ALLOWED}*{_EDGE})?").fullmatch
"""``is_valid_name(value)`` is truthy when SWF accepts ``value``: one C call, for hot paths
(every decision that creates an id); :func:`name_problem` says what is wrong."""


def name_problem(value: str) -> str | None:
    """Why SWF would refuse ``value`` as a name or id, or None if it is fine."""
    found = _FORBIDDEN.search(value)
    if found is not None:
        char = found.group()
        return (
            f"contains {char!r}" if char.isprintable() else f"contains control character {char!r}"
        )
    if value == "arn":
        return "is the literal 'arn'"
    if value != value.strip():
        return "starts or ends with whitespace"
    return None
