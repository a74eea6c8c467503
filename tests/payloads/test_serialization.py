"""Payload encoding: type-directed JSON, schemas, errors naming fields, size limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import uuid
from typing import Any

import pytest
from marshmallow import Schema, fields, post_load

from swfobjects.exceptions import PayloadTooLargeError, SerializationError
from swfobjects.payloads._codecs import codec_for, decode_any, dumps, encode_any
from swfobjects.payloads._payload import Payloads


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Item:
    sku: str
    qty: int
    price: decimal.Decimal


@dataclasses.dataclass
class Order:
    id: uuid.UUID
    at: dt.datetime
    items: list[Item]
    color: Color = Color.RED
    note: str | None = None


class Money:
    def __init__(self, cents: int, currency: str) -> None:
        self.cents, self.currency = cents, currency

    class Schema(Schema):
        cents = fields.Integer(required=True)
        currency = fields.String(required=True)

        @post_load
        def make(self, data, **kwargs):
            return Money(**data)


def roundtrip(value, hint):
    payloads = Payloads()
    return payloads.decode(payloads.encode(value, codec_for(hint), "v"), codec_for(hint), "v")


def test_plain_and_rich_types_round_trip():
    order = Order(
        uuid.uuid4(),
        dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc),
        [Item("a", 2, decimal.Decimal("1.10"))],
        Color.BLUE,
    )
    assert roundtrip(order, Order) == order
    assert roundtrip(b"\x00\xff", bytes) == b"\x00\xff"
    assert roundtrip(dt.date(2024, 1, 2), dt.date) == dt.date(2024, 1, 2)
    assert roundtrip({"a": [1, 2]}, dict[str, list[int]]) == {"a": [1, 2]}
    assert roundtrip((1, "x"), tuple[int, str]) == (1, "x")
    money = roundtrip(Money(5, "EUR"), Money)
    assert (money.cents, money.currency) == (5, "EUR")


def test_untyped_values_keep_their_types():
    value = {
        "when": dt.datetime(2024, 1, 1),
        "n": decimal.Decimal("2.5"),
        "b": b"x",
        "u": uuid.UUID(int=1),
        "t": (1, 2),
        "$weird": 1,
    }
    assert decode_any(encode_any(value)) == value
    assert decode_any(encode_any({"$only": 1})) == {"$only": 1}


def test_decode_errors_name_the_field_path():
    payloads = Payloads()
    text = (
        f'{{"id": "{uuid.uuid4()}", "at": "2024-01-01T00:00:00", '
        '"items": [{"sku": "a", "qty": "many", "price": "1"}]}'
    )
    with pytest.raises(SerializationError) as caught:
        payloads.decode(text, codec_for(Order), "order")
    assert caught.value.path == "items.0.qty"
    assert "items.0.qty" in str(caught.value)


def test_unencodable_value_is_a_serialization_error():
    with pytest.raises(SerializationError, match="cannot encode"):
        encode_any(object())
    with pytest.raises(SerializationError, match="dict keys"):
        encode_any({1: "x"})


def test_oversized_payload_is_refused_before_swf():
    with pytest.raises(PayloadTooLargeError, match="data store") as caught:
        Payloads().encode("x" * 40_000, codec_for(str), "input of activity A")
    assert caught.value.size > 32_768


# --- strict encoding against annotations (issue 12) -----------------------------------------


@pytest.mark.parametrize(
    ("value", "hint", "path", "text"),
    [
        (12, str, None, "expected str, got int 12"),
        (True, int, None, "expected int, got bool True"),
        ("1.5", float, None, "expected float, got str '1.5'"),
        (None, str, None, "expected str, got None"),
        ([1, "x"], list[str], "0", "0: expected str, got int 1"),
        ((1, 2), list[int], None, "expected list[int], got tuple"),
        ({"a": 1.5}, dict[str, int], "a", "a: expected int, got float 1.5"),
        ({1: "x"}, dict[str, str], "1", "dict keys must be str here, got int 1"),
        (dt.datetime(2024, 1, 1), dt.date, None, "expected date, got datetime"),
        ("red", Color, None, "expected Color, got str 'red'"),
        (1.5, int | str, None, "expected int | str, got float 1.5"),
        ({"tags": {"a"}}, dict, "tags", "tags: cannot encode set without a type hint"),
        (
            Order(uuid.UUID(int=1), dt.datetime(2024, 1, 1), [Item("a", "2", decimal.Decimal(1))]),
            Order,
            "items.0.qty",
            "items.0.qty: expected int, got str '2'",
        ),
    ],
)
def test_encoding_checks_the_annotation_and_names_type_and_path(value, hint, path, text):
    with pytest.raises(SerializationError) as caught:
        Payloads().encode(value, codec_for(hint), "result of activity A")
    assert caught.value.path == path
    assert str(caught.value).startswith("cannot encode result of activity A: ")
    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("text", "hint", "message"),
    [
        ("12", str, "expected str, got int 12"),
        ('"1.5"', float, "expected float, got str '1.5'"),
        ('"yes"', bool, "expected bool, got str 'yes'"),
        ("[1, true]", list[int], "1: expected int, got bool True"),
    ],
)
def test_decoding_is_as_strict(text, hint, message):
    with pytest.raises(SerializationError, match=message):
        Payloads().decode(text, codec_for(hint), "input")


def test_strict_types_still_round_trip():
    assert roundtrip({1: "a", 2: "b"}, dict[int, str]) == {1: "a", 2: "b"}
    assert roundtrip({"b", "a"}, set[str]) == {"a", "b"}
    assert Payloads().encode({"b", "a", "c"}, codec_for(set[str]), "v") == '["a","b","c"]'
    assert roundtrip((1, 2), tuple[int, ...]) == (1, 2)
    assert roundtrip(3, float) == 3 and roundtrip(None, str | None) is None
    assert roundtrip("x", int | str) == "x"
    assert roundtrip({"when": dt.date(2024, 1, 1)}, dict) == {"when": dt.date(2024, 1, 1)}
    assert Payloads().encode((1, "a"), codec_for(tuple), "v") == '{"$tuple":[1,"a"]}'  # as before
    assert roundtrip((1, "a"), tuple) == (1, "a")


def test_an_awaitable_says_did_you_forget_await_and_names_its_call():
    from swfobjects.workflow._promise import Promise

    promise = Promise[str]("activity Greeter.greet (1)")
    for hint in (str, object, list[str]):
        value = promise if hint is not list[str] else [promise]
        with pytest.raises(SerializationError, match="did you forget `await`") as caught:
            Payloads().encode(value, codec_for(hint), "result of workflow Hello")
        assert "<Promise activity Greeter.greet (1) pending>" in str(caught.value)
        assert "annotate" not in str(caught.value)

    async def helper() -> str:
        return "x"

    coroutine = helper()
    with pytest.raises(SerializationError, match=r"coroutine .*helper\(\) that was never awaited"):
        Payloads().encode(coroutine, codec_for(str), "result")
    assert coroutine.cr_frame is None  # closed: no "never awaited" warning later


@pytest.mark.parametrize(
    "value",
    [0, -7, 10**40, True, False, None, "", "plain", 'q"u\\o\te\n\x00\x1f', "é€😀\u2028", "\ud800"],
)
def test_lone_scalars_encode_as_the_json_encoder_writes_them(value: Any) -> None:
    """``Payloads.encode`` writes a lone str, int, bool or None without the C encoder: byte for
    byte the text it would write (histories recorded before must replay)."""
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    payloads = Payloads()
    assert payloads.encode(value, codec_for(Any), "x") == expected
    assert payloads.encode(value, codec_for(type(value)), "x") == expected
    assert dumps(value) == expected
    assert payloads.encode_data([value], "x") == f"[{expected}]"


def test_a_lone_scalar_result_is_size_checked_and_offered_to_a_store() -> None:
    with pytest.raises(PayloadTooLargeError):
        Payloads(limit=5).encode("abcdef", codec_for(str), "x")
    assert Payloads(limit=5).encode(12345, codec_for(int), "x") == "12345"

    class Store:
        def externalize(self, text: str, what: str, scope: dict[str, str]) -> str:
            return f"ref:{text}"

        def internalize(self, text: str, what: str) -> str:
            return text

    assert Payloads(store=Store()).encode(7, codec_for(int), "x") == "ref:7"
    assert Payloads().encode(7, codec_for(int), "x", store=Store()) == "ref:7"


def test_str_and_int_subclasses_and_floats_still_take_the_encoder() -> None:
    class Color(str, enum.Enum):
        RED = "r"

    class Big(int):
        def __repr__(self) -> str:
            return "not json"

    payloads = Payloads()
    assert payloads.encode(Color.RED, codec_for(Any), "x") == '"r"'
    assert payloads.encode(Big(3), codec_for(Any), "x") == "3"
    assert payloads.encode(1.5, codec_for(float), "x") == "1.5"
    with pytest.raises(SerializationError, match="cannot encode x"):
        payloads.encode(float("nan"), codec_for(Any), "x")


def test_decoding_text_the_scanner_does_not_read_whole_explains_as_before() -> None:
    payloads = Payloads()
    assert payloads.decode_data(" 5 ", "x") == 5
    for text in ["{", "5 6", "nope", '{"a":}', "[1,"]:
        with pytest.raises(SerializationError) as error:
            payloads.decode_data(text, "x")
        with pytest.raises(ValueError) as plain:
            json.loads(text)
        assert str(error.value) == (
            f"cannot decode x: not JSON ({plain.value}); was it written by another client?"
        )
