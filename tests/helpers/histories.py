"""A tiny builder of SWF-shaped histories for decider tests (as GetWorkflowExecutionHistory
returns them), so tests read like the history they describe."""

from __future__ import annotations

import json
from typing import Any

T0 = 1_700_000_000.0


class History:
    """Append events with ``add(type, **attributes)``; ids and timestamps are filled in."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.clock = T0

    def add(self, event_type: str, **attributes: Any) -> int:
        event_id = len(self.events) + 1
        self.events.append(
            {
                "eventId": event_id,
                "eventType": event_type,
                "eventTimestamp": self.clock,
                event_type[0].lower() + event_type[1:] + "EventAttributes": attributes,
            }
        )
        self.clock += 1
        return event_id

    def started(self, workflow: Any, input: Any = None, **extra: Any) -> History:
        wtype = workflow.workflow_type()
        attrs = {
            "workflowType": {"name": wtype.name, "version": wtype.version},
            "taskList": {"name": wtype.task_list},
            "childPolicy": "TERMINATE",
            "executionStartToCloseTimeout": "3600",
            "taskStartToCloseTimeout": "60",
            **extra,
        }
        if input is not None:
            attrs["input"] = json.dumps(input)
        self.add("WorkflowExecutionStarted", **attrs)
        return self

    def decision(self, completed: bool = True) -> int:
        """Scheduled + started (+ completed); returns the completed (or started) event id."""
        scheduled = self.add(
            "DecisionTaskScheduled", taskList={"name": "x"}, startToCloseTimeout="60"
        )
        started = self.add("DecisionTaskStarted", scheduledEventId=scheduled)
        if not completed:
            return started
        return self.add("DecisionTaskCompleted", scheduledEventId=scheduled, startedEventId=started)

    def scheduled(
        self,
        completed_id: int,
        activity_id: str,
        name: str,
        version: str = "1.0",
        input: Any = None,
    ) -> int:
        return self.add(
            "ActivityTaskScheduled",
            activityType={"name": name, "version": version},
            activityId=activity_id,
            taskList={"name": "x"},
            decisionTaskCompletedEventId=completed_id,
            input=json.dumps(input) if input is not None else None,
        )

    def completed(self, scheduled_id: int, result: Any) -> int:
        started = self.add("ActivityTaskStarted", scheduledEventId=scheduled_id)
        return self.add(
            "ActivityTaskCompleted",
            scheduledEventId=scheduled_id,
            startedEventId=started,
            result=json.dumps(result),
        )

    def failed(self, scheduled_id: int, type_name: str, message: str) -> int:
        started = self.add("ActivityTaskStarted", scheduledEventId=scheduled_id)
        details = json.dumps(
            {"type": type_name, "message": message, "traceback": "tb", "details": None}
        )
        return self.add(
            "ActivityTaskFailed",
            scheduledEventId=scheduled_id,
            startedEventId=started,
            reason=f"{type_name}: {message}",
            details=details,
        )


def kinds(decisions: list[dict[str, Any]]) -> list[str]:
    return [d["decisionType"] for d in decisions]


def attrs(decision: dict[str, Any]) -> dict[str, Any]:
    kind = decision["decisionType"]
    return decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]


def scheduled_attributes(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The attributes of every ``ActivityTaskScheduled`` event of a history, in order."""
    return [
        e["activityTaskScheduledEventAttributes"]
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
    ]
