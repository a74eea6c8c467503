"""Type-directed JSON encoding of values, built on marshmallow.

A *codec* turns values of one Python type hint into JSON-ready data and back. Codecs come from
type hints (``codec_for(list[Order])``), so activity inputs and results decode to the types the
code declares: datetimes, dates, ``Decimal``, ``UUID``, ``bytes``, enums, dataclasses, and any
class carrying a marshmallow ``Schema``. Values with no hint (or ``Any``) use a tagged JSON form
that still round-trips datetimes, decimals, uuids and bytes.

Never pickle: everything here is JSON that any SWF client in any language can read.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import enum
import inspect
import json
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError, fields

from ..exceptions import SerializationError

__all__ = [
    "Codec",
    "codec_for",
    "ArgumentsCodec",
    "dumps",
    "loads",
    "encode_any",
    "decode_any",
]

_JSON_SCALARS = (str, int, float, bool, type(None))


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
C_ENCODE: Any = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    if getattr(json.encoder, "c_make_encoder", None) is not None
    else None
)
"""The C encoder ``_ENCODER`` would build on every call, built once (every payload passes
here). It skips the circular-reference check: a cycle raises ``RecursionError`` instead."""
SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The C scanner ``json.loads`` ends in, without its Python layers."""
CIRCULAR = "circular reference (or nesting too deep)"

SCALAR_TEXT: dict[type, Callable[[Any], str]] = {
    str: json.encoder.encode_basestring,
    int: int.__repr__,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): lambda _: "null",
}
"""The JSON text of a lone ``str``, ``int``, ``bool`` or ``None`` (exact types), by type.

Most results are one such scalar, and the C encoder costs about as much to set up (argument
parsing, an accumulator, a list to join) as to encode one: these are the very functions it
calls for them (``encode_basestring`` is the one ``C_ENCODE`` was built with), so the text is
the same byte for byte. Floats are not here: the encoder's NaN and infinity errors stay its own.
(Not looked up in :func:`dumps`: the lookup would cost every object and list more than it saves.)
"""


def dumps(data: Any) -> str:
    """Compact JSON text (no ASCII escaping: SWF limits count characters).

    Raises ``TypeError`` for values JSON cannot hold and ``ValueError`` for NaN, infinities
    and circular structures.
    """
    if C_ENCODE is None:
        return _ENCODER.encode(data)
    try:
        return "".join(C_ENCODE(data, 0))
    except RecursionError:
        raise ValueError(CIRCULAR) from None


