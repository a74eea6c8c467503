"""Payloads of calls by name: arguments as a JSON array or object, raw text untouched."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import typing

import pytest

from swfobjects.exceptions import SerializationError
from swfobjects.payloads._codecs import ArgumentsCodec
from swfobjects.payloads._foreign import RAW, ForeignArguments, RawText
from swfobjects.payloads._payload import Payloads


@dataclasses.dataclass
class Item:
    sku: str
    qty: int


def test_arguments_encode_as_plain_json_each_by_its_own_type():
    codec = ForeignArguments("activity X", raw=False)
    when = dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
    data = codec.encode(codec.bind(("o-1", Item("a", 2), when), {}))
    assert data == ["o-1", {"sku": "a", "qty": 2}, "2024-01-02T03:04:00+00:00"]
    assert codec.encode(codec.bind((), {"order_id": "o-1"})) == {"order_id": "o-1"}
    assert codec.encode(codec.bind((), {})) == []


def test_raw_text_goes_out_and_comes_back_untouched():
    payloads = Payloads()
    codec = ForeignArguments("activity X", raw=True)
    text = "<order id='1'/>  "
    assert payloads.encode_data(codec.encode(codec.bind((text,), {})), "input") == text
    assert payloads.decode("not json {", RAW, "result") == "not json {"
    assert payloads.decode(None, RAW, "result") == ""
    assert type(payloads.encode_data(RawText("x"), "input")) is str


def _codec(function: typing.Callable[..., object]) -> ArgumentsCodec:
    signature = inspect.signature(function)
    return ArgumentsCodec(signature, typing.get_type_hints(function), "activity f")


def test_python_code_accepts_a_json_array_of_its_arguments():
    def f(order_id: str, cents: int = 1, *, note: str = "") -> None: ...

    def g(*values: int) -> None: ...

    assert _codec(f).decode(["o-1", 5]) == ([], {"order_id": "o-1", "cents": 5})
    assert _codec(f).decode(["o-1"]) == ([], {"order_id": "o-1"})
    assert _codec(g).decode([1, 2]) == ([1, 2], {})
    with pytest.raises(SerializationError, match="at most 2 positionally"):
        _codec(f).decode(["o-1", 5, "note"])  # a keyword-only parameter is never positional
    with pytest.raises(SerializationError, match="'cents'"):
        _codec(f).decode(["o-1", "five"])
