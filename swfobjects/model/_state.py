"""Plain state records of the SWF model (domains, types, executions, tasks) and its fault.

The bottom of the model: every collaborator reads and writes these records, and none of them
knows about any collaborator, so they can be shared without import circles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import SwfObjectsError

__all__ = [
    "ActivityTaskState",
    "ChildState",
    "Domain",
    "Execution",
    "Handler",
    "SwfFault",
    "TimerState",
    "TypeRecord",
]

Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""One SWF operation as a collaborator serves it: the request dict in, the response out."""


class SwfFault(SwfObjectsError):
    """An SWF API error: ``code`` is the modelled error shape (``UnknownResourceFault``...).

    Part of the one swfobjects error tree, so ``except SwfObjectsError`` also catches what the
    in-memory SWF refuses.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Domain:
    """A registered domain."""

    name: str
    retention: str
    description: str | None = None
    status: str = "REGISTERED"
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class TypeRecord:
    """A registered activity or workflow type with its declared defaults (SWF key names)."""

    kind: str  # "activity" | "workflow"
    name: str
    version: str
    description: str | None
    defaults: dict[str, Any]
    creation: float
    status: str = "REGISTERED"
    deprecation: float | None = None


@dataclass(eq=False, slots=True)
class ActivityTaskState:
    """An open activity task of an execution."""

    execution: Execution
    activity_id: str
    activity_type: dict[str, str]
    scheduled_event_id: int
    task_list: str
    input: str | None
    schedule_to_start: str
    schedule_to_close: str
    start_to_close: str
    heartbeat: str
    priority: str | None
    scheduled_at: float
    started_event_id: int = 0
    token: str | None = None
    last_heartbeat: float = 0.0
    heartbeat_details: str | None = None
    cancel_requested_event_id: int = 0


@dataclass(eq=False, slots=True)
class TimerState:
    """An open timer."""

    timer_id: str
    started_event_id: int
    fire_at: float


@dataclass(eq=False, slots=True)
class ChildState:
    """An open child execution, seen from its parent."""

    workflow_id: str
    initiated_event_id: int
    workflow_type: dict[str, str]
    run_id: str = ""
    started_event_id: int = 0


@dataclass(eq=False, slots=True)
class Execution:
    """One workflow run and everything SWF tracks about it."""

    domain: str
    workflow_id: str
    run_id: str
    workflow_type: dict[str, str]
    task_list: str
    task_priority: str | None
    child_policy: str
    execution_timeout: str
    task_timeout: str
    tags: list[str]
    started_at: float
    parent: dict[str, str] | None = None
    parent_initiated_event_id: int = 0
    lambda_role: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    closed_at: float | None = None
    close_status: str | None = None
    cancel_requested: bool = False
    decision_state: str = "none"  # none | scheduled | started
    decision_scheduled_id: int = 0
    decision_started_id: int = 0
    decision_token: str | None = None
    decision_scheduled_at: float = 0.0
    decision_needed: bool = False
    previous_started_id: int = 0
    activities: dict[str, ActivityTaskState] = field(default_factory=dict)
    timers: dict[str, TimerState] = field(default_factory=dict)
    children: dict[int, ChildState] = field(default_factory=dict)
    latest_activity_at: float | None = None
    latest_context: str | None = None

    @property
    def is_open(self) -> bool:
        """True until the execution closes."""
        return self.close_status is None

    @property
    def execution_ref(self) -> dict[str, str]:
        """``{"workflowId", "runId"}``, as SWF writes an execution."""
        return {"workflowId": self.workflow_id, "runId": self.run_id}