def loads(text: str) -> Any:
    """Parse JSON text (``ValueError`` if it is not JSON)."""
    try:
        value, end = SCAN(text, 0)
    except StopIteration:
        return json.loads(text)  # leading whitespace, or not JSON: let json explain
    if end != len(text):
        return json.loads(text)  # trailing whitespace or extra data
    return value


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _flatten(messages: Any, path: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error dict as (field path, message) pairs."""
    if isinstance(messages, Mapping):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            out.extend(_flatten(value, _join(path, key)))
        return out
    if isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            return [(path, " ".join(messages))]
        out = []
        for value in messages:
            out.extend(_flatten(value, path))
        return out
    return [(path, str(messages))]


def _validation_error(what: str, error: ValidationError, base: str = "") -> SerializationError:
    pairs = _flatten(error.messages, base)
    first_path = pairs[0][0] if pairs else base
    return SerializationError(f"cannot decode {what}: {_describe(pairs)}", path=first_path or None)


def _describe(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{p}: {m}" if p else m for p, m in pairs)


# --- the untyped (tagged) form -------------------------------------------------------------

_TAGS = ("$datetime", "$date", "$time", "$decimal", "$uuid", "$bytes", "$tuple", "$dict")


def encode_any(value: Any, path: str = "") -> Any:
    """Encode a value with no type hint: JSON types as is, others tagged so they round-trip."""
    if isinstance(value, _JSON_SCALARS):
        if isinstance(value, float) and value != value:  # NaN is not JSON
            raise SerializationError(f"{path or 'value'}: NaN is not JSON", path=path or None)
        return value
    if isinstance(value, enum.Enum):
        return encode_any(value.value, path)
    if isinstance(value, list):
        return [encode_any(v, _join(path, i)) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"$tuple": [encode_any(v, _join(path, i)) for i, v in enumerate(value)]}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SerializationError(
                    f"{_join(path, key)}: dict keys must be strings in untyped payloads "
                    f"(got {type(key).__name__}); annotate the type, e.g. dict[int, str]",
                    path=_join(path, key),
                )
            out[key] = encode_any(item, _join(path, key))
        if len(out) == 1 and next(iter(out)).startswith("$"):
            return {"$dict": out}
        return out
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (set, frozenset)):
        raise SerializationError(
            f"{path or 'value'}: cannot encode {type(value).__name__} without a type hint (JSON "
            "has no sets, and it would come back as a list); annotate it, e.g. set[str], or send "
            "a sorted list",
            path=path or None,
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: encode_any(getattr(value, f.name), _join(path, f.name))
            for f in dataclasses.fields(value)
        }
    schema = _schema_of(type(value))
    if schema is not None:
        return schema.dump(value)
    forgot = forgot_await(value)
    if forgot is not None:
        raise SerializationError(f"{path or 'value'}: {forgot}", path=path or None)
    raise SerializationError(
        f"{path or 'value'}: cannot encode {type(value).__qualname__} as JSON; annotate it with "
        "a type swfobjects knows, give the class a marshmallow Schema (a `Schema` attribute), "
        "or make it a dataclass (swfobjects never pickles)",
        path=path or None,
    )


def decode_any(data: Any) -> Any:
    """Inverse of :func:`encode_any` (dataclasses and enums come back as plain data)."""
    if isinstance(data, list):
        return [decode_any(v) for v in data]
    if isinstance(data, dict):
        if len(data) == 1:
            ((key, value),) = data.items()
            if key in _TAGS:
                return _untag(key, value)
        return {k: decode_any(v) for k, v in data.items()}
    return data


def _untag(tag: str, value: Any) -> Any:
    try:
        if tag == "$datetime":
            return dt.datetime.fromisoformat(value)
        if tag == "$date":
            return dt.date.fromisoformat(value)
        if tag == "$time":
            return dt.time.fromisoformat(value)
        if tag == "$decimal":
            return decimal.Decimal(value)
        if tag == "$uuid":
            return uuid.UUID(value)
        if tag == "$bytes":
            return base64.b64decode(value, validate=True)
        if tag == "$tuple":
            return tuple(decode_any(v) for v in value)
        return {k: decode_any(v) for k, v in value.items()}  # $dict
    except (ValueError, TypeError, AttributeError, decimal.InvalidOperation) as exc:
        raise SerializationError(f"bad {tag} value {value!r}: {exc}") from None


# --- marshmallow fields for type hints ---------------------------------------------------
#
# Every field checks the value's type before it converts anything: marshmallow's own fields
# coerce on the way out (``String`` calls ``str()``, ``Float`` calls ``float()``), which would
# let ``-> str`` returning 12 travel as ``"12"``. Containers collect errors keyed by index or
# key, so a message names the whole field path (``items.0.qty``).

if TYPE_CHECKING:  # marshmallow 4 types its fields as generics; 3 (also supported) does not
    _Field = fields.Field[Any]
else:
    _Field = fields.Field


def forgot_await(value: Any) -> str | None:
    """The "did you forget `await`?" message for an awaitable that reached the payload layer.

    A Promise's repr names the call it came from (``<Promise activity Greeter.greet (1)
    pending>``); a coroutine is named by its function, and closed: the payload is refused, so
    it can never run, and Python's own "never awaited" warning would only repeat this later.
    """
    if inspect.iscoroutine(value):
        value.close()
        return (
            f"got coroutine {value.__qualname__}() that was never awaited: did you forget `await`?"
        )
    if inspect.isawaitable(value):
        return f"got {value!r}, which was never awaited: did you forget `await`?"
    return None


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mismatch(expected: str, value: Any) -> ValidationError:
    """The error for a value of the wrong type: what was expected, what came, and its value."""
    if value is None:
        return ValidationError(f"expected {expected}, got None")
    message = forgot_await(value)
    if message is None:
        message = f"expected {expected}, got {type(value).__qualname__} {_short_repr(value)}"
    return ValidationError(message)


class _AnyField(_Field):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        try:
            return encode_any(value)
        except SerializationError as exc:
            raise ValidationError(_untyped_message(exc)) from None

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return decode_any(value)
        except SerializationError as exc:
            raise ValidationError(str(exc)) from None


def _untyped_message(exc: SerializationError) -> Any:
    """encode_any's error as marshmallow messages keyed by its path."""
    message = str(exc)
    prefix = f"{exc.path or 'value'}: "
    if not exc.path:
        return message[len(prefix) :] if message.startswith(prefix) else message
    message = message[len(prefix) :] if message.startswith(prefix) else message
    nested: Any = [message]
    for key in reversed(exc.path.split(".")):
        nested = {key: nested}
    return nested


