"""Envelopes that travel inside SWF: references, compressed and escaped inline payloads."""

from __future__ import annotations

import json

import pytest

from swfobjects.payloads.storage._references import (
    ENVELOPE_PREFIX,
    MAX_INLINE_EXPANDED,
    Reference,
    decode_bytes,
    encode_bytes,
    inline_envelope,
    is_envelope,
    parse_envelope,
    sha256_hex,
)
from swfobjects.storage import CorruptPayloadError


def test_reference_text_is_small_json_naming_store_key_size_and_hash() -> None:
    ref = Reference("s3://b/p/", "d/w/r/k", 5_000_000, "a" * 64, "gzip")
    text = ref.to_text()
    assert is_envelope(text) and len(text) < 300
    data = json.loads(text)
    assert data["store"] == "s3://b/p/" and data["key"] == "d/w/r/k"
    assert data["size"] == 5_000_000 and data["sha256"] == "a" * 64
    assert Reference.parse(text) == ref
    assert parse_envelope(text) == ref


@pytest.mark.parametrize(
    "text",
    [
        ENVELOPE_PREFIX + '"ref"}',
        ENVELOPE_PREFIX
        + '"ref","v":1,"store":"s","key":"k","size":-1,"sha256":"'
        + "a" * 64
        + '","encoding":"identity"}',
        ENVELOPE_PREFIX + '"ref","v":1,"store":"s","key":"k","size":1,"sha256":"short",'
        '"encoding":"identity"}',
        ENVELOPE_PREFIX
        + '"ref","v":1,"store":"s","key":"k","size":1,"sha256":"'
        + "a" * 64
        + '","encoding":"zip"}',
        ENVELOPE_PREFIX
        + '"ref","v":1,"store":"s","key":"","size":1,"sha256":"'
        + "a" * 64
        + '","encoding":"identity"}',
        ENVELOPE_PREFIX + '"other"}',
        ENVELOPE_PREFIX + " truncated",
        ENVELOPE_PREFIX + '"inline","v":1,"encoding":"gzip+base64","data":"not base64!"}',
        ENVELOPE_PREFIX + '"inline","v":1,"encoding":"rot13","data":"x"}',
        ENVELOPE_PREFIX + '"inline","v":1,"encoding":"identity"}',
    ],
)
def test_damaged_envelopes_are_errors_never_empty_values(text: str) -> None:
    with pytest.raises(CorruptPayloadError):
        parse_envelope(text)


def test_verify_checks_size_and_hash() -> None:
    data = b"payload bytes"
    ref = Reference("memory:1", "d/w/r/k", len(data), sha256_hex(data))
    ref.verify(data)
    with pytest.raises(CorruptPayloadError, match="does not match its reference"):
        ref.verify(data[:-1], "d/w/r")
    with pytest.raises(CorruptPayloadError, match="sha256") as info:
        ref.verify(b"PAYLOAD bytes", "d/w/r")
    assert info.value.key == "d/w/r/k" and info.value.execution == "d/w/r"


def test_a_wrong_reference_does_not_learn_the_real_objects_size() -> None:
    real = b"x" * 12_345
    forged = Reference("memory:1", "d/w/r/k", 7, "0" * 64)
    with pytest.raises(CorruptPayloadError) as info:
        forged.verify(real)
    assert "12,345" not in str(info.value) and "12345" not in str(info.value)


def _ref_text(**changes: object) -> str:
    fields: dict[str, object] = {
        "$swfobjects": "ref",
        "v": 1,
        "store": "file:///tmp/store",
        "key": "d/w/r/k",
        "size": 10,
        "sha256": "a" * 64,
        "encoding": "identity",
    }
    fields.update(changes)
    return json.dumps(fields)


@pytest.mark.parametrize(
    "changes",
    [
        {"size": float("inf")},
        {"size": 10.0},
        {"size": "10"},
        {"size": True},
        {"size": 6 * 1024**4},
        {"key": "a//b"},
        {"key": "/abs/olute"},
        {"key": "d/w/r/"},
        {"key": "d/../../etc/passwd"},
        {"key": "d/./k"},
        {"key": "d/w/r/k\x00"},
        {"key": "k" * 1025},
        {"sha256": "A" * 64},
        {"sha256": "g" * 64},
        {"store": ""},
        {"store": 5},
    ],
    ids=lambda changes: f"{changes}"[:40],
)
def test_references_swfobjects_never_writes_are_corrupt(changes: dict[str, object]) -> None:
    with pytest.raises(CorruptPayloadError, match="malformed payload reference"):
        Reference.parse(_ref_text(**changes))


def test_inline_gzip_envelopes_may_not_expand_beyond_a_request() -> None:
    import base64
    import gzip

    bomb = gzip.compress(b"0" * 24_000_000, mtime=0)
    text = (
        '{"$swfobjects":"inline","v":1,"encoding":"gzip+base64","data":"'
        + base64.b64encode(bomb).decode()
        + '"}'
    )
    assert len(text) < 32_768
    with pytest.raises(CorruptPayloadError, match="expands beyond the limit of 1,048,576"):
        parse_envelope(text)
    fits = "0" * MAX_INLINE_EXPANDED
    assert parse_envelope(inline_envelope(fits, compress=True)) == fits


def test_stored_gzip_expands_only_to_the_given_limit() -> None:
    data, encoding = encode_bytes("x" * 5_000, compress=True)
    assert decode_bytes(data, encoding, 5_000) == "x" * 5_000
    with pytest.raises(CorruptPayloadError, match="beyond the limit of 4,999"):
        decode_bytes(data, encoding, 4_999)
    with pytest.raises(CorruptPayloadError, match="truncated"):
        decode_bytes(data[:-12], encoding)
    with pytest.raises(CorruptPayloadError, match="follows"):
        decode_bytes(data + b"junk", encoding)


@pytest.mark.parametrize("compress", [False, True])
def test_inline_envelopes_round_trip(compress: bool) -> None:
    text = json.dumps({"$swfobjects": "looks like ours", "x": ["ü"] * 100}, ensure_ascii=False)
    envelope = inline_envelope(text, compress=compress)
    assert is_envelope(envelope)
    assert parse_envelope(envelope) == text


def test_compressed_inline_is_much_smaller_for_repetitive_json() -> None:
    text = json.dumps([{"sku": "ABC-123", "qty": 1}] * 5000)
    assert len(inline_envelope(text, compress=True)) < len(text) // 10


@pytest.mark.parametrize("compress", [False, True])
def test_stored_bytes_round_trip(compress: bool) -> None:
    text = '"' + "é" * 1000 + '"'
    data, encoding = encode_bytes(text, compress)
    assert encoding == ("gzip" if compress else "identity")
    assert decode_bytes(data, encoding) == text


def test_undecodable_stored_bytes_are_corrupt() -> None:
    with pytest.raises(CorruptPayloadError):
        decode_bytes(b"not gzip", "gzip")
    with pytest.raises(CorruptPayloadError):
        decode_bytes(b"\xff\xfe", "identity")
