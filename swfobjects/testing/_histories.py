"""History files: SWF's own ``GetWorkflowExecutionHistory`` JSON, read from any source.

One format, SWF's: ``{"events": [...]}``. Whoever wrote the file, it reads the same:

- ``swfobjects history WORKFLOW_ID > run.json`` (timestamps as epoch seconds, as on the wire);
- ``aws swf get-workflow-execution-history ... > run.json`` (the AWS CLI follows the pages;
  version 1 prints epoch seconds, version 2 ISO 8601 strings);
- ``json.dump(handle.history(), f, default=str)`` (a bare list; ``str(datetime)`` timestamps).

A file that holds one page only (it has a ``nextPageToken``) is refused: replaying half a
history would report a mismatch that is not there.

>>> events = read_history("run.json")                          # doctest: +SKIP
>>> write_history(handle.history(), open("run.json", "w"))     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from typing import IO, Any

from ..exceptions import HistoryFileError

__all__ = ["history_document", "history_events", "read_history", "write_history"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def read_history(source: str | os.PathLike[str] | IO[str]) -> list[dict[str, Any]]:
    """The events of the history file ``source`` (a path or an open text file), oldest first."""
    name = str(source.name if hasattr(source, "read") else os.fspath(source))  # type: ignore[union-attr]
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, encoding="utf-8") as file:
                data = json.load(file)
        else:
            data = json.load(source)
    except OSError as exc:
        raise HistoryFileError(f"cannot read history file {name}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise HistoryFileError(
            f'{name} is not JSON ({exc}); expected {{"events": [...]}}'
        ) from None
    return history_events(data, str(name))


def history_events(data: Any, name: str = "history") -> list[dict[str, Any]]:
    """Events from a decoded history: ``{"events": [...]}`` or a bare list of events.

    Timestamps become aware datetimes, as boto3 gives them; events are put in ``eventId``
    order (``--reverse-order`` files read the same).
    """
    if isinstance(data, Mapping):
        if data.get("nextPageToken"):
            raise HistoryFileError(
                f"{name} holds one page of a history (it has a nextPageToken); save the whole "
                "history with `swfobjects history WORKFLOW_ID` or `aws swf "
                "get-workflow-execution-history` (which follows the pages)"
            )
        if "events" not in data:
            keys = ", ".join(sorted(map(str, data))) or "none"
            raise HistoryFileError(
                f"{name} has no 'events' (its keys: {keys}); expected the JSON of "
                'GetWorkflowExecutionHistory: {"events": [...]}'
            )
        data = data["events"]
    if not isinstance(data, list):
        raise HistoryFileError(
            f'{name} is a {type(data).__name__}; expected {{"events": [...]}} or a list of events'
        )
    events = [_event(event, index, name) for index, event in enumerate(data)]
    events.sort(key=lambda event: event["eventId"])
    return events


def _event(event: Any, index: int, name: str) -> dict[str, Any]:
    where = f"{name}: event #{index + 1}"
    if not isinstance(event, Mapping):
        raise HistoryFileError(f"{where} is a {type(event).__name__}, not an object")
    missing = [key for key in ("eventId", "eventType", "eventTimestamp") if key not in event]
    if missing:
        raise HistoryFileError(f"{where} lacks {', '.join(missing)}")
    if not isinstance(event["eventId"], int) or isinstance(event["eventId"], bool):
        raise HistoryFileError(f"{where}: eventId must be an integer, not {event['eventId']!r}")
    return dict(event, eventTimestamp=_timestamp(event["eventTimestamp"], where))


def _timestamp(value: Any, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _EPOCH + dt.timedelta(seconds=float(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            return _EPOCH + dt.timedelta(seconds=float(text))
        except ValueError:
            pass
        try:
            stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
    raise HistoryFileError(
        f"{where}: eventTimestamp {value!r} is neither epoch seconds nor an ISO 8601 time"
    )


def history_document(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"events": [...]}`` with epoch-second timestamps: what the SWF API itself sends."""
    out = []
    for event in events:
        stamp = event.get("eventTimestamp")
        if isinstance(stamp, dt.datetime):
            aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
            event = dict(event, eventTimestamp=round((aware - _EPOCH).total_seconds(), 6))
        out.append(dict(event))
    return {"events": out}


def write_history(events: Iterable[Mapping[str, Any]], file: IO[str]) -> None:
    """Write ``events`` to ``file`` as a history file (see :func:`history_document`)."""
    json.dump(history_document(events), file, indent=1)
    file.write("\n")
