"""The one pager of the model: ``maximumPageSize`` and ``nextPageToken``, as SWF pages.

Every paged call (List*, GetWorkflowExecutionHistory, PollForDecisionTask's history pages)
checks the page size and reads and writes its tokens here, so the rule and the token format
cannot differ between calls.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..swf.limits import MAX_PAGE_SIZE, MAX_PAGE_TOKEN
from ._state import SwfFault

__all__ = ["page_size", "page_token", "paged", "read_page_token"]


def page_size(params: dict[str, Any]) -> int:
    """The request's ``maximumPageSize`` (default and maximum :data:`MAX_PAGE_SIZE`)."""
    size = params.get("maximumPageSize") or MAX_PAGE_SIZE
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise SwfFault("ValidationException", f"maximumPageSize must be 1..{MAX_PAGE_SIZE}")
    return size


def page_token(data: dict[str, Any]) -> str:
    """An opaque ``nextPageToken`` carrying ``data`` (JSON, so a restart can still read it)."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def read_page_token(token: Any, *offsets: str) -> dict[str, Any]:
    """The data of a token made by :func:`page_token`; a ``ValidationException`` otherwise.

    Each key in ``offsets`` must hold a non-negative integer (a position in a list): a forged
    token such as ``{"o": "x"}`` or ``{"o": -5}`` is refused here, not by ``int()`` or a slice
    further on.
    """
    try:
        if not isinstance(token, str) or len(token) > MAX_PAGE_TOKEN:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(data, dict):
            raise ValueError
        for key in offsets:
            value = data.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError
        return data
    except (ValueError, TypeError, RecursionError):
        shown = token[:40] if isinstance(token, str) else type(token).__name__
        raise SwfFault(
            "ValidationException",
            f"invalid nextPageToken {shown!r}: pass back the token of the previous page unchanged",
        ) from None


def paged(items: list[Any], key: str, params: dict[str, Any]) -> dict[str, Any]:
    """One page of ``items`` under ``key``, SWF style (``maximumPageSize``, ``nextPageToken``)."""
    size = page_size(params)
    offset = 0
    if params.get("nextPageToken"):
        offset = read_page_token(params["nextPageToken"], "o").get("o", 0)
    response: dict[str, Any] = {key: items[offset : offset + size]}
    if offset + size < len(items):
        response["nextPageToken"] = page_token({"o": offset + size})
    return response
