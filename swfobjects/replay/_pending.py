"""What an open workflow execution waits for, read from its history.

``handle.pending()``, the SerialExecutor's ``WorkflowStuckError`` and the SWF executor's
``result(timeout=...)`` all answer the same question ("why has it not finished?") from the same
place: the history, which every executor can fetch. Open activities, timers, child workflows
and decision tasks are there as events. A ``wait_for`` predicate is not an event, so when the
workflow class is known the history is also replayed (without the determinism guard, sending
nothing) to find the predicates still waiting and the lines that wrote them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import linecache
import logging
from collections.abc import Callable, Iterable
from typing import Any, Literal

from ..payloads._payload import Payloads
from ..swf._shapes import CLOSE_EVENT_TYPES, event_attributes
from ..workflow._by_name import ForeignCode
from ..workflow._declarations import WorkflowType
from ._commands import WAKE_TIMER_PREFIX
from ._decider import Decider
from ._runtime import to_datetime

__all__ = [
    "Pending",
    "PendingKind",
    "describe_pending",
    "pending_from_history",
    "predicate_source",
    "waiting_for",
]

log = logging.getLogger("swfobjects.pending")

PendingKind = Literal["activity", "timer", "child", "signal", "decision", "external"]
"""What a pending item is: an activity task, a timer, a child workflow, a ``wait_for`` on
workflow state (which signals change), a decision task, or nothing the workflow started (it
waits for a signal or cancellation from outside)."""


@dataclasses.dataclass(frozen=True)
class Pending:
    """One thing an open execution waits for.

    >>> print(Pending("timer", "timer t1", "fires at 2024-01-01 00:01:00+00:00", 12.0, None))
    timer t1: fires at 2024-01-01 00:01:00+00:00 (for 12 s)
    """

    kind: PendingKind
    name: str
    """The call it came from: ``activity Greeter.greet (1)``, ``timer t1``,
    ``wait_for(lambda: self.approved) at flows.py:31``..."""
    state: str
    """Where it is: "scheduled on task list 'greet'; no worker has taken it", "started by
    host-1", "fires at ..."."""
    age: float
    """Seconds since it began (event time), when the listing was made."""
    since: dt.datetime | None
    """When it began (the event that started it), or None when unknown."""

    def __str__(self) -> str:
        return f"{self.name}: {self.state} (for {_duration(self.age)})"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def predicate_source(predicate: Callable[[], Any]) -> str:
    """``wait_for(<source line>) at file:line`` for a predicate (its source line when readable)."""
    code = getattr(predicate, "__code__", None)
    if code is None:
        return f"wait_for({predicate!r})"
    line = linecache.getline(code.co_filename, code.co_firstlineno).strip()
    where = f"{code.co_filename}:{code.co_firstlineno}"
    return f"wait_for at {where}: {line}" if line else f"wait_for at {where}"


_ACTIVITY_CLOSED = (
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskTimedOut",
    "ActivityTaskCanceled",
)
_CHILD_CLOSED = (
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTerminated",
)