class _ScalarField(_Field):
    """A JSON scalar of one Python type, checked both ways and never converted.

    ``float`` accepts ``int`` (as type checkers do); no number accepts ``bool``.
    """

    def __init__(self, accept: tuple[type, ...], expected: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accept: tuple[Any, ...] = accept
        self.expected = expected
        self.to_float = accept == (float, int)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if isinstance(value, self.accept) and (
            self.accept == (bool,) or not isinstance(value, bool)
        ):
            if self.to_float:
                if value != value or value in (_INF, -_INF):
                    raise ValidationError(f"{value!r} is not JSON")
                return float(value)
            return value if type(value) in self.accept else self.accept[0](value)
        raise _mismatch(self.expected, value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, self.accept) and (
            self.accept == (bool,) or not isinstance(value, bool)
        ):
            return float(value) if self.to_float else value
        raise _mismatch(self.expected, value)


_INF = float("inf")


class _Checked(_Field):
    """A marshmallow field behind an ``isinstance`` check (marshmallow alone would coerce)."""

    def __init__(
        self, inner: _Field, accept: tuple[type, ...], expected: str, reject: tuple[type, ...] = ()
    ) -> None:
        super().__init__()
        self.inner = inner
        self.accept = accept
        self.reject = reject
        self.expected = expected

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if not isinstance(value, self.accept) or isinstance(value, self.reject):
            raise _mismatch(self.expected, value)
        return self.inner._serialize(value, attr, obj)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return self.inner._deserialize(value, attr, data)


class _BytesField(_Field):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if not isinstance(value, (bytes, bytearray)):
            raise _mismatch("bytes", value)
        return base64.b64encode(bytes(value)).decode("ascii")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return base64.b64decode(value, validate=True)
        except (ValueError, TypeError):
            raise ValidationError("Not valid base64 bytes.") from None


def _load(field: _Field, value: Any) -> Any:
    """``field.deserialize`` (marshmallow's null and validator checks) for an inner value."""
    if value is None:
        if field.allow_none:
            return None
        expected = getattr(field, "expected", None)
        raise ValidationError(f"expected {expected}, got null" if expected else "may not be null")
    return field.deserialize(value)


class _SequenceField(_Field):
    """``list[T]``, ``Sequence[T]``, ``set[T]``, ``frozenset[T]``, ``tuple[T, ...]``.

    Sets go out sorted when their items sort, so the same set always gives the same payload.
    """

    def __init__(self, item: _Field, accept: tuple[type, ...], build: type, expected: str) -> None:
        super().__init__()
        self.item = item
        self.accept = accept
        self.build = build
        self.expected = expected

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if not isinstance(value, self.accept):
            raise _mismatch(self.expected, value)
        if isinstance(value, (set, frozenset)):
            try:
                value = sorted(value)
            except TypeError:
                value = list(value)
        item = self.item
        out = []
        errors: dict[int, Any] = {}
        for index, each in enumerate(value):
            try:
                out.append(item._serialize(each, str(index), value))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)
        return out

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list):
            raise _mismatch(f"a JSON array for {self.expected}", value)
        out = []
        errors: dict[int, Any] = {}
        for index, each in enumerate(value):
            try:
                out.append(_load(self.item, each))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)
        return out if self.build is list else self.build(out)


