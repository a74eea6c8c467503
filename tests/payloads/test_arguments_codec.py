"""``ArgumentsCodec``: a call's arguments to one JSON object and back to a call that binds the
same way, for every kind of parameter (``*rest`` and ``**extra`` beside named ones too), and
the same through the SerialExecutor (activity methods, activity functions, workflows)."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Callable
from typing import Any

import pytest

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
)
from swfobjects.exceptions import SerializationError
from swfobjects.payloads._codecs import ArgumentsCodec


def rest(a: int, *more: int) -> list[int]:
    return [a, *more]


def named_default_rest(a: int, b: int = 2, *more: int, **extra: str) -> tuple[Any, ...]:
    return a, b, more, extra


def every_kind(a: int, /, b: str, *more: int, c: bool, d: int = 4, **extra: int) -> tuple[Any, ...]:
    return a, b, more, c, d, extra


def keywords(a: int, **extra: str) -> tuple[Any, ...]:
    return a, extra


CALLS: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
    (rest, (1,), {}),
    (rest, (1, 2, 3), {}),
    (named_default_rest, (1,), {}),
    (named_default_rest, (1, 5), {}),
    (named_default_rest, (1, 5, 6, 7), {"x": "y"}),
    (named_default_rest, (1,), {"b": 9, "x": "y"}),
    (every_kind, (1, "b"), {"c": True}),
    (every_kind, (1, "b", 7, 8), {"c": False, "d": 0, "z": 3}),
    (keywords, (1,), {"x": "y", "w": "v"}),
    (keywords, (1,), {"extra": "y"}),  # a key named as **extra itself is just a key
    (every_kind, (1, "b"), {"c": True, "a": 2, "more": 3}),  # positional-only and *rest names
]


def _codec(function: Callable[..., Any]) -> ArgumentsCodec:
    return ArgumentsCodec(
        inspect.signature(function), typing.get_type_hints(function), f"activity {function}"
    )


@pytest.mark.parametrize(("function", "args", "kwargs"), CALLS)
def test_a_round_trip_calls_the_function_as_the_caller_did(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    codec = _codec(function)
    bound = inspect.signature(function).bind(*args, **kwargs)
    data = json.loads(json.dumps(codec.encode(bound.arguments)))
    decoded_args, decoded_kwargs = codec.decode(data)
    assert function(*decoded_args, **decoded_kwargs) == function(*args, **kwargs)


def test_a_json_array_with_more_values_than_names_fills_rest() -> None:
    args, kwargs = _codec(named_default_rest).decode([1, 2, 3, 4])
    assert named_default_rest(*args, **kwargs) == (1, 2, (3, 4), {})


def test_rest_without_a_defaulted_argument_passes_the_default_positionally() -> None:
    args, kwargs = _codec(named_default_rest).decode({"a": 1, "more": [3]})
    assert named_default_rest(*args, **kwargs) == (1, 2, (3,), {})


def test_extra_keywords_that_name_a_parameter_are_refused() -> None:
    """A foreign client could send both; one would silently win over the other."""
    with pytest.raises(SerializationError, match="'a' given both as a parameter and in 'extra'"):
        _codec(keywords).decode({"a": 1, "extra": {"a": "2"}})


class Varargs(ActivityWorker, task_list="codec-varargs"):
    @activity_task
    def join(self, first: str, *rest: str, **options: str) -> str:
        return options.get("sep", "-").join([first, *rest])


@activity_task(task_list="codec-varargs-function")
def total(first: int, *rest: int) -> int:
    return first + sum(rest)


class Spread(Workflow, task_list="codec-spread"):
    varargs = Varargs.client()

    @decision_task
    async def run(self, first: str, *rest: str, **options: str) -> str:
        joined = await self.varargs.join(first, *rest, **options)
        return f"{joined} {await total(1, 2, 3)} {await total(4)}"


def test_varargs_through_the_serial_executor() -> None:
    executor = SerialExecutor(workers=[Varargs(), total])
    assert executor.run(Spread, "a", "b", "c", sep="+") == "a+b+c 6 4"
    assert executor.run(Spread, "a") == "a 6 4"


def scalars(a: int, b: str, *, c: bool, d: float, e: Any, f: None = None) -> None:
    """Every parameter named and of a type whose values decode as they are (the fast path)."""


@pytest.mark.parametrize(
    "data",
    [
        {"a": 1, "b": "x", "c": True, "d": 1.5, "e": "y", "f": None},
        {"a": 1, "b": "x", "c": True, "d": 2, "e": 3, "f": None},  # an int is a float
        {"f": None, "e": None, "d": 0.0, "c": False, "b": "", "a": -1},  # any key order
        {"a": 1, "b": "x", "c": True, "d": 1.5, "e": [1]},  # f defaulted; e not a scalar
        {"a": True, "b": "x", "c": True, "d": 1.5, "e": 1, "f": None},  # bool is not int
        {"a": 1, "b": 2, "c": True, "d": 1.5, "e": 1, "f": None},  # int is not str
        {"a": 1, "b": "x", "c": 1, "d": 1.5, "e": 1, "f": None},  # int is not bool
        {"a": 1, "b": "x", "c": True, "d": "1", "e": 1, "f": None},  # str is not float
        {"a": 1, "b": "x", "c": True, "d": 1.5, "e": 1, "f": 0},  # 0 is not None
        {"a": 1, "b": "x", "c": True, "d": 1.5, "e": 1, "g": 0},  # an unknown name
        {"a": 1, "b": "x", "c": True, "d": 1.5, "e": 1, "f": None, "$headers": {}},
        {"a": None, "b": "x", "c": True, "d": 1.5, "e": 1, "f": None},  # null for an int
    ],
)
def test_the_fast_path_decodes_as_the_general_binding_does(data: dict[str, Any]) -> None:
    """A signature of named scalar parameters skips the general binding when every parameter
    is given a value of its exact type; anything else (a default to fill, a wrong type, an
    unknown key) must come out exactly as the general binding has it: same call, same error."""
    codec = _codec(scalars)
    assert codec._plain is not None
    general = _codec(scalars)
    general._plain = None

    def outcome(c: ArgumentsCodec) -> Any:
        try:
            return c.decode(dict(data))
        except SerializationError as exc:
            return str(exc), exc.path

    assert outcome(codec) == outcome(general)


def test_signatures_with_anything_but_named_scalars_take_the_general_binding() -> None:
    assert _codec(rest)._plain is None
    assert _codec(keywords)._plain is None
    assert _codec(every_kind)._plain is None

    def listed(a: int, b: list[int]) -> None: ...

    assert _codec(listed)._plain is None
