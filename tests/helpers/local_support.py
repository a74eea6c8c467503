"""Helpers for the ``swfobjects local`` tests: a hand-moved clock, raw HTTP calls, shape checks."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlparse

from botocore.model import Shape

from swfobjects.local._protocol import service_model

DOMAIN = "local-tests"
WORKFLOW = {"name": "wf", "version": "1"}
ACTIVITY = {"name": "act", "version": "1"}


class ManualClock:
    """A clock that moves only when told: ``clock.advance(30)``."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def register(
    client: Any, domain: str = DOMAIN, activity_timeouts: dict[str, str] | None = None
) -> None:
    """Register ``domain``, workflow type ``wf`` (task list ``decisions``) and activity ``act``."""
    client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=domain,
        **WORKFLOW,
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    timeouts = {
        "defaultTaskScheduleToStartTimeout": "NONE",
        "defaultTaskScheduleToCloseTimeout": "NONE",
        "defaultTaskStartToCloseTimeout": "NONE",
        "defaultTaskHeartbeatTimeout": "NONE",
    }
    timeouts.update(activity_timeouts or {})
    client.register_activity_type(
        domain=domain, **ACTIVITY, defaultTaskList={"name": "activities"}, **timeouts
    )


def schedule(activity_id: str, **attrs: Any) -> dict[str, Any]:
    """A ScheduleActivityTask decision for ``act``."""
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": ACTIVITY,
            "activityId": activity_id,
            **attrs,
        },
    }


def decision(kind: str, **attrs: Any) -> dict[str, Any]:
    """Any decision: ``decision("StartTimer", timerId="t", startToFireTimeout="5")``."""
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attrs}


def raw_call(
    endpoint: str,
    operation: str | None,
    body: bytes | dict[str, Any],
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST one request without boto3 (so nothing is validated or dropped on our side)."""
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {"Content-Type": "application/x-amz-json-1.0", **(headers or {})}
    if operation is not None:
        sent["X-Amz-Target"] = f"SimpleWorkflowService.{operation}"
    try:
        conn.request("POST", "/", body=data, headers=sent)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def shape_errors(value: Any, shape: Shape, path: str = "") -> list[str]:
    """Every way ``value`` (raw JSON) departs from botocore's ``shape``."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        members = shape.members  # type: ignore[attr-defined]
        errors = [f"{path}.{k}: not in {shape.name}" for k in value if k not in members]
        errors += [
            f"{path}.{k}: required by {shape.name}"
            for k in shape.required_members  # type: ignore[attr-defined]
            if k not in value
        ]
        for key, member in members.items():
            if key in value:
                errors += shape_errors(value[key], member, f"{path}.{key}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        out: list[str] = []
        for i, item in enumerate(value):
            out += shape_errors(item, shape.member, f"{path}[{i}]")  # type: ignore[attr-defined]
        return out
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        if shape.enum and value not in shape.enum:  # type: ignore[attr-defined]
            return [f"{path}: {value!r} not in {shape.name}"]
        limit = shape.metadata.get("max")
        return [f"{path}: longer than {limit}"] if limit and len(value) > limit else []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if kind == "timestamp":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected epoch seconds"]
    return []


def event_errors(events: list[dict[str, Any]]) -> list[str]:
    """Check events against botocore's ``HistoryEvent``, and the attribute key per type."""
    shape = service_model().shape_for("HistoryEvent")
    errors: list[str] = []
    for event in events:
        where = f"event {event.get('eventId')} {event.get('eventType')}"
        errors += [f"{where}{e}" for e in shape_errors(event, shape)]
        kind = event.get("eventType", "")
        key = kind[0].lower() + kind[1:] + "EventAttributes"
        attrs = [k for k in event if k.endswith("EventAttributes")]
        if attrs != [key]:
            errors.append(f"{where}: attributes {attrs}, expected [{key!r}]")
    return errors


def output_errors(operation: str, response: dict[str, Any]) -> list[str]:
    """Check a raw response against the operation's output shape."""
    op = service_model().operation_model(operation)
    return shape_errors(response, op.output_shape) if op.output_shape is not None else []
