"""Parsing a decision task's history events about five times cheaper than botocore, to the
same dicts.

Measured on a 1,000-event page: botocore's JSON parser spends about 50 us per event,
``json.loads`` alone 2-5 us, and replaying the event 2-5 us. botocore walks the *model*: for
every event it visits all 57 members of ``HistoryEvent`` to find the two or three present, and
builds a new ``tzlocal()`` for every timestamp, which then converts in Python. So without the
sticky cache (a decider restarted, or runs spread over many deciders) parsing the history was
three quarters of a decision task's CPU (``python -m benchmarks.swf --profile``); this parser
takes about 10 us per event.

:func:`install` registers a handler for botocore's ``before-parse`` event of
``PollForDecisionTask`` and ``GetWorkflowExecutionHistory`` on a boto3 SWF client. The handler
takes ``events`` out of the response body, converts them with a parser compiled from the same
botocore model (walking the keys *present*: unknown keys and nulls dropped, timestamps to
``datetime`` in local time, everything else as JSON gave it, exactly as botocore's JSON parser
does), and hands them back through ``customized_response_dict``, which botocore merges into
its own parse of the rest of the body. The result equals botocore's (``==``; only the order of
keys inside an event may differ), so boto3's documented response shapes hold; the tests
compare both parsers on every event type. Anything unexpected (an error response, a body that
is not a JSON object, an event that does not fit the model) leaves the body alone and
botocore parses it, raising its own errors.

The one difference: a botocore session configured with its own timestamp parser
(``response_parser_factory.set_parser_defaults``) still gets ``datetime`` objects in
``eventTimestamp``. Pass ``fast_history=False`` to the decision worker to keep such a parser.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from typing import Any

from botocore.utils import get_tzinfo_options, parse_timestamp

__all__ = ["install", "parser_for"]

OPERATIONS = ("PollForDecisionTask", "GetWorkflowExecutionHistory")
"""The responses whose ``events`` the fast path parses."""

Convert = Callable[[Any, Any], Any]
"""``(raw JSON value, timestamp parser) -> botocore's value``; None means the value as is."""

_SCALARS = frozenset({"string", "integer", "long", "boolean", "double", "float", "character"})


class _Unsupported(Exception):
    """A shape the compiled parser does not handle (blobs, documents, unions): botocore's."""


def install(client: Any) -> bool:
    """Make ``client`` parse history events the cheap way; False if it is not a botocore SWF
    client speaking JSON (then nothing changes). Installing twice is harmless."""
    meta = getattr(client, "meta", None)
    events = getattr(meta, "events", None)
    model: Any = getattr(meta, "service_model", None)
    register = getattr(events, "register", None)
    if register is None or model is None or getattr(model, "service_name", None) != "swf":
        return False
    if getattr(model, "protocol", None) != "json":
        return False
    service = model.service_id.hyphenize()
    for operation in OPERATIONS:
        try:
            parse = parser_for(model.operation_model(operation).output_shape.members["events"])
        except (_Unsupported, KeyError):
            return False
        register(
            f"before-parse.{service}.{operation}",
            _handler(parse),
            unique_id=f"swfobjects-history-parser-{operation}",
        )
    return True


def parser_for(shape: Any) -> Callable[[Any], Any]:
    """A function turning the JSON value of ``shape`` into what botocore's parser returns."""
    convert = _compile(shape, {})
    if convert is None:
        return lambda value: value

    def parse(value: Any) -> Any:
        return convert(value, _timestamps())

    return parse


def _handler(parse: Callable[[Any], Any]) -> Callable[..., None]:
    def before_parse(
        response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
    ) -> None:
        if response_dict.get("status_code") != 200:
            return
        try:
            data = json.loads(response_dict["body"])
            raw = data.pop("events")
            events = parse(raw)
        except Exception:
            return  # not what SWF sends: botocore's parser says what is wrong
        customized_response_dict["events"] = events
        response_dict["body"] = json.dumps(data).encode()

    return before_parse


def _compile(shape: Any, done: dict[str, Convert | None]) -> Convert | None:
    kind = shape.type_name
    if kind in _SCALARS:
        return None
    if kind == "timestamp":
        return _timestamp
    if kind == "list":
        return _list(_compile(shape.member, done))
    if kind == "map":
        return _map(_compile(shape.key, done), _compile(shape.value, done))
    if kind != "structure" or shape.is_document_type or shape.is_tagged_union:
        raise _Unsupported(f"{shape.name}: {kind}")
    if shape.name in done:  # shared shapes (TaskList...) compile once
        compiled = done[shape.name]
        if compiled is None:  # SWF's shapes are not recursive; a future one would be here
            raise _Unsupported(f"{shape.name}: recursive")
        return compiled
    done[shape.name] = None
    members = {
        member.serialization.get("name", name): (name, _compile(member, done))
        for name, member in shape.members.items()
    }
    done[shape.name] = compiled = _structure(members)
    return compiled


def _structure(members: dict[str, tuple[str, Convert | None]]) -> Convert:
    def structure(value: dict[str, Any], tz: Any) -> dict[str, Any]:
        out = {}
        for key, raw in value.items():
            member = members.get(key)
            if member is None or raw is None:
                continue
            name, convert = member
            out[name] = raw if convert is None else convert(raw, tz)
        return out

    return structure


def _list(item: Convert | None) -> Convert:
    def items(node: list[Any], tz: Any) -> list[Any]:
        if item is None:
            return list(node)
        return [None if value is None else item(value, tz) for value in node]

    return items


def _map(key: Convert | None, value: Convert | None) -> Convert:
    def mapping(node: dict[Any, Any], tz: Any) -> dict[Any, Any]:
        return {
            k if key is None else key(k, tz): v if value is None else value(v, tz)
            for k, v in node.items()
        }

    return mapping


def _timestamp(value: Any, parse: Callable[[Any], datetime.datetime]) -> datetime.datetime:
    return parse(value)


_UTC = datetime.timezone.utc


def _timestamps() -> Callable[[Any], datetime.datetime]:
    """botocore's ``parse_timestamp`` (a ``datetime`` in ``tzlocal()``), cheaper for numbers.

    botocore builds a ``tzlocal()`` per value and lets it convert (dateutil's ``fromutc``, in
    Python: 13 us, most of botocore's cost per event). Here one ``tzlocal()`` serves the whole
    response, and where local time has no daylight saving (servers usually run in UTC) the
    wall time is UTC plus the fixed offset, with that ``tzlocal()`` attached: the same
    datetime, fold included. Elsewhere ``fromtimestamp`` with the shared ``tzlocal()``.
    """
    tz = get_tzinfo_options()[0]()
    fixed = not time.daylight or time.altzone == time.timezone
    offset = datetime.timedelta(seconds=-time.timezone)
    fromtimestamp = datetime.datetime.fromtimestamp

    def parse(value: Any) -> datetime.datetime:
        if type(value) is float or type(value) is int:
            try:
                if fixed:
                    return (fromtimestamp(value, _UTC) + offset).replace(tzinfo=tz)
                return fromtimestamp(value, tz)
            except (OSError, OverflowError, ValueError):
                pass
        result: datetime.datetime = parse_timestamp(value)
        return result

    return parse
