"""The one pager of the model: ``maximumPageSize`` and ``nextPageToken``, as SWF pages.

Every paged call (List*, GetWorkflowExecutionHistory, PollForDecisionTask's history pages)
checks the page size and reads and writes its tokens here, so the rule and the token format
cannot differ between calls.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..swf.limits import MAX_PAGE_SIZE
from ._state import SwfFault

__all__ = ["page_size", "page_token", "paged", "read_page_token"]


def page_size(params: dict[str, Any]) -> int:
    """The request's ``maximumPageSize`` (default and maximum :data:`MAX_PAGE_SIZE`)."""
    size = int(params.get("maximumPageSize") or MAX_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise SwfFault("ValidationException", f"maximumPageSize must be 1..{MAX_PAGE_SIZE}")
    return size


def page_token(data: dict[str, Any]) -> str:
    """An opaque ``nextPageToken`` carrying ``data`` (JSON, so a restart can still read it)."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def read_page_token(token: str) -> dict[str, Any]:
    """The data of a token made by :func:`page_token`; a ``ValidationException`` otherwise."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(data, dict):
            raise ValueError
        return data
    except (ValueError, TypeError):
        raise SwfFault("ValidationException", f"invalid nextPageToken {token[:40]!r}") from None


def paged(items: list[Any], key: str, params: dict[str, Any]) -> dict[str, Any]:
    """One page of ``items`` under ``key``, SWF style (``maximumPageSize``, ``nextPageToken``)."""
    size = page_size(params)
    offset = 0
    if params.get("nextPageToken"):
        offset = int(read_page_token(params["nextPageToken"]).get("o", 0))
    response: dict[str, Any] = {key: items[offset : offset + size]}
    if offset + size < len(items):
        response["nextPageToken"] = page_token({"o": offset + size})
    return response
