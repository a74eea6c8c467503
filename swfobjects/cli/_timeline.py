"""An execution's history as people read it: one line per event, and what it waits on now.

Each row says when the event happened (seconds since the run started), what it is, the
activity, timer, child, signal or marker it belongs to (SWF's later events only carry the id of
the event that scheduled them; the row resolves it), the attempt for activities retried by the
workflow (``charge-2.1`` is the second attempt of ``charge-2``), and the start of its payload.
The rows come from :mod:`swfobjects.swf.timeline`, the one reading of a history that the HTML
timeline draws too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..replay._runtime import to_datetime
from ..swf._shapes import event_attributes
from ..swf.timeline import Row, event_rows

__all__ = ["Row", "event_rows", "format_rows", "table", "waiting_on"]


def format_rows(rows: list[Row]) -> str:
    """The rows as an aligned text table with a header line."""
    header = ("ID", "+TIME", "EVENT", "FOR", "TRY", "PAYLOAD")
    lines = [
        (
            str(row.event_id),
            f"{row.seconds:.3f}s",
            row.event_type,
            row.subject,
            "" if row.attempt is None else str(row.attempt),
            row.payload,
        )
        for row in rows
    ]
    return table(header, lines)


def table(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (the last column is not padded)."""
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    out = []
    for cells in [header, *lines]:
        padded = [cell.ljust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
        out.append("  ".join([*padded, cells[-1]]).rstrip())
    return "\n".join(out)


def waiting_on(events: list[dict[str, Any]], now: dt.datetime | None = None) -> list[str]:
    """What an open run waits on: open activities, timers, children, a decision task, or
    (nothing of those) a signal or a ``wait_for`` condition."""
    activities: dict[int, str] = {}
    timers: dict[str, dt.datetime] = {}
    children: dict[str, str] = {}
    decision = ""
    since: dict[Any, dt.datetime] = {}
    names: dict[int, str] = {}
    for event in events:
        kind = event["eventType"]
        attrs = event_attributes(event)
        stamp = to_datetime(event["eventTimestamp"])
        if kind == "ActivityTaskScheduled":
            name = (attrs.get("activityType") or {}).get("name", "")
            names[event["eventId"]] = activities[event["eventId"]] = (
                f"activity {name} ({attrs.get('activityId')}) scheduled"
            )
            since[event["eventId"]] = stamp
        elif kind == "ActivityTaskStarted" and attrs.get("scheduledEventId") in activities:
            scheduled = attrs["scheduledEventId"]
            activities[scheduled] = names[scheduled].replace(
                " scheduled", f" running on {attrs.get('identity', '?')}"
            )
        elif kind.startswith("ActivityTask") and "scheduledEventId" in attrs:
            activities.pop(attrs["scheduledEventId"], None)
        elif kind == "TimerStarted":
            fire = stamp + dt.timedelta(seconds=float(attrs.get("startToFireTimeout", "0")))
            timers[attrs["timerId"]] = fire
        elif kind in ("TimerFired", "TimerCanceled"):
            timers.pop(attrs.get("timerId", ""), None)
        elif kind == "StartChildWorkflowExecutionInitiated":
            children[attrs["workflowId"]] = (attrs.get("workflowType") or {}).get("name", "")
        elif kind.startswith("ChildWorkflowExecution") and kind != "ChildWorkflowExecutionStarted":
            children.pop((attrs.get("workflowExecution") or {}).get("workflowId", ""), None)
        elif kind == "StartChildWorkflowExecutionFailed":
            children.pop(attrs.get("workflowId", ""), None)
        elif kind == "DecisionTaskScheduled":
            decision = "a decision task (scheduled, no decider has taken it)"
        elif kind == "DecisionTaskStarted":
            decision = f"a decision task (taken by {attrs.get('identity', '?')})"
        elif kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            decision = ""
    now = now or dt.datetime.now(dt.timezone.utc)
    out = [
        f"{text} {(now - since[key]).total_seconds():.0f} s ago" for key, text in activities.items()
    ]
    out += [
        f"timer {timer_id} (fires at {fire:%Y-%m-%d %H:%M:%S} UTC)"
        for timer_id, fire in timers.items()
    ]
    out += [f"child {name} ({child_id})" for child_id, name in children.items()]
    if decision:
        out.append(decision)
    return out or ["a signal or a wait_for() condition"]
