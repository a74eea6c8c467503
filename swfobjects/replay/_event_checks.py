"""Telling a malformed history event from a valid one, and saying what is wrong with it.

Replay must raise only library errors, whatever history it is given: a history altered by a
proxy, a hand-edited recording or a bug elsewhere is a :class:`HistoryError` naming the event
id and the field, never a ``KeyError`` from deep inside the decider. Checking every attribute
of every event would cost a good share of replay time, so the checks are split by cost:

- the hot events (``ActivityTaskScheduled``, ``ActivityTaskCompleted``) are read as they are;
  a missing or wrongly typed attribute raises some ``KeyError``/``TypeError``, which the
  decider turns into a :class:`HistoryError` with :func:`history_error` (a ``try`` costs
  nothing until it catches), and only then is the event compared with :data:`FIELDS` to name
  the field;
- the others are rare, so :func:`checked` wraps their handlers to compare the event with
  :data:`FIELDS` before applying it: a wrong type that would not raise (a ``result`` that is a
  number, a ``timerId`` that is an int) is caught too.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..exceptions import HistoryError, SwfObjectsError
from ..swf._shapes import event_attributes_key

__all__ = ["FIELDS", "check_event", "check_timestamp", "checked", "history_error"]

_INT = (int,)
_STR = (str,)
_DICT = (dict,)

Field = tuple[str, tuple[type, ...], bool]
"""(dotted attribute path, accepted types, required)."""

_ACTIVITY_CLOSED: tuple[Field, ...] = (
    ("scheduledEventId", _INT, True),
    ("details", _STR, False),
)
_CHILD_CLOSED: tuple[Field, ...] = (
    ("initiatedEventId", _INT, True),
    ("workflowExecution", _DICT, False),
    ("workflowExecution.workflowId", _STR, False),
    ("workflowExecution.runId", _STR, False),
    ("reason", _STR, False),
    ("details", _STR, False),
    ("timeoutType", _STR, False),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "WorkflowExecutionStarted": (("input", _STR, False),),
    "ActivityTaskScheduled": (
        ("activityId", _STR, True),
        ("activityType", _DICT, True),
        ("activityType.name", _STR, True),
        ("activityType.version", _STR, True),
    ),
    "ScheduleActivityTaskFailed": (("activityId", _STR, True), ("cause", _STR, False)),
    "ActivityTaskCompleted": (("scheduledEventId", _INT, True), ("result", _STR, False)),
    "ActivityTaskFailed": (*_ACTIVITY_CLOSED, ("reason", _STR, False)),
    "ActivityTaskTimedOut": (*_ACTIVITY_CLOSED, ("timeoutType", _STR, False)),
    "ActivityTaskCanceled": _ACTIVITY_CLOSED,
    "TimerStarted": (("timerId", _STR, True),),
    "TimerFired": (("timerId", _STR, True),),
    "StartTimerFailed": (("timerId", _STR, True), ("cause", _STR, False)),
    "TimerCanceled": (("timerId", _STR, True),),
    "CancelTimerFailed": (("timerId", _STR, True),),
    "ActivityTaskCancelRequested": (("activityId", _STR, True),),
    "RequestCancelActivityTaskFailed": (("activityId", _STR, True),),
    "MarkerRecorded": (("markerName", _STR, True), ("details", _STR, False)),
    "RecordMarkerFailed": (("markerName", _STR, True),),
    "StartChildWorkflowExecutionInitiated": (
        ("workflowId", _STR, True),
        ("workflowType", _DICT, True),
        ("workflowType.name", _STR, True),
    ),
    "StartChildWorkflowExecutionFailed": (
        ("workflowId", _STR, True),
        ("initiatedEventId", _INT, False),
        ("cause", _STR, False),
    ),
    "ChildWorkflowExecutionStarted": (
        ("initiatedEventId", _INT, True),
        ("workflowExecution", _DICT, True),
        ("workflowExecution.runId", _STR, True),
    ),
    "ChildWorkflowExecutionCompleted": (
        ("initiatedEventId", _INT, True),
        ("result", _STR, False),
    ),
    "ChildWorkflowExecutionFailed": _CHILD_CLOSED,
    "ChildWorkflowExecutionTimedOut": _CHILD_CLOSED,
    "ChildWorkflowExecutionCanceled": _CHILD_CLOSED,
    "ChildWorkflowExecutionTerminated": _CHILD_CLOSED,
    "RequestCancelExternalWorkflowExecutionInitiated": (("workflowId", _STR, True),),
    "RequestCancelExternalWorkflowExecutionFailed": (("workflowId", _STR, True),),
    "WorkflowExecutionSignaled": (("signalName", _STR, True), ("input", _STR, False)),
    "SignalExternalWorkflowExecutionInitiated": (("control", _STR, False),),
    "ExternalWorkflowExecutionSignaled": (("initiatedEventId", _INT, True),),
    "SignalExternalWorkflowExecutionFailed": (
        ("initiatedEventId", _INT, False),
        ("workflowId", _STR, False),
        ("control", _STR, False),
        ("cause", _STR, False),
    ),
    "DecisionTaskCompleted": (("startedEventId", _INT, False),),
}
"""The attributes replay reads, per event type: SWF's types, and whether SWF always sends them.

