"""Where SWF puts an event's or a decision's attributes: one key per type, computed once.

``ActivityTaskScheduled`` keeps its attributes under ``activityTaskScheduledEventAttributes``;
``ScheduleActivityTask`` under ``scheduleActivityTaskDecisionAttributes``.
"""

from __future__ import annotations

from typing import Any

from ._memo import Memo

__all__ = [
    "CLOSE_EVENT_TYPES",
    "EVENT_KEYS",
    "DECISION_KEYS",
    "event_attributes_key",
    "decision_attributes_key",
    "event_attributes",
    "decision_attributes",
]

CLOSE_EVENT_TYPES = frozenset(
    {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionContinuedAsNew",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionTerminated",
    }
)
"""The events that close a run (SWF records nothing after one)."""

EVENT_KEYS: Memo[str, str] = Memo(
    lambda event_type: event_type[0].lower() + event_type[1:] + "EventAttributes", 1024
)
"""``EVENT_KEYS[event_type]``: the member of an event holding its attributes; hot loops
subscript it directly (see :func:`event_attributes_key`)."""
DECISION_KEYS: Memo[str, str] = Memo(
    lambda decision_type: decision_type[0].lower() + decision_type[1:] + "DecisionAttributes",
    1024,
)
"""``DECISION_KEYS[decision_type]``: the member of a decision holding its attributes."""


def event_attributes_key(event_type: str) -> str:
    """``"activityTaskScheduledEventAttributes"`` for ``"ActivityTaskScheduled"``."""
    return EVENT_KEYS[event_type]


def decision_attributes_key(decision_type: str) -> str:
    """``"scheduleActivityTaskDecisionAttributes"`` for ``"ScheduleActivityTask"``."""
    return DECISION_KEYS[decision_type]


def event_attributes(event: dict[str, Any]) -> dict[str, Any]:
    """An event's attributes (empty if it has none)."""
    return event.get(event_attributes_key(event["eventType"])) or {}


def decision_attributes(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision's attributes (empty if it has none)."""
    return decision.get(decision_attributes_key(decision["decisionType"])) or {}
