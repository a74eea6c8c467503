"""The one encode/decode pair every SWF payload goes through.

Inputs, results, failure details, markers and signals all pass here, so SWF's size limits are
checked here, before any API call. The ``PayloadStore`` seam is where an
out-of-band data store plugs in: it may replace a large text with a small reference and turn
references back into text.

Every payload passes through :meth:`Payloads.encode_data` and :meth:`Payloads.decode_data`, a
few per activity, so they call the C encoder and scanner themselves, as ``dumps`` and ``loads``
do, a Python call less each; text the scanner does not read whole goes on to ``loads``, so its
errors read as before. :meth:`Payloads.encode` writes a lone ``str``, ``int``, ``bool`` or
``None`` (most results) with ``SCALAR_TEXT`` when no store could take it: the text
``encode_data`` would write, and the same size check, without the encoder's set-up.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..exceptions import PayloadTooLargeError, SerializationError
from ..swf.limits import MAX_DATA, MAX_REASON
from ._codecs import C_ENCODE, CIRCULAR, SCALAR_TEXT, SCAN, Codec, dumps, loads
from ._foreign import RAW, RawText
from .storage._references import ENVELOPE_PREFIX

__all__ = ["MAX_PAYLOAD", "MAX_REASON", "Payloads", "PayloadStore", "truncate"]

MAX_PAYLOAD = MAX_DATA
"""SWF's limit, in characters, on inputs, results, details, markers, signals and control
(an alias of :data:`swfobjects.swf.limits.MAX_DATA` for the modules that import it)."""


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 3)] + "..."


class PayloadStore(Protocol):
    """What the payload layer needs from an out-of-band store (see ``swfobjects.storage``)."""

    def externalize(self, text: str, what: str, scope: dict[str, str]) -> str:
        """Return ``text`` or a short reference to it stored out of band."""

    def internalize(self, text: str, what: str) -> str:
        """Return the payload text for ``text`` (fetching it if it is a reference)."""


class Payloads:
    """Encodes values to SWF payload strings and back, enforcing SWF's size limits.

    >>> from swfobjects.payloads._codecs import codec_for
    >>> p, ints = Payloads(), codec_for(list[int])
    >>> p.decode(p.encode([1, 2], ints, "an example"), ints, "an example")
    [1, 2]
    """

    def __init__(
        self, store: PayloadStore | None = None, limit: int = MAX_PAYLOAD, domain: str = ""
    ) -> None:
        self.store = store
        self.limit = limit
        self.domain = domain

    def encode(
        self,
        value: Any,
        codec: Codec,
        what: str,
        scope: dict[str, str] | None = None,
        store: PayloadStore | None = None,
    ) -> str:
        """The payload string for ``value``; raises before SWF ever sees an oversized one."""
        native = codec._native  # codec.encode's fast path, without the call
        if native is None or type(value) not in native:
            return self.encode_data(codec.encode(value, what), what, scope, store)
        scalar = SCALAR_TEXT.get(type(value))
        if scalar is None or store is not None or self.store is not None:
            return self.encode_data(value, what, scope, store)
        text = scalar(value)  # encode_data for a lone scalar and no store: one size check
        if len(text) > self.limit:
            raise PayloadTooLargeError(what, len(text), self.limit)
        return text

    def encode_data(
        self,
        data: Any,
        what: str,
        scope: dict[str, str] | None = None,
        store: PayloadStore | None = None,
    ) -> str:
        """The payload string for JSON-ready ``data``.

        ``store`` (a class's or method's declared store) overrides the executor's for this
        payload. :class:`RawText` (raw calls by name) goes out exactly as it is.
        """
        if type(data) is RawText:
            if len(data) > self.limit:
                raise PayloadTooLargeError(what, len(data), self.limit)
            return str(data)
        try:
            text = dumps(data) if C_ENCODE is None else "".join(C_ENCODE(data, 0))  # dumps
        except RecursionError:
            raise SerializationError(f"cannot encode {what}: {CIRCULAR}") from None
        except (TypeError, ValueError) as exc:
            raise SerializationError(f"cannot encode {what}: {exc}") from None
        store = store if store is not None else self.store
        if store is not None:
            if self.domain and scope is not None and "domain" not in scope:
                scope = {"domain": self.domain, **scope}
            text = store.externalize(text, what, scope or {})
        if len(text) > self.limit:
            raise PayloadTooLargeError(what, len(text), self.limit)
        return text

    def decode(self, text: str | None, codec: Codec, what: str) -> Any:
        """The value for a payload string (``None``/absent payloads decode as ``None``).

        The :data:`RAW` codec (raw calls by name) gets the text itself, never parsed.
        """
        if codec is RAW:
            return text if text is not None else ""
        data = self.decode_data(text, what)
        native = codec._native  # codec.decode's fast path, without the call
        if native is not None and type(data) in native:
            return data
        return codec.decode(data, what)

    def decode_data(self, text: str | None, what: str) -> Any:
        """JSON-ready data for a payload string."""
        if text is None or text == "":
            return None
        if self.store is not None:
            text = self.store.internalize(text, what)
        elif text.startswith(ENVELOPE_PREFIX):
            reader = _declared_reader(text)
            if reader is None:
                raise SerializationError(
                    f"cannot decode {what}: it was sent out of band (swfobjects.storage) and no "
                    "data store is configured here; give this executor the data_store its writer "
                    "used"
                )
            text = reader.internalize(text, what)
        try:
            value, end = SCAN(text, 0)  # loads, inlined (see the module docstring)
            if end == len(text):
                return value
        except (StopIteration, ValueError):
            pass  # not JSON, or whitespace around it: loads says which
        try:
            return loads(text)
        except ValueError as exc:
            raise SerializationError(
                f"cannot decode {what}: not JSON ({exc}); was it written by another client?"
            ) from None


def _declared_reader(text: str) -> PayloadStore | None:
    """A reader for a reference to a store declared on a class or method, if it is one."""
    from .storage._offload import DECLARED_STORES, OffloadingStore
    from .storage._references import Reference, parse_envelope

    if not DECLARED_STORES:
        return None
    try:
        parsed = parse_envelope(text)
    except Exception:  # noqa: BLE001 - not ours to judge here; the caller reports it
        return None
    if not isinstance(parsed, Reference) or parsed.store not in DECLARED_STORES:
        return None
    return OffloadingStore(DECLARED_STORES[parsed.store])
