"""An execution's history read once, for people: rows (one per event) and lanes (one per thing).

SWF's history is a flat list in which later events carry only the id of the event that
scheduled them. :func:`read_timeline` resolves those ids in one pass and gives two views of the
same reading, so no caller parses a history twice:

* :class:`Row`, one per event: when (seconds since the run started), what, the activity,
  timer, child, signal or marker it belongs to, the attempt, the start of its payload. The
  ``show`` command prints them as a table, the HTML timeline lists them under the picture.
* :class:`Lane`, one per activity, timer, child, signal name and marker name, holding
  :class:`Span` s from scheduled to started to closed (several when the workflow retried an
  activity: ``charge-2.1`` is the second attempt of ``charge-2`` and shares its lane), plus
  the decision tasks as :class:`Tick` s. :mod:`._timeline_html` draws them.

It lives in ``swf`` because it needs nothing but SWF's event shapes, so the CLI, workflow
handles and the ``swfobjects local`` console (which may import only ``swf`` and ``model``) all
use it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ._shapes import event_attributes

__all__ = ["Lane", "Row", "Span", "Tick", "Timeline", "event_rows", "read_timeline", "timestamp"]

SHORT = 48
"""Characters of payload a row shows."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_RETRY_ID = re.compile(r"^(?P<base>.+)\.(?P<n>\d+)$")
_PAYLOAD_KEYS = ("input", "result", "details", "control")
_WORKFLOW_CLOSED = {
    "WorkflowExecutionCompleted": "completed",
    "WorkflowExecutionFailed": "failed",
    "WorkflowExecutionTimedOut": "timed_out",
    "WorkflowExecutionCanceled": "canceled",
    "WorkflowExecutionTerminated": "terminated",
    "WorkflowExecutionContinuedAsNew": "continued",
}
_CLOSES = {  # event type -> (key naming the opening event, outcome)
    "ActivityTaskCompleted": ("scheduledEventId", "completed"),
    "ActivityTaskFailed": ("scheduledEventId", "failed"),
    "ActivityTaskTimedOut": ("scheduledEventId", "timed_out"),
    "ActivityTaskCanceled": ("scheduledEventId", "canceled"),
    "TimerFired": ("startedEventId", "fired"),
    "TimerCanceled": ("startedEventId", "canceled"),
    "ChildWorkflowExecutionCompleted": ("initiatedEventId", "completed"),
    "ChildWorkflowExecutionFailed": ("initiatedEventId", "failed"),
    "ChildWorkflowExecutionTimedOut": ("initiatedEventId", "timed_out"),
    "ChildWorkflowExecutionCanceled": ("initiatedEventId", "canceled"),
    "ChildWorkflowExecutionTerminated": ("initiatedEventId", "terminated"),
    "StartChildWorkflowExecutionFailed": ("initiatedEventId", "failed"),
    "ExternalWorkflowExecutionSignaled": ("initiatedEventId", "completed"),
    "SignalExternalWorkflowExecutionFailed": ("initiatedEventId", "failed"),
    "ExternalWorkflowExecutionCancelRequested": ("initiatedEventId", "completed"),
    "RequestCancelExternalWorkflowExecutionFailed": ("initiatedEventId", "failed"),
}
_STARTS = {
    "ActivityTaskStarted": "scheduledEventId",
    "ChildWorkflowExecutionStarted": "initiatedEventId",
}
_POINTS = {  # event type -> (lane kind, outcome) for events that happen at one instant
    "WorkflowExecutionSignaled": ("signal", "received"),
    "WorkflowExecutionCancelRequested": ("signal", "received"),
    "MarkerRecorded": ("marker", "recorded"),
    "RecordMarkerFailed": ("marker", "failed"),
    "ScheduleActivityTaskFailed": ("activity", "failed"),
    "StartTimerFailed": ("timer", "failed"),
    "CancelTimerFailed": ("timer", "failed"),
    "RequestCancelActivityTaskFailed": ("activity", "failed"),
}
FAILED = frozenset({"failed", "timed_out", "terminated"})
"""Outcomes drawn as failures."""


