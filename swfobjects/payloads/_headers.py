"""Headers: a few strings that travel with a call's input, for interceptors.

Interceptors (tracing, metrics, context propagation) need to pass small strings from the code
that makes a call to the code that runs it, in another process: a W3C ``traceparent``, a
tenant id. SWF has no header field, so they ride in the call's input: the JSON object of
arguments gets one more key, :data:`HEADERS_KEY`, which is not a Python identifier and so never
names a parameter::

    {"order_id": "o-1", "$headers": {"traceparent": "00-4bf9...-01"}}

Inputs without the key (every payload written before headers existed, and every call made
without an interceptor that adds headers) decode as before. Raw and by-name calls never carry
headers: their input is for code that is not ours.

>>> data, headers = split_headers(with_headers({"name": "x"}, {"tenant": "t1"}))
>>> data, headers
({'name': 'x'}, {'tenant': 't1'})
>>> split_headers([1, 2])
([1, 2], {})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import SerializationError

__all__ = ["HEADERS_KEY", "split_headers", "with_headers"]

HEADERS_KEY = "$headers"
"""The key of the headers in a JSON object of arguments."""

_NO_HEADERS: Mapping[str, str] = {}


def with_headers(data: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """``data`` (a JSON object of arguments) with ``headers`` added; ``data`` is not changed."""
    for key, value in headers.items():
        if type(key) is not str or type(value) is not str:
            raise TypeError(
                f"headers map str to str; got {key!r}: {value!r}. Encode other values as text "
                "(json.dumps) in the interceptor that adds them"
            )
    return {**data, HEADERS_KEY: dict(headers)}


def split_headers(data: Any) -> tuple[Any, Mapping[str, str]]:
    """``data`` without its headers, and the headers (empty when it has none)."""
    if type(data) is not dict or HEADERS_KEY not in data:
        return data, _NO_HEADERS
    headers = data[HEADERS_KEY]
    if type(headers) is not dict or not all(
        type(k) is str and type(v) is str for k, v in headers.items()
    ):
        raise SerializationError(
            f"the input's {HEADERS_KEY!r} is {headers!r:.80}, not an object of strings; was it "
            "written by another client?",
            path=HEADERS_KEY,
        )
    rest = dict(data)
    del rest[HEADERS_KEY]
    return rest, headers
