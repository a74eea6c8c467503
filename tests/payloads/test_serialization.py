"""Payload encoding: type-directed JSON, schemas, errors naming fields, size limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import uuid

import pytest
from marshmallow import Schema, fields, post_load

from swfobjects.exceptions import PayloadTooLargeError, SerializationError
from swfobjects.payloads._codecs import codec_for, decode_any, encode_any
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
