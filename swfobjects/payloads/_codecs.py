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
_C_ENCODE: Any = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    if getattr(json.encoder, "c_make_encoder", None) is not None
    else None
)
"""The C encoder ``_ENCODER`` would build on every call, built once (every payload passes
here). It skips the circular-reference check: a cycle raises ``RecursionError`` instead."""
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def dumps(data: Any) -> str:
    """Compact JSON text (no ASCII escaping: SWF limits count characters).

    Raises ``TypeError`` for values JSON cannot hold and ``ValueError`` for NaN, infinities
    and circular structures.
    """
    if _C_ENCODE is None:
        return _ENCODER.encode(data)
    try:
        return "".join(_C_ENCODE(data, 0))
    except RecursionError:
        raise ValueError("circular reference (or nesting too deep)") from None


def loads(text: str) -> Any:
    """Parse JSON text (``ValueError`` if it is not JSON)."""
    try:
        value, end = _SCAN(text, 0)
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
    text = "; ".join(f"{p or '<value>'}: {m}" for p, m in pairs)
    return SerializationError(f"cannot decode {what}: {text}", path=first_path or None)


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
        return [encode_any(v, _join(path, i)) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: encode_any(getattr(value, f.name), _join(path, f.name))
            for f in dataclasses.fields(value)
        }
    schema = _schema_of(type(value))
    if schema is not None:
        return schema.dump(value)
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

if TYPE_CHECKING:  # marshmallow 4 types its fields as generics; 3 (also supported) does not
    _Field = fields.Field[Any]
    _List = fields.List[Any]
else:
    _Field = fields.Field
    _List = fields.List


class _AnyField(_Field):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return encode_any(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return decode_any(value)
        except SerializationError as exc:
            raise ValidationError(str(exc)) from None


class _BytesField(_Field):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray)):
            raise ValidationError(f"expected bytes, got {type(value).__name__}")
        return base64.b64encode(bytes(value)).decode("ascii")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return base64.b64decode(value, validate=True)
        except (ValueError, TypeError):
            raise ValidationError("Not valid base64 bytes.") from None


class _DataclassField(_Field):
    """A dataclass as a JSON object, field by field, with errors keyed by field name."""

    def __init__(self, cls: type, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cls = cls
        hints = typing.get_type_hints(cls, include_extras=True)
        self.members = [
            (f.name, _field_for(hints.get(f.name, Any)), f.init) for f in dataclasses.fields(cls)
        ]

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, self.cls):
            raise ValidationError(f"expected {self.cls.__qualname__}, got {type(value).__name__}")
        out = {}
        errors: dict[str, Any] = {}
        for name, field, _ in self.members:
            try:
                out[name] = field.serialize(name, value)
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
                values[name] = field.deserialize(value[name])
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return self.cls(**values)


class _TupleOfField(_List):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return tuple(super()._deserialize(value, attr, data, **kwargs))


class _SchemaObjectField(fields.Nested):
    """A class described by a marshmallow Schema; loads to the class if the schema gives a dict."""

    def __init__(self, schema: Any, cls: type | None, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.cls = cls

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


_SIMPLE_FIELDS: dict[Any, Callable[[], _Field]] = {
    str: fields.String,
    int: lambda: fields.Integer(strict=True),
    float: fields.Float,
    bool: fields.Boolean,
    dt.datetime: lambda: fields.DateTime(format="iso"),
    dt.date: fields.Date,
    dt.time: fields.Time,
    decimal.Decimal: lambda: fields.Decimal(as_string=True),
    uuid.UUID: fields.UUID,
    bytes: _BytesField,
    dict: fields.Dict,
}


def _field_for(hint: Any) -> _Field:
    """A marshmallow field that (de)serializes values of ``hint``."""
    if hint is Any or hint is inspect.Parameter.empty or hint is object:
        return _AnyField(allow_none=True)
    if hint is None or hint is type(None):
        return fields.Constant(None, allow_none=True)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        for extra in args[1:]:
            schema = extra() if isinstance(extra, type) and issubclass(extra, Schema) else extra
            if isinstance(schema, Schema):
                return _SchemaObjectField(schema, args[0] if isinstance(args[0], type) else None)
        return _field_for(args[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            field = _field_for(members[0])
            field.allow_none = True
            return field
        return _AnyField(allow_none=True)
    if origin in (list, Sequence, set, frozenset) or hint in (list, set):
        item = _field_for(args[0]) if args else _AnyField(allow_none=True)
        return fields.List(item)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _TupleOfField(_field_for(args[0]))
        if args:
            return fields.Tuple([_field_for(a) for a in args])
        return _TupleOfField(_AnyField(allow_none=True))
    if origin in (dict, Mapping):
        key, value = (args + (Any, Any))[:2] if args else (Any, Any)
        key_field = fields.String() if key in (str, Any) else _field_for(key)
        return fields.Dict(keys=key_field, values=_field_for(value))
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return fields.Enum(hint)
        schema = _schema_of(hint)
        if schema is not None:
            return _SchemaObjectField(schema, hint)
        if dataclasses.is_dataclass(hint):
            return _DataclassField(hint)
        if issubclass(hint, Schema):
            return _SchemaObjectField(hint(), None)
        for base in type.mro(hint):
            if base in _SIMPLE_FIELDS:
                return _SIMPLE_FIELDS[base]()
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
            text = "; ".join(f"{p or '<value>'}: {m}" for p, m in pairs)
            raise SerializationError(
                f"cannot encode {what}: {text}", path=(pairs[0][0] if pairs else None)
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
    return getattr(hint, "__qualname__", None) or repr(hint)


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

    def encode(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """JSON-ready object for bound arguments (``BoundArguments.arguments``)."""
        out = {}
        for name, _kind, codec in self._params:
            if name in arguments:
                value = arguments[name]
                native = codec._native
                if native is not None and type(value) in native:
                    out[name] = value  # the fast path of codec.encode, without naming the field
                else:
                    out[name] = codec.encode(value, f"{self.what} argument '{name}'")
        return out

    def decode(self, data: Any) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments for a JSON object made by :meth:`encode`."""
        if data is None:
            data = {}
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
                kwargs[name] = value
            elif kind is _POSITIONAL_ONLY:
                args.append(value)
            elif kind is _VAR_POSITIONAL:
                args.extend(value)
            elif kind is _VAR_KEYWORD:
                kwargs.update(value)
            else:
                kwargs[name] = value
        return args, kwargs


_POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD
