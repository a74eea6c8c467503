"""The history table and "waiting on" of ``swfobjects show``, on hand-written histories."""

from __future__ import annotations

import datetime as dt
from typing import Any

from swfobjects.cli._timeline import event_rows, format_rows, waiting_on

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _event(event_id: int, seconds: float, kind: str, **attrs: Any) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventAttributes"
    return {
        "eventId": event_id,
        "eventType": kind,
        "eventTimestamp": T0 + dt.timedelta(seconds=seconds),
        key: attrs,
    }


HISTORY = [
    _event(
        1,
        0,
        "WorkflowExecutionStarted",
        workflowType={"name": "Shop", "version": "2"},
        input='{"order": 1}',
    ),
    _event(
        2,
        1,
        "ActivityTaskScheduled",
        activityId="3",
        activityType={"name": "W.charge"},
        input="x" * 100,
    ),
    _event(3, 1.5, "ActivityTaskStarted", scheduledEventId=2, identity="host:1"),
    _event(4, 2, "ActivityTaskFailed", scheduledEventId=2, startedEventId=3, reason="E: boom"),
    _event(5, 3, "ActivityTaskScheduled", activityId="3.1", activityType={"name": "W.charge"}),
    _event(6, 3.5, "ActivityTaskStarted", scheduledEventId=5, identity="host:2"),
    _event(7, 4, "TimerStarted", timerId="t1", startToFireTimeout="60"),
    _event(
        8,
        5,
        "StartChildWorkflowExecutionInitiated",
        workflowId="run-1",
        workflowType={"name": "Child", "version": "1"},
    ),
    _event(
        9,
        6,
        "ChildWorkflowExecutionStarted",
        initiatedEventId=8,
        workflowExecution={"workflowId": "run-1", "runId": "r"},
    ),
    _event(10, 7, "WorkflowExecutionSignaled", signalName="approve", input='{"by": "ann"}'),
    _event(11, 7, "DecisionTaskScheduled"),
]


def test_rows_resolve_what_each_event_belongs_to() -> None:
    rows = {row.event_id: row for row in event_rows(HISTORY)}
    assert rows[1].subject == "Shop 2" and rows[1].payload == '{"order": 1}'
    assert (rows[3].subject, rows[3].attempt) == ("activity W.charge (3)", 1)
    assert (rows[4].payload, rows[4].seconds) == ("E: boom", 2.0)
    assert (rows[6].subject, rows[6].attempt) == ("activity W.charge (3.1)", 2)
    assert rows[2].payload == "x" * 47 + "…"
    assert rows[9].subject == "child Child 1 (run-1)"
    assert rows[10].subject == "signal approve"
    lines = format_rows(list(rows.values())).splitlines()
    assert lines[0].split() == ["ID", "+TIME", "EVENT", "FOR", "TRY", "PAYLOAD"]
    assert lines[6].split()[:6] == [
        "6",
        "3.500s",
        "ActivityTaskStarted",
        "activity",
        "W.charge",
        "(3.1)",
    ]


def test_waiting_on_lists_every_open_thing() -> None:
    now = T0 + dt.timedelta(seconds=10)
    assert waiting_on(HISTORY, now) == [
        "activity W.charge (3.1) running on host:2 7 s ago",
        "timer t1 (fires at 2026-01-01 00:01:04 UTC)",
        "child Child (run-1)",
        "a decision task (scheduled, no decider has taken it)",
    ]


def test_nothing_open_means_a_signal_or_condition() -> None:
    closed = [
        *HISTORY[:4],
        _event(5, 3, "DecisionTaskScheduled"),
        _event(6, 3, "DecisionTaskStarted", identity="d"),
        _event(7, 3, "DecisionTaskCompleted", scheduledEventId=5),
    ]
    assert waiting_on(closed) == ["a signal or a wait_for() condition"]