def timestamp(value: Any) -> dt.datetime:
    """An event timestamp (datetime from boto3, epoch seconds from SWF's JSON) as aware UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return _EPOCH + dt.timedelta(seconds=float(value))


@dataclass(frozen=True)
class Row:
    """One event, readable: id, seconds since start, type, what it is for, attempt, payload."""

    event_id: int
    seconds: float
    event_type: str
    subject: str
    attempt: int | None
    payload: str

    def as_json(self) -> dict[str, Any]:
        """The row as a JSON object (``--json``)."""
        return asdict(self)


@dataclass
class Span:
    """One attempt of an activity, a timer, a child, or an instant (signal, marker, failure).

    Times are seconds since the run started; ``started`` is None when nothing reported a start
    (timers, instants, an activity still waiting); ``closed`` is None while it is still open.
    ``details`` is the full text of its payloads and errors, for hovering.
    """

    scheduled: float
    started: float | None
    closed: float | None
    outcome: str
    attempt: int | None
    details: list[str] = field(default_factory=list)

    @property
    def instant(self) -> bool:
        """Whether it happened at one moment (a signal, a marker, a refused decision)."""
        return self.outcome in ("received", "recorded") or (
            self.closed == self.scheduled and self.started is None
        )

    @property
    def failed(self) -> bool:
        """Whether it failed, timed out or was terminated."""
        return self.outcome in FAILED


@dataclass
class Lane:
    """One row of the picture: an activity (all its attempts), a timer, a child, a signal name,
    a marker name, or the run itself (kind ``workflow``)."""

    kind: str
    label: str
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    """A decision task: scheduled, taken, and answered (or timed out) at these seconds."""

    scheduled: float
    started: float | None
    closed: float | None
    outcome: str


@dataclass
class Timeline:
    """A history read once: its rows, its lanes (the run's own first), its decision ticks, and
    how long it spans (to its close, or to its last event while open)."""

    rows: list[Row]
    lanes: list[Lane]
    ticks: list[Tick]
    duration: float
    status: str
    workflow_type: str


def event_rows(events: list[dict[str, Any]]) -> list[Row]:
    """A :class:`Row` per event of ``events`` (a whole history, oldest first)."""
    return read_timeline(events).rows


def read_timeline(events: list[dict[str, Any]]) -> Timeline:
    """Read ``events`` (a whole history, oldest first; boto3's or SWF's JSON shape) once."""
    reader = _Reader()
    for event in events:
        reader.read(event)
    return reader.timeline()


class _Reader:
    """One pass over a history; keeps what later events refer to by id."""

    def __init__(self) -> None:
        self.start: dt.datetime | None = None
        self.rows: list[Row] = []
        self.by_id: dict[int, tuple[str, int | None]] = {}
        self.activity_ids: set[str] = set()
        self.lanes: dict[tuple[str, str], Lane] = {}
        self.open: dict[int, Span] = {}
        self.ticks: list[Tick] = []
        self.decision: dict[str, float | None] = {}
        self.workflow = Lane("workflow", "workflow")
        self.status = "OPEN"
        self.workflow_type = ""
        self.last = 0.0

    def read(self, event: dict[str, Any]) -> None:
        kind = event["eventType"]
        attrs = event_attributes(event)
        stamp = timestamp(event["eventTimestamp"])
        if self.start is None:
            self.start = stamp
        seconds = (stamp - self.start).total_seconds()
        self.last = max(self.last, seconds)
        subject, attempt = self._subject(kind, attrs)
        self.by_id[event["eventId"]] = (subject, attempt)
        self.rows.append(
            Row(event["eventId"], seconds, kind, subject, attempt, _short(_payload(attrs)))
        )
        self._span(event["eventId"], kind, attrs, seconds, subject, attempt)

    def _subject(self, kind: str, attrs: dict[str, Any]) -> tuple[str, int | None]:
        if kind == "WorkflowExecutionStarted" or kind.startswith("StartChildWorkflow"):
            workflow_type = attrs.get("workflowType") or {}
            name = f"{workflow_type.get('name', '')} {workflow_type.get('version', '')}".strip()
            child = attrs.get("workflowId")
            return (f"child {name} ({child})" if child else name), None
        if kind in ("ActivityTaskScheduled", "ScheduleActivityTaskFailed"):
            activity_id = attrs.get("activityId", "")
            name = (attrs.get("activityType") or {}).get("name", "")
            match = _RETRY_ID.match(activity_id)
            attempt = 1
            if match and match.group("base") in self.activity_ids:
                attempt = int(match.group("n")) + 1
            self.activity_ids.add(activity_id)
            return f"activity {name} ({activity_id})", attempt
        for key in ("scheduledEventId", "initiatedEventId", "startedEventId"):
            if key in attrs and attrs[key] in self.by_id:
                return self.by_id[attrs[key]]
        if "timerId" in attrs:
            return f"timer {attrs['timerId']}", None
        if "markerName" in attrs:
            return f"marker {attrs['markerName']}", None
        if "signalName" in attrs:
            return f"signal {attrs['signalName']}", None
        execution = attrs.get("workflowExecution") or {}
        if "workflowId" in execution:
            return f"child ({execution['workflowId']})", None
        if "activityId" in attrs:
            return f"activity ({attrs['activityId']})", None
        return "", None

    def _lane(self, kind: str, key: str, label: str) -> Lane:
        lane = self.lanes.get((kind, key))
        if lane is None:
            lane = self.lanes[(kind, key)] = Lane(kind, label)
        return lane

    def _span(
        self,
        event_id: int,
        kind: str,
        attrs: dict[str, Any],
        seconds: float,
        subject: str,
        attempt: int | None,
    ) -> None:
        text = _details(kind, attrs)
        if kind == "WorkflowExecutionStarted":
            workflow_type = attrs.get("workflowType") or {}
            self.workflow_type = (
                f"{workflow_type.get('name', '')} {workflow_type.get('version', '')}".strip()
            )
            self.workflow.label = f"workflow {self.workflow_type}".strip()
            span = Span(seconds, seconds, None, "open", None, text)
            self.workflow.spans.append(span)
        elif kind in _WORKFLOW_CLOSED:
            self.status = kind.removeprefix("WorkflowExecution").upper()
            for span in self.workflow.spans:
                if span.closed is None:
                    span.closed, span.outcome = seconds, _WORKFLOW_CLOSED[kind]
                    span.details.extend(text)
        elif kind == "ActivityTaskScheduled":
            activity_id = attrs.get("activityId", "")
            match = _RETRY_ID.match(activity_id)
            key = match.group("base") if match and (attempt or 1) > 1 else activity_id
            name = (attrs.get("activityType") or {}).get("name", "")
            span = Span(seconds, None, None, "open", attempt, text)
            self._lane("activity", key, f"activity {name} ({key})").spans.append(span)
            self.open[event_id] = span
        elif kind == "TimerStarted":
            timer_id = attrs.get("timerId", "")
            span = Span(seconds, seconds, None, "open", None, text)
            self._lane("timer", timer_id, f"timer {timer_id}").spans.append(span)
            self.open[event_id] = span
        elif kind in (
            "StartChildWorkflowExecutionInitiated",
            "SignalExternalWorkflowExecutionInitiated",
            "RequestCancelExternalWorkflowExecutionInitiated",
        ):
            target = attrs.get("workflowId", "")
            lane_kind = "child" if kind.startswith("StartChild") else "external"
            if lane_kind == "child":
                label = subject
            elif "signalName" in attrs:
                label = f"signal {attrs['signalName']} to {target}"
            else:
                label = f"cancel request to {target}"
            span = Span(seconds, None, None, "open", None, text)
            self._lane(lane_kind, f"{kind}:{target}", label).spans.append(span)
            self.open[event_id] = span
        elif kind in _STARTS:
            span_or_none = self.open.get(attrs.get(_STARTS[kind], -1))
            if span_or_none is not None:
                span_or_none.started = seconds
                span_or_none.details.extend(text)
        elif kind in _CLOSES:
            key, outcome = _CLOSES[kind]
            span_or_none = self.open.pop(attrs.get(key, -1), None)
            if span_or_none is not None:
                span_or_none.closed, span_or_none.outcome = seconds, outcome
                span_or_none.details.extend(text)
        elif kind in _POINTS:
            lane_kind, outcome = _POINTS[kind]
            name = subject or kind
            span = Span(seconds, None, seconds, outcome, attempt, text)
            self._lane(lane_kind, name, name).spans.append(span)
        elif kind.startswith("DecisionTask"):
            self._tick(kind, seconds)

    def _tick(self, kind: str, seconds: float) -> None:
        if kind == "DecisionTaskScheduled":
            self.decision = {"scheduled": seconds, "started": None}
        elif kind == "DecisionTaskStarted":
            self.decision["started"] = seconds
        elif kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut") and self.decision:
            scheduled = self.decision.get("scheduled")
            outcome = "completed" if kind == "DecisionTaskCompleted" else "timed_out"
            self.ticks.append(
                Tick(
                    seconds if scheduled is None else scheduled,
                    self.decision.get("started"),
                    seconds,
                    outcome,
                )
            )
            self.decision = {}

    def timeline(self) -> Timeline:
        lanes = [self.workflow] if self.workflow.spans else []
        order = ("activity", "child", "timer", "external", "signal", "marker")
        lanes += sorted(self.lanes.values(), key=lambda lane: order.index(lane.kind))
        return Timeline(self.rows, lanes, self.ticks, self.last, self.status, self.workflow_type)


def _payload(attrs: dict[str, Any]) -> str:
    reason = attrs.get("reason") or attrs.get("cause") or attrs.get("timeoutType")
    if reason:
        return str(reason)
    for key in _PAYLOAD_KEYS:
        value = attrs.get(key)
        if value:
            return str(value)
    return ""


def _details(kind: str, attrs: dict[str, Any]) -> list[str]:
    """Every payload and error of an event, in full, each line named by its key."""
    out = []
    for key in ("reason", "cause", "timeoutType", "identity", *_PAYLOAD_KEYS):
        value = attrs.get(key)
        if value:
            out.append(f"{kind} {key}: {value}")
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"
