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
import re
import zlib
from dataclasses import dataclass
from typing import Any

from ...exceptions import CorruptPayloadError
from ...swf.limits import MAX_REQUEST_BYTES

__all__ = [
    "ENVELOPE_PREFIX",
    "MAX_INLINE_EXPANDED",
    "MAX_KEY",
    "MAX_STORED_SIZE",
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

MAX_INLINE_EXPANDED = MAX_REQUEST_BYTES
"""The most bytes an inline gzip envelope may expand to (1 MiB, SWF's cap on one request).

An inline envelope is at most SWF's 32,768 characters, but gzip can expand that a
thousandfold: without a cap, a 31 KB payload decodes to 24 MB in every decider that replays
it. Writers store larger payloads out of band instead of inlining them, so this never refuses
a payload swfobjects wrote.
"""
MAX_STORED_SIZE = 5 * 1024**4
"""The largest ``size`` a reference may give: 5 TiB, the largest object S3 holds. A store's
own ``max_size`` is the tighter bound, checked when the object is fetched."""
MAX_KEY = 1_024
"""The longest key a reference may name (S3's limit on object keys)."""
_SHA256 = re.compile(r"[0-9a-f]{64}")
_BAD_KEY_CHARS = re.compile(r"[\x00-\x1f\x7f]")


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
                size=data["size"],
                sha256=_str(data, "sha256"),
                encoding=_str(data, "encoding"),
            )
        except (KeyError, TypeError) as exc:
            raise CorruptPayloadError(
                f"malformed payload reference ({exc}): {text[:200]!r}"
            ) from None
        problem = ref._problem()
        if problem:
            raise CorruptPayloadError(
                f"malformed payload reference ({problem}): {text[:200]!r}",
                store=ref.store,
                key=ref.key if len(ref.key) <= MAX_KEY else "",
            )
        return ref

    def _problem(self) -> str:
        """What makes this reference one swfobjects never writes, or ``""``."""
        if type(self.size) is not int or not 0 <= self.size <= MAX_STORED_SIZE:
            return f"size must be an integer from 0 to {MAX_STORED_SIZE:,}"
        if not _SHA256.fullmatch(self.sha256):
            return "sha256 must be 64 lowercase hex digits"
        if self.encoding not in _ENCODINGS:
            return f"encoding must be one of {', '.join(_ENCODINGS)}"
        if not self.store:
            return "store is empty"
        key = self.key
        if not key or len(key) > MAX_KEY:
            return f"key must have 1 to {MAX_KEY:,} characters"
        if any(part in ("", ".", "..") for part in key.split("/")) or _BAD_KEY_CHARS.search(key):
            return (
                "key must be segments separated by single slashes, none empty, '.' or '..', "
                "and no control characters"
            )
        return ""

    def verify(self, data: bytes, execution: str = "") -> None:
        """Raise :class:`CorruptPayloadError` unless ``data`` has this size and sha256.

        The error names only what the reference says, never the stored object's real size:
        a forged reference must not learn anything about objects it does not match.
        """
        if len(data) != self.size or sha256_hex(data) != self.sha256:
            where = f"payload {self.key!r} in {self.store}" + (
                f" (execution {execution})" if execution else ""
            )
            raise CorruptPayloadError(
                f"{where} does not match its reference ({self.size:,} bytes with sha256 "
                f"{self.sha256[:16]}...): the object was truncated, replaced or modified after "
                "it was written, or the reference was altered",
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
            packed = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CorruptPayloadError(f"inline compressed payload is damaged: {exc}") from None
        return decode_bytes(packed, "gzip", MAX_INLINE_EXPANDED)
    raise CorruptPayloadError(f"unknown inline encoding {encoding!r}")


def encode_bytes(text: str, compress: bool, level: int = 6) -> tuple[bytes, str]:
    """The bytes to store for ``text`` and their encoding name."""
    raw = text.encode("utf-8")
    if compress:
        return gzip.compress(raw, compresslevel=level, mtime=0), "gzip"
    return raw, "identity"


def decode_bytes(data: bytes, encoding: str, limit: int = MAX_STORED_SIZE) -> str:
    """The payload text for stored bytes (already verified against the reference).

    gzip data may expand to at most ``limit`` bytes (the store's own size limit for stored
    objects, :data:`MAX_INLINE_EXPANDED` for inline envelopes); beyond it the data is refused
    before it is all decompressed.
    """
    try:
        if encoding == "gzip":
            data = _gunzip(data, limit)
        elif encoding != "identity":
            raise ValueError(f"unknown encoding {encoding!r}")
        return data.decode("utf-8")
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise CorruptPayloadError(f"stored payload cannot be decoded ({encoding}): {exc}") from None


def _gunzip(data: bytes, limit: int) -> bytes:
    """One gzip member, decompressed to at most ``limit`` bytes (ValueError beyond)."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = decompressor.decompress(data, limit + 1)
    if len(out) > limit:
        raise ValueError(f"it expands beyond the limit of {limit:,} bytes")
    if not decompressor.eof:
        raise ValueError("the gzip stream is truncated")
    if decompressor.unused_data:
        raise ValueError("data follows the gzip stream")
    return out


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