class _TupleField(_Field):
    """``tuple[A, B]``: a JSON array of exactly those items."""

    def __init__(self, items: list[_Field], expected: str) -> None:
        super().__init__()
        self.items = items
        self.expected = expected

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if not isinstance(value, tuple) or len(value) != len(self.items):
            raise _mismatch(self.expected, value)
        out = []
        errors: dict[int, Any] = {}
        for index, (field, each) in enumerate(zip(self.items, value, strict=True)):
            try:
                out.append(field._serialize(each, str(index), value))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)
        return out

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list) or len(value) != len(self.items):
            raise _mismatch(f"a JSON array for {self.expected}", value)
        out = []
        errors: dict[int, Any] = {}
        for index, (field, each) in enumerate(zip(self.items, value, strict=True)):
            try:
                out.append(_load(field, each))
            except ValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise ValidationError(errors)
        return tuple(out)


class _MappingField(_Field):
    """``dict[K, V]``: a JSON object. Keys other than ``str`` travel as their JSON text
    (``dict[int, str]`` keys as ``"1"``) and are decoded back with the key's codec."""

    def __init__(self, key: Any, value: _Field, expected: str) -> None:
        super().__init__()
        self.key_hint = key
        self.key_is_str = key is str or key is Any
        self.key = None if self.key_is_str else _field_for(key)
        self.value = value
        self.expected = expected

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if not isinstance(value, Mapping):
            raise _mismatch(self.expected, value)
        out = {}
        errors: dict[str, Any] = {}
        item = self.value
        for key, each in value.items():
            if self.key is None:
                if not isinstance(key, str):
                    errors[str(key)] = [
                        f"dict keys must be str here, got {type(key).__qualname__} {key!r}; "
                        "annotate the key type, e.g. dict[int, str]"
                    ]
                    continue
                text = key
            else:
                try:
                    encoded = self.key._serialize(key, None, value)
                except ValidationError as exc:
                    errors[str(key)] = [f"key: {m}" for m in _flatten_text(exc.messages)]
                    continue
                text = encoded if isinstance(encoded, str) else dumps(encoded)
            try:
                out[text] = item._serialize(each, key, value)
            except ValidationError as exc:
                errors[text] = exc.messages
        if errors:
            raise ValidationError(errors)
        return out

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _mismatch(f"a JSON object for {self.expected}", value)
        out = {}
        errors: dict[str, Any] = {}
        for text, each in value.items():
            try:
                key = text if self.key is None else self._load_key(text)
                out[key] = _load(self.value, each)
            except ValidationError as exc:
                errors[text] = exc.messages
        if errors:
            raise ValidationError(errors)
        return out

    def _load_key(self, text: str) -> Any:
        assert self.key is not None
        try:
            return _load(self.key, text)
        except ValidationError:
            try:
                return _load(self.key, loads(text))
            except ValueError:
                raise ValidationError(f"key {text!r} is not a {self.expected} key") from None


def _flatten_text(messages: Any) -> list[str]:
    return [m for _, m in _flatten(messages)]


class _UnionField(_Field):
    """``A | B``: the value must be an instance of one member; it travels in the tagged form."""

    def __init__(self, members: tuple[Any, ...], expected: str) -> None:
        super().__init__()
        found = [_runtime_types(m) for m in members]
        self.types: tuple[type, ...] | None = (
            None if any(t is None for t in found) else tuple(c for t in found for c in t or ())
        )
        self.expected = expected

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        accept = self.types
        if accept is not None and (
            not isinstance(value, accept) or (type(value) is bool and bool not in accept)
        ):
            raise _mismatch(self.expected, value)
        try:
            return encode_any(value)
        except SerializationError as exc:
            raise ValidationError(_untyped_message(exc)) from None

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return decode_any(value)
        except SerializationError as exc:
            raise ValidationError(str(exc)) from None