``bool`` is refused where an ``int`` is expected (``True`` is an int to Python, not to SWF).
"""

_MIN_TIMESTAMP = -62_135_596_800.0
"""0001-01-01 in epoch seconds: the earliest time a ``datetime`` holds."""
_MAX_TIMESTAMP = 253_402_300_799.0
"""9999-12-31 23:59:59 in epoch seconds: the latest."""


def _label(event: Any) -> tuple[str, int | None]:
    """``"history event 7 (TimerFired)"`` and the event id, for whatever ``event`` is."""
    if not isinstance(event, Mapping):
        return f"history event {event!r:.60}", None
    event_id = event.get("eventId")
    usable = event_id if type(event_id) is int else None
    event_type = event.get("eventType")
    kind = f" ({event_type})" if isinstance(event_type, str) else ""
    return f"history event {event_id!r:.40}{kind}", usable


def problem(event: Any) -> tuple[str, str] | None:
    """(field, what is wrong) for the first problem :data:`FIELDS` finds in ``event``, or None."""
    if not isinstance(event, Mapping):
        return "event", f"is {type(event).__name__}, not an object"
    event_id = event.get("eventId")
    if type(event_id) is not int:
        return "eventId", _wrong(event_id, "an integer")
    event_type = event.get("eventType")
    if not isinstance(event_type, str):
        return "eventType", _wrong(event_type, "a string")
    key = event_attributes_key(event_type) if event_type else "eventAttributes"
    fields = FIELDS.get(event_type, ())
    attrs = event.get(key)
    if attrs is None:
        if any(required for _, _, required in fields):
            return key, "is missing"
        return None
    if not isinstance(attrs, Mapping):
        return key, _wrong(attrs, "an object")
    for path, types, required in fields:
        value: Any = attrs
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            if required:
                return f"{key}.{path}", "is missing"
        elif type(value) not in types:
            return f"{key}.{path}", _wrong(value, " or ".join(_names(types)))
    return None


def _names(types: tuple[type, ...]) -> list[str]:
    return [
        {"int": "an integer", "str": "a string", "dict": "an object"}[t.__name__] for t in types
    ]


def _wrong(value: Any, expected: str) -> str:
    if value is None:
        return "is missing"
    return f"is {value!r:.60} ({type(value).__name__}), not {expected}"


def check_event(event: Any) -> None:
    """Raise :class:`HistoryError` if ``event`` does not have the shape :data:`FIELDS` says."""
    found = problem(event)
    if found is not None:
        field, wrong = found
        label, event_id = _label(event)
        raise HistoryError(
            f"{label} is malformed: {field} {wrong}; a history from SWF never looks like "
            "this, so check what produced or altered these events",
            event_id,
            field,
        )


def check_timestamp(event: dict[str, Any]) -> None:
    """Raise :class:`HistoryError` unless ``event`` has a usable ``eventTimestamp``.

    Workflow code reads the decision's event time (``self.now()``); an unusable one must fail
    the decision task here rather than the workflow when the code asks for the time.
    """
    value: Any = event.get("eventTimestamp")
    if isinstance(value, dt.datetime):
        return
    if type(value) in (int, float) and _MIN_TIMESTAMP <= value <= _MAX_TIMESTAMP:
        return
    label, event_id = _label(event)
    raise HistoryError(
        f"{label} is malformed: eventTimestamp {_wrong(value, 'a time (epoch seconds)')}",
        event_id,
        "eventTimestamp",
    )


def history_error(
    error: BaseException, event: Any = None, events: list[Any] | None = None
) -> SwfObjectsError:
    """The library error for ``error``, raised while applying ``event`` (or one of ``events``).

    Library errors pass unchanged. For anything else the event is checked against
    :data:`FIELDS` to name the field; if it looks valid, the message names the event and the
    original error (kept as ``__cause__`` by the caller's ``raise ... from``).
    """
    if isinstance(error, SwfObjectsError):
        return error
    candidates = [event, *(events or ())] if event is not None else list(events or ())
    for candidate in candidates:
        try:
            check_event(candidate)
        except HistoryError as found:
            return found
    label, event_id = _label(event) if event is not None else ("a history event", None)
    return HistoryError(
        f"{label} could not be replayed ({type(error).__name__}: {error}); it does not fit the "
        "events before it (a duplicated, missing or altered event?)",
        event_id,
    )


Handler = TypeVar("Handler", bound=Callable[[Any, dict[str, Any], dict[str, Any]], None])


def checked(handler: Handler) -> Handler:
    """``handler(owner, event, attrs)``, applied only to events :func:`check_event` accepts."""

    @functools.wraps(handler)
    def apply(owner: Any, event: dict[str, Any], attrs: dict[str, Any]) -> None:
        check_event(event)
        handler(owner, event, attrs)

    return apply  # type: ignore[return-value]
