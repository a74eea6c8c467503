"""What travels inside SWF when a payload does not: small JSON envelopes.

Every envelope is a JSON object whose first member is ``"$swfobjects"``, so the payload layer
recognises one by its prefix without parsing megabytes of ordinary JSON. Two kinds exist:

- ``ref``: the payload lives in a data store; the envelope names the store, key, stored size
  and sha256, and the encoding of the stored bytes (``identity`` or ``gzip``) so the reader can
  verify what it fetched before decoding it;
- ``inline``: the payload travels inside SWF after all, compressed (``gzip+base64``) or, when an
  ordinary payload happens to start like an envelope, escaped (``identity``).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ...exceptions import CorruptPayloadError

__all__ = [
    "ENVELOPE_PREFIX",
    "Reference",
    "is_envelope",
    "parse_envelope",
    "inline_envelope",
    "encode_bytes",
    "decode_bytes",
    "sha256_hex",
]

ENVELOPE_PREFIX = '{"$swfobjects":'
"""Every envelope, and only envelopes (ordinary payloads with this prefix are escaped), start so."""

_VERSION = 1
_ENCODINGS = ("identity", "gzip")


def is_envelope(text: str) -> bool:
    """True if ``text`` is an envelope (a reference or an inline/escaped payload)."""
    return text.startswith(ENVELOPE_PREFIX)


def sha256_hex(data: bytes) -> str:
    """The hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Reference:
    """Where an out-of-band payload lives and how to check it.

    >>> ref = Reference("memory:1", "d/wf/run/k", 3, sha256_hex(b"abc"))
    >>> Reference.parse(ref.to_text()) == ref
    True
    """

    store: str
    key: str
    size: int
    sha256: str
    encoding: str = "identity"

    def to_text(self) -> str:
        """The compact JSON that travels inside SWF."""
        return json.dumps(
            {
                "$swfobjects": "ref",
                "v": _VERSION,
                "store": self.store,
                "key": self.key,
                "size": self.size,
                "sha256": self.sha256,
                "encoding": self.encoding,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def parse(cls, text: str) -> Reference:
        """The reference in ``text``; :class:`CorruptPayloadError` if it is not a valid one."""
        data = _load(text)
        if data.get("$swfobjects") != "ref":
            raise CorruptPayloadError(f"not a payload reference: {text[:200]!r}")
        try:
            ref = cls(
                store=_str(data, "store"),
                key=_str(data, "key"),
                size=int(data["size"]),
                sha256=_str(data, "sha256"),
                encoding=_str(data, "encoding"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptPayloadError(
                f"malformed payload reference ({exc}): {text[:200]!r}"
            ) from None
        if ref.size < 0 or len(ref.sha256) != 64 or ref.encoding not in _ENCODINGS or not ref.key:
            raise CorruptPayloadError(f"malformed payload reference: {text[:200]!r}")
        return ref

    def verify(self, data: bytes, execution: str = "") -> None:
        """Raise :class:`CorruptPayloadError` unless ``data`` has this size and sha256."""
        where = f"payload {self.key!r} in {self.store}" + (
            f" (execution {execution})" if execution else ""
        )
        if len(data) != self.size:
            raise CorruptPayloadError(
                f"{where} is {len(data):,} bytes, its reference says {self.size:,}: the object "
                "was truncated or replaced",
                store=self.store,
                key=self.key,
                execution=execution,
            )
        if sha256_hex(data) != self.sha256:
            raise CorruptPayloadError(
                f"{where} does not match its sha256: the object was modified after it was written",
                store=self.store,
                key=self.key,
                execution=execution,
            )


def inline_envelope(text: str, compress: bool, level: int = 6) -> str:
    """``text`` wrapped to travel inline: gzip+base64 if ``compress``, else escaped as is."""
    if compress:
        packed = gzip.compress(text.encode("utf-8"), compresslevel=level, mtime=0)
        data, encoding = base64.b64encode(packed).decode("ascii"), "gzip+base64"
    else:
        data, encoding = text, "identity"
    return json.dumps(
        {"$swfobjects": "inline", "v": _VERSION, "encoding": encoding, "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def parse_envelope(text: str) -> Reference | str:
    """A :class:`Reference`, or the payload text carried by an inline envelope."""
    data = _load(text)
    kind = data.get("$swfobjects")
    if kind == "ref":
        return Reference.parse(text)
    if kind != "inline":
        raise CorruptPayloadError(f"unknown swfobjects envelope {kind!r}: {text[:200]!r}")
    encoding, body = data.get("encoding"), data.get("data")
    if not isinstance(body, str):
        raise CorruptPayloadError(f"inline envelope without data: {text[:200]!r}")
    if encoding == "identity":
        return body
    if encoding == "gzip+base64":
        try:
            return decode_bytes(base64.b64decode(body, validate=True), "gzip")
        except (binascii.Error, ValueError) as exc:
            raise CorruptPayloadError(f"inline compressed payload is damaged: {exc}") from None
    raise CorruptPayloadError(f"unknown inline encoding {encoding!r}")


def encode_bytes(text: str, compress: bool, level: int = 6) -> tuple[bytes, str]:
    """The bytes to store for ``text`` and their encoding name."""
    raw = text.encode("utf-8")
    if compress:
        return gzip.compress(raw, compresslevel=level, mtime=0), "gzip"
    return raw, "identity"


def decode_bytes(data: bytes, encoding: str) -> str:
    """The payload text for stored bytes (already verified against the reference)."""
    try:
        if encoding == "gzip":
            data = gzip.decompress(data)
        elif encoding != "identity":
            raise ValueError(f"unknown encoding {encoding!r}")
        return data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise CorruptPayloadError(f"stored payload cannot be decoded ({encoding}): {exc}") from None


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CorruptPayloadError(f"damaged swfobjects envelope ({exc}): {text[:200]!r}") from None
    if not isinstance(data, dict):
        raise CorruptPayloadError(f"damaged swfobjects envelope: {text[:200]!r}")
    return data


def _str(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    return value