def pending_from_history(
    events: Iterable[dict[str, Any]],
    workflow: WorkflowType | None = None,
    now: dt.datetime | float | None = None,
    payloads: Payloads | None = None,
) -> list[Pending]:
    """What the execution of ``events`` waits for (empty once it has closed).

    ``workflow`` (its type, when this process has the class) adds the ``wait_for`` predicates
    still waiting; ``now`` (default: the wall clock or the newest event, whichever is later)
    is what ages are measured against; ``payloads`` reads the history's payloads (give the
    executor's, when they may live in a data store).
    """
    events = list(events)
    if not events:
        return []
    newest = to_datetime(events[-1]["eventTimestamp"])
    clock = to_datetime(now) if now is not None else max(newest, dt.datetime.now(dt.timezone.utc))
    activities: dict[int, dict[str, Any]] = {}
    timers: dict[int, dict[str, Any]] = {}
    children: dict[int, dict[str, Any]] = {}
    decision: dict[str, Any] | None = None
    for event in events:
        kind = event["eventType"]
        attrs = event_attributes(event)
        ident = event["eventId"]
        if kind == "ActivityTaskScheduled":
            activities[ident] = {"event": event, "attrs": attrs, "started": None}
        elif kind == "ActivityTaskStarted":
            entry = activities.get(attrs.get("scheduledEventId", -1))
            if entry is not None:
                entry["started"] = attrs
        elif kind in _ACTIVITY_CLOSED:
            activities.pop(attrs.get("scheduledEventId", -1), None)
        elif kind == "TimerStarted":
            timers[ident] = {"event": event, "attrs": attrs}
        elif kind in ("TimerFired", "TimerCanceled"):
            timers.pop(attrs.get("startedEventId", -1), None)
        elif kind == "StartChildWorkflowExecutionInitiated":
            children[ident] = {"event": event, "attrs": attrs, "run": None}
        elif kind == "ChildWorkflowExecutionStarted":
            entry = children.get(attrs.get("initiatedEventId", -1))
            if entry is not None:
                entry["run"] = (attrs.get("workflowExecution") or {}).get("runId")
        elif kind in _CHILD_CLOSED or kind == "StartChildWorkflowExecutionFailed":
            children.pop(attrs.get("initiatedEventId", -1), None)
        elif kind == "DecisionTaskScheduled":
            decision = {"event": event, "attrs": attrs, "started": None}
        elif kind == "DecisionTaskStarted" and decision is not None:
            decision["started"] = attrs
        elif kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            decision = None
        elif kind.startswith("WorkflowExecution") and kind in CLOSE_EVENT_TYPES:
            return []

    def since(event: dict[str, Any]) -> tuple[dt.datetime, float]:
        at = to_datetime(event["eventTimestamp"])
        return at, max(0.0, (clock - at).total_seconds())

    out: list[Pending] = []
    for entry in activities.values():
        attrs = entry["attrs"]
        at, age = since(entry["event"])
        name = f"activity {attrs['activityType']['name']} ({attrs['activityId']})"
        task_list = (attrs.get("taskList") or {}).get("name", "")
        started = entry["started"]
        state = (
            f"started by {started.get('identity') or 'a worker'}"
            if started is not None
            else f"scheduled on task list {task_list!r}; no activity worker has taken it yet"
        )
        out.append(Pending("activity", name, state, age, at))
    for entry in timers.values():
        attrs = entry["attrs"]
        if attrs["timerId"].startswith(WAKE_TIMER_PREFIX):
            continue
        at, age = since(entry["event"])
        fires = at + dt.timedelta(seconds=float(attrs.get("startToFireTimeout") or 0))
        out.append(Pending("timer", f"timer {attrs['timerId']}", f"fires at {fires}", age, at))
    for entry in children.values():
        attrs = entry["attrs"]
        at, age = since(entry["event"])
        name = f"child {attrs['workflowType']['name']} ({attrs['workflowId']})"
        state = f"running (run {entry['run']})" if entry["run"] else "starting"
        out.append(Pending("child", name, state, age, at))
    if decision is not None:
        at, age = since(decision["event"])
        task_list = (decision["attrs"].get("taskList") or {}).get("name", "")
        state = (
            f"taken by decider {decision['started'].get('identity') or ''}".rstrip()
            if decision["started"] is not None
            else f"scheduled on task list {task_list!r}; no decider has taken it yet"
        )
        out.append(Pending("decision", "decision task", state, age, at))
    if workflow is not None and workflow.workflow_class is ForeignCode:
        workflow = None  # started by name: no code here to replay its wait_for predicates
    waits = _waits(events, workflow, clock, payloads) if workflow is not None else None
    out.extend(waits or ())
    if not out:
        at, age = since(events[-1])
        state = (
            "nothing is scheduled: it waits for a signal or a cancellation"
            if waits is None
            else "nothing is scheduled and no wait_for is pending: it waits for a signal or a "
            "cancellation"
        )
        out.append(Pending("external", "input from outside", state, age, at))
    return out


def _waits(
    events: list[dict[str, Any]],
    workflow: WorkflowType,
    clock: dt.datetime,
    payloads: Payloads | None,
) -> list[Pending] | None:
    """The ``wait_for`` predicates still waiting after a replay of ``events`` (None if the
    replay itself failed: the listing then says what history alone shows)."""
    decider = Decider(workflow, payloads)
    try:
        decider.runtime.silent = True  # an inspection: the decision it re-runs logged already
        try:
            decider.feed(_as_decided(events))
        except Exception as error:  # noqa: BLE001 - a diagnosis must not fail the caller
            log.info("cannot replay %s to list its wait_for predicates: %s", workflow.name, error)
            return None
        out = []
        for promise, predicate, started in decider.runtime.waits:
            if promise.done():
                continue
            at = to_datetime(started)
            age = max(0.0, (clock - at).total_seconds())
            state = "waits until the predicate is true (a signal handler must change the state)"
            out.append(Pending("signal", predicate_source(predicate), state, age, at))
        return out
    finally:
        decider.discard()  # the replay ends here: close its coroutines now


def _as_decided(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History up to its last completed decision task (what the workflow code has seen)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index]["eventType"] == "DecisionTaskCompleted":
            return events[: index + 1]
    return events


def describe_pending(items: list[Pending]) -> str:
    """The listing as text, one item a line (for error messages)."""
    return "\n".join(f"  - {item}" for item in items)


def waiting_for(items: list[Pending]) -> str:
    """Why an execution has not closed, for a timeout message: the listing, and a question
    about workers only when a task is waiting for one."""
    if not items:
        return "it has no pending work in its history (it may just have closed)"
    hints = []
    for item in items:
        if item.kind == "decision" and "no decider" in item.state:
            hints.append(
                f"its decision task has waited {_duration(item.age)} for a decider: are "
                "workers running for its task lists (a decider for its workflow type)?"
            )
        elif item.kind == "activity" and "no activity worker" in item.state:
            hints.append(
                f"{item.name} has waited {_duration(item.age)} for a worker: are workers "
                "running for its task list (an activity worker)?"
            )
    text = f"it waits for:\n{describe_pending(items)}"
    return text + ("\n" + "\n".join(dict.fromkeys(hints)) if hints else "")