def _runtime_types(hint: Any) -> tuple[type, ...] | None:
    """The classes an ``isinstance`` check for ``hint`` accepts, or None for anything."""
    if hint is Any or hint is object:
        return None
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _runtime_types(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[type] = []
        for member in typing.get_args(hint):
            found = _runtime_types(member)
            if found is None:
                return None
            out.extend(found)
        return tuple(out)
    if origin is typing.Literal:
        return tuple({type(v) for v in typing.get_args(hint)})
    if hint is None or hint is type(None):
        return (type(None),)
    if hint is float:
        return (float, int)
    if isinstance(origin, type):
        return (origin,)
    if isinstance(hint, type):
        return (hint,)
    return None


class _LiteralField(_Field):
    """``Literal["a", "b"]``: one of the listed values."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        super().__init__()
        self.values = values
        self.expected = " | ".join(repr(v) for v in values)

    def _check(self, value: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if any(type(value) is type(v) and value == v for v in self.values):
            return value
        raise _mismatch(f"one of {self.expected}", value)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return self._check(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return self._check(value)


class _DataclassField(_Field):
    """A dataclass as a JSON object, field by field, with errors keyed by field name."""

    def __init__(self, cls: type, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cls = cls
        self.expected = cls.__qualname__
        hints = typing.get_type_hints(cls, include_extras=True)
        self.members = [
            (f.name, _field_for(hints.get(f.name, Any)), f.init) for f in dataclasses.fields(cls)
        ]

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None and self.allow_none:
            return None
        if not isinstance(value, self.cls):
            raise _mismatch(self.cls.__qualname__, value)
        out = {}
        errors: dict[str, Any] = {}
        for name, field, _ in self.members:
            try:
                out[name] = field._serialize(getattr(value, name), name, value)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return out

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError(f"expected an object for {self.cls.__qualname__}")
        values: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, field, init in self.members:
            if not init:
                continue
            if name not in value:
                default = next(f for f in dataclasses.fields(self.cls) if f.name == name)
                if (
                    default.default is dataclasses.MISSING
                    and default.default_factory is dataclasses.MISSING
                ):
                    errors[name] = ["Missing data for required field."]
                continue
            try:
                values[name] = _load(field, value[name])
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return self.cls(**values)


class _SchemaObjectField(fields.Nested):
    """A class described by a marshmallow Schema; loads to the class if the schema gives a dict."""

    def __init__(self, schema: Any, cls: type | None, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.cls = cls

    def _serialize(  # type: ignore[override]
        self, nested_obj: Any, attr: Any, obj: Any, **kwargs: Any
    ) -> Any:
        if nested_obj is None and self.allow_none:
            return None
        if self.cls is not None and not isinstance(nested_obj, self.cls):
            raise _mismatch(self.cls.__qualname__, nested_obj)
        message = forgot_await(nested_obj)
        if message is not None:
            raise ValidationError(message)
        return super()._serialize(nested_obj, attr, obj, **kwargs)  # type: ignore[no-untyped-call]

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: Any, data: Any, **kwargs: Any
    ) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        if self.cls is not None and isinstance(loaded, dict) and not issubclass(self.cls, dict):
            return self.cls(**loaded)
        return loaded


def _schema_of(cls: Any) -> Schema | None:
    if not isinstance(cls, type):
        return None
    candidate = getattr(cls, "__marshmallow_schema__", None) or getattr(cls, "Schema", None)
    if isinstance(candidate, type) and issubclass(candidate, Schema):
        return candidate()
    if isinstance(candidate, Schema):
        return candidate
    return None


def _simple_field(hint: type) -> _Field | None:
    """The field for a scalar class (or a subclass of one), or None."""
    for base in type.mro(hint):
        if base is bool:
            return _ScalarField((bool,), "bool")
        if base is int:
            return _ScalarField((int,), "int")
        if base is float:
            return _ScalarField((float, int), "float")
        if base is str:
            return _ScalarField((str,), "str")
        if base is dt.datetime:
            return _Checked(fields.DateTime(format="iso"), (dt.datetime,), "datetime")
        if base is dt.date:
            return _Checked(fields.Date(), (dt.date,), "date", reject=(dt.datetime,))
        if base is dt.time:
            return _Checked(fields.Time(), (dt.time,), "time")
        if base is decimal.Decimal:
            return _Checked(fields.Decimal(as_string=True), (decimal.Decimal,), "Decimal")
        if base is uuid.UUID:
            return _Checked(fields.UUID(), (uuid.UUID,), "UUID")
        if base is bytes:
            return _BytesField()
        if base is dict:
            return _MappingField(str, _AnyField(allow_none=True), "dict")
        if base is tuple:  # untyped items: the tagged form, as before (existing payloads)
            return _Checked(_AnyField(), (tuple,), "tuple")
        if base in (list, set, frozenset):
            return _field_for(base[Any])
    return None


def _field_for(hint: Any) -> _Field:
    """A marshmallow field that (de)serializes values of ``hint``, checking their types."""
    if hint is Any or hint is inspect.Parameter.empty or hint is object:
        return _AnyField(allow_none=True)
    if hint is None or hint is type(None):
        return _LiteralField((None,))
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        for extra in args[1:]:
            schema = extra() if isinstance(extra, type) and issubclass(extra, Schema) else extra
            if isinstance(schema, Schema):
                return _SchemaObjectField(schema, args[0] if isinstance(args[0], type) else None)
        return _field_for(args[0])
    if origin is typing.Literal:
        return _LiteralField(args)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            field = _field_for(members[0])
        else:
            field = _UnionField(tuple(members), _hint_name(hint))
        field.allow_none = len(members) < len(args)
        return field
    name = _hint_name(hint)
    if origin in (list, Sequence, set, frozenset) or (origin is tuple and args[-1:] == (...,)):
        item = _field_for(args[0]) if args else _AnyField(allow_none=True)
        if origin is list:
            return _SequenceField(item, (list,), list, name)
        if origin is Sequence:
            return _SequenceField(item, (list, tuple), list, name)
        if origin is tuple:
            return _SequenceField(item, (tuple,), tuple, name)
        return _SequenceField(item, (set, frozenset), origin, name)
    if origin is tuple:
        return _TupleField([_field_for(a) for a in args], name)
    if origin in (dict, Mapping):
        key, value = (args + (Any, Any))[:2] if args else (Any, Any)
        return _MappingField(key, _field_for(value), name)
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return _Checked(fields.Enum(hint), (hint,), hint.__qualname__)
        schema = _schema_of(hint)
        if schema is not None:
            return _SchemaObjectField(schema, hint)
        if dataclasses.is_dataclass(hint):
            return _DataclassField(hint)
        if issubclass(hint, Schema):
            return _SchemaObjectField(hint(), None)
        simple = _simple_field(hint)
        if simple is not None:
            return simple
    return _AnyField(allow_none=True)


class Codec:
    """Encodes values of one type hint to JSON-ready data and decodes them back.

    >>> import datetime; c = codec_for(datetime.date)
    >>> c.decode(c.encode(datetime.date(2024, 1, 2)))
    datetime.date(2024, 1, 2)
    """

    __slots__ = ("hint", "_field", "_native")

    def __init__(self, hint: Any) -> None:
        self.hint = hint
        self._field = _field_for(hint)
        self._native: tuple[type, ...] | None = _native_types(hint)

    def encode(self, value: Any, what: str = "value") -> Any:
        """JSON-ready data for ``value``; ``SerializationError`` naming the field if impossible."""
        native = self._native
        if native is not None and type(value) in native:
            return value
        try:
            return self._field.serialize("value", {"value": value})
        except ValidationError as exc:
            pairs = _flatten(exc.messages)
            raise SerializationError(
                f"cannot encode {what}: {_describe(pairs)}", path=(pairs[0][0] or None)
            ) from None
        except SerializationError as exc:
            raise SerializationError(f"cannot encode {what}: {exc}", path=exc.path) from None
        except (TypeError, ValueError, AttributeError, decimal.InvalidOperation) as exc:
            raise SerializationError(
                f"cannot encode {what}: {type(value).__name__} value {value!r} does not match "
                f"the declared type {_hint_name(self.hint)} ({exc})"
            ) from None

    def decode(self, data: Any, what: str = "value") -> Any:
        """The value for JSON data ``data``; ``SerializationError`` naming the field if invalid."""
        native = self._native
        if native is not None and type(data) in native:
            return data
        try:
            return self._field.deserialize(data)
        except ValidationError as exc:
            raise _validation_error(what, exc) from None


def _native_types(hint: Any) -> tuple[type, ...] | None:
    """Types whose values pass through unchanged (the fast path), or None."""
    if hint is str:
        return (str,)
    if hint is int:
        return (int,)
    if hint is float:
        return (float, int)
    if hint is bool:
        return (bool,)
    if hint is None or hint is type(None):
        return (type(None),)
    if hint is Any or hint is inspect.Parameter.empty:
        return (str, int, float, bool, type(None))
    return None


def _hint_name(hint: Any) -> str:
    """A type hint as code spells it: ``Order``, ``list[int]``, ``int | str``."""
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__qualname__
    return repr(hint).replace("typing.", "")


_CODECS: dict[Any, Codec] = {}


def codec_for(hint: Any) -> Codec:
    """The (cached) codec for a type hint."""
    try:
        return _CODECS[hint]
    except KeyError:
        pass
    except TypeError:  # unhashable hint
        return Codec(hint)
    codec = _CODECS[hint] = Codec(hint)
    return codec


class ArgumentsCodec:
    """Encodes a call's arguments as one JSON object keyed by parameter name, and back.

    Interoperable on purpose: another SWF client can start ``greet`` with ``{"name": "x"}``.
    """

    def __init__(self, signature: inspect.Signature, hints: Mapping[str, Any], what: str) -> None:
        self.signature = signature
        self.what = what
        self._params: list[tuple[str, inspect._ParameterKind, Codec]] = []
        for name, param in signature.parameters.items():
            hint = hints.get(name, Any)
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                hint = list[hint]  # type: ignore[valid-type]
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                hint = dict[str, hint]  # type: ignore[valid-type]
            self._params.append((name, param.kind, codec_for(hint)))
        self._names = frozenset(name for name, _, _ in self._params)
        self._keywords = frozenset(
            name
            for name, kind, _ in self._params
            if kind in (_POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        )
        """Names a ``**extra`` key may not take: Python would bind it to the parameter."""
        self._rest = next((name for name, kind, _ in self._params if kind is _VAR_POSITIONAL), None)
        self._plain: tuple[tuple[str, tuple[type, ...]], ...] | None = None
        """(name, native types) of every parameter when all are named (not positional-only, not
        ``*rest`` or ``**extra``) and take values as decoded: :meth:`decode`'s fast path."""
        plain = [
            (name, codec._native)
            for name, kind, codec in self._params
            if kind in (_POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
            and codec._native is not None
        ]
        if len(plain) == len(self._params):
            self._plain = tuple(plain)

    def encode(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """JSON-ready object for bound arguments (``BoundArguments.arguments``)."""
        out = {}
        for name, kind, codec in self._params:
            if name in arguments:
                value = arguments[name]
                if kind is _VAR_POSITIONAL and type(value) is tuple:
                    value = list(value)  # bind() gives *rest as a tuple; its codec is list[T]
                native = codec._native
                if native is not None and type(value) in native:
                    out[name] = value  # the fast path of codec.encode, without naming the field
                else:
                    out[name] = codec.encode(value, f"{self.what} argument '{name}'")
        return out

    def decode(self, data: Any) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments for a JSON object made by :meth:`encode`.

        Named parameters go as keywords, except before a non-empty ``*rest``: then every
        parameter ahead of it goes positionally (a missing one as its default), since
        ``f(2, 3, a=1)`` cannot mean ``f(1, 2, 3)``.
        """
        plain = self._plain
        if plain is not None and type(data) is dict and len(data) == len(plain):
            # Every parameter given (no defaults to fill), each a native value: all keywords.
            for name, accept in plain:
                if name not in data or type(data[name]) not in accept:
                    break
            else:
                return [], dict(data)
        if data is None:
            data = {}
        if type(data) is list:
            data = self._by_position(data)
        if type(data) is not dict and not isinstance(data, Mapping):
            raise SerializationError(
                f"cannot decode {self.what} input: expected a JSON object of arguments, "
                f"got {type(data).__name__}"
            )
        if not self._names.issuperset(data):
            unknown = set(data) - self._names
            raise SerializationError(
                f"cannot decode {self.what} input: unexpected argument(s) {sorted(unknown)}",
                path=sorted(unknown)[0],
            )
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        rest = self._rest
        spread = rest is not None and bool(data.get(rest))
        for name, kind, codec in self._params:
            if name not in data:
                param = self.signature.parameters[name]
                if param.default is inspect.Parameter.empty and kind not in (
                    inspect.Parameter.VAR_POSITIONAL,
                    inspect.Parameter.VAR_KEYWORD,
                ):
                    raise SerializationError(
                        f"cannot decode {self.what} input: missing argument '{name}'", path=name
                    )
                if spread and kind is _POSITIONAL_OR_KEYWORD:
                    args.append(param.default)  # a later *rest needs this slot filled
                continue
            value = data[name]
            native = codec._native
            try:
                if native is None or type(value) not in native:
                    value = codec.decode(value, f"{self.what} argument '{name}'")
            except SerializationError as exc:
                path = _join(name, exc.path) if exc.path and exc.path != name else name
                raise SerializationError(str(exc), path=path) from None
            if kind is _POSITIONAL_OR_KEYWORD:
                if spread:
                    args.append(value)
                else:
                    kwargs[name] = value
            elif kind is _POSITIONAL_ONLY:
                args.append(value)
            elif kind is _VAR_POSITIONAL:
                args.extend(value)
            elif kind is _VAR_KEYWORD:
                clash = self._keywords.intersection(value)
                if clash:
                    raise SerializationError(
                        f"cannot decode {self.what} input: {sorted(clash)[0]!r} given both as a "
                        f"parameter and in {name!r}",
                        path=_join(name, sorted(clash)[0]),
                    )
                kwargs.update(value)
            else:
                kwargs[name] = value
        return args, kwargs

    def _by_position(self, values: list[Any]) -> dict[str, Any]:
        """A JSON array of arguments (what calls by name and foreign clients may send) as the
        object :meth:`encode` makes: values matched to the parameters in order."""
        named = [
            (name, kind)
            for name, kind, _ in self._params
            if kind in (_POSITIONAL_ONLY, _POSITIONAL_OR_KEYWORD, _VAR_POSITIONAL)
        ]
        if named and named[-1][1] is _VAR_POSITIONAL:
            fixed = len(named) - 1
            data = dict(zip((name for name, _ in named[:fixed]), values[:fixed], strict=False))
            if len(values) > fixed:
                data[named[-1][0]] = values[fixed:]
            return data
        if len(values) > len(named):
            raise SerializationError(
                f"cannot decode {self.what} input: a JSON array of {len(values)} arguments, "
                f"but it takes at most {len(named)} positionally"
            )
        return dict(zip((name for name, _ in named), values, strict=False))


_POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD
