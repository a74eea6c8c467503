"""``handle.result()`` reads the run's close event even when a service records events after it.

Amazon SWF records nothing after a close event; moto's emulation hands out an activity task of a
run that a decision closed meanwhile and records its ``ActivityTaskStarted`` after the close.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from swfobjects.client._handle import WorkflowHandle
from swfobjects.exceptions import WorkflowExecutionError


class _History:
    """A client that answers ``GetWorkflowExecutionHistory`` (reverse order) from ``events``."""

    def __init__(self, *event_types_and_attributes: tuple[str, dict[str, Any]]) -> None:
        self.events = [
            {"eventId": i, "eventType": kind, kind[0].lower() + kind[1:] + "EventAttributes": a}
            for i, (kind, a) in enumerate(event_types_and_attributes, start=1)
        ]

    def get_workflow_execution_history(self, **params: Any) -> dict[str, Any]:
        assert params["reverseOrder"] is True
        return {"events": list(reversed(self.events))[: params["maximumPageSize"]]}


def _handle(client: _History) -> WorkflowHandle[Any]:
    return WorkflowHandle(client, "d", "wf", "run", None, None, lambda handle, timeout: None)  # type: ignore[arg-type]


def test_an_event_recorded_after_the_close_does_not_hide_the_result() -> None:
    client = _History(
        ("WorkflowExecutionStarted", {}),
        ("ActivityTaskScheduled", {"activityId": "1"}),
        ("WorkflowExecutionCompleted", {"result": json.dumps(42)}),
        ("ActivityTaskStarted", {"scheduledEventId": 2}),
    )
    assert _handle(client).result() == 42


def test_a_failure_followed_by_an_event_is_still_the_failure() -> None:
    client = _History(
        ("WorkflowExecutionStarted", {}),
        ("WorkflowExecutionFailed", {"reason": "ValueError: boom"}),
        ("ActivityTaskStarted", {"scheduledEventId": 2}),
    )
    with pytest.raises(WorkflowExecutionError, match="failed"):
        _handle(client).result()


def test_an_open_run_says_so() -> None:
    client = _History(("WorkflowExecutionStarted", {}), ("ActivityTaskStarted", {}))
    with pytest.raises(WorkflowExecutionError, match="is not closed"):
        _handle(client).result()
