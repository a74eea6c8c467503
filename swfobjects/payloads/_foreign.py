"""Payloads of calls by name: plain JSON of the arguments, or raw text passed untouched.

A call by name (``self.call_activity("ProcessOrder", "2.0", ...)``) has no Python signature to
encode against: the code on the other side may be Java, Go or a script. Its input is therefore
plain JSON any language reads: a JSON array of the positional arguments (``["o-1", 3]``), or a
JSON object of the keyword arguments (``{"order_id": "o-1"}``), each value encoded as its own
type says (dataclasses as objects, datetimes as ISO text). The result is decoded to the
``result_type`` the caller names.

Code that uses its own format asks for *raw* mode: the input is one ``str`` sent to SWF as it is
and the result is handed back as the text SWF returned, never parsed. :class:`RawText` marks such
a text for :class:`~swfobjects.payloads._payload.Payloads` and :data:`RAW` is the result codec
that asks for the text itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from ..exceptions import SerializationError
from ._codecs import ArgumentsCodec, Codec, codec_for

__all__ = ["RAW", "RawText", "ForeignArguments"]


class RawText(str):
    """A payload text that goes to SWF exactly as it is (no JSON encoding, no data store)."""

    __slots__ = ()


class _RawCodec(Codec):
    """The codec of raw results: :meth:`Payloads.decode` hands the text back untouched."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(str)
        self._native = None  # a str is not passed through as is: it becomes RawText

    def encode(self, value: Any, what: str = "value") -> Any:
        if not isinstance(value, str):
            raise SerializationError(
                f"cannot encode {what}: raw mode passes a str through untouched, got "
                f"{type(value).__name__}"
            )
        return RawText(value)


RAW: Codec = _RawCodec()
"""The result codec of raw calls (compared by identity in ``Payloads.decode``)."""


def _plain(value: Any, what: str) -> Any:
    """``value`` as plain JSON, encoded by the codec of its own type."""
    return codec_for(type(value)).encode(value, what)


class ForeignArguments(ArgumentsCodec):
    """The arguments of a call by name, bound as ``{"args": (...), "kwargs": {...}}``.

    Encodes them as a JSON array (positional) or a JSON object (keywords), or, in raw mode,
    passes the single ``str`` argument through as :class:`RawText`.
    """

    def __init__(self, what: str, raw: bool) -> None:
        super().__init__(inspect.Signature(), {}, what)
        self.raw = raw

    def bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of one call, checked for the mode: ``TypeError`` saying what to pass."""
        if self.raw:
            if kwargs or len(args) != 1 or not isinstance(args[0], str):
                raise TypeError(
                    f"{self.what}: raw=True takes exactly one positional str (the input text, "
                    f"sent untouched), got args={args!r} kwargs={dict(kwargs)!r}"
                )
        elif args and kwargs:
            raise TypeError(
                f"{self.what}: pass the arguments either positionally (sent as a JSON array) or "
                "by keyword (sent as a JSON object), not both"
            )
        return {"args": args, "kwargs": dict(kwargs)}

    def encode(self, arguments: Mapping[str, Any]) -> Any:
        """JSON-ready data (or :class:`RawText`) for arguments made by :meth:`bind`."""
        args, kwargs = arguments["args"], arguments["kwargs"]
        if self.raw:
            return RawText(args[0])
        if kwargs:
            return {
                key: _plain(value, f"{self.what} argument {key!r}") for key, value in kwargs.items()
            }
        return [_plain(value, f"{self.what} argument {i}") for i, value in enumerate(args)]


def result_codec_of(result_type: Any, raw: bool) -> Codec:
    """The codec for the result of a call by name."""
    if raw:
        if result_type is not Any and result_type is not str:
            raise TypeError(f"raw=True results are the text itself (str), not {result_type!r}")
        return RAW
    return codec_for(result_type)
