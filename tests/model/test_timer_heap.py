"""The due heap cannot be corrupted by any input (issue 14: a ``"nan"`` timeout stopped every
later timer and timeout of the whole service from firing)."""

from __future__ import annotations

import math

import pytest

from swfobjects.model import InProcessClient, SwfFault, SwfModel
from swfobjects.model._due import DueHeap
from tests.helpers.local_support import DOMAIN, ManualClock, register, schedule


@pytest.mark.parametrize("when", [math.nan, math.inf, -math.inf])
def test_due_heap_refuses_a_time_that_is_not_finite(when: float) -> None:
    heap = DueHeap()
    with pytest.raises(ValueError, match="not a finite"):
        heap.push(when, "execution", object())
    assert heap.entries == []


@pytest.mark.parametrize("bad", ["nan", "²", "abc", "inf", "1e9"])
def test_a_refused_decision_leaves_every_timer_firing(bad: str) -> None:
    clock = ManualClock()
    model = SwfModel(clock=clock)
    client = InProcessClient(model)
    register(client)
    tokens = []
    for index in range(3):
        client.start_workflow_execution(
            domain=DOMAIN, workflowId=f"w{index}", workflowType={"name": "wf", "version": "1"}
        )
        tokens.append(
            model.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "decisions"}})
        )
    timer = {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "5"},
    }
    model.call(
        "RespondDecisionTaskCompleted", {"taskToken": tokens[0]["taskToken"], "decisions": [timer]}
    )
    events_before = len(model.executions.open_by_id[(DOMAIN, "w1")].events)
    with pytest.raises(SwfFault) as refused:
        model.call(
            "RespondDecisionTaskCompleted",
            {
                "taskToken": tokens[1]["taskToken"],
                "decisions": [schedule("a", heartbeatTimeout=bad)],
            },
        )
    assert (
        refused.value.code == "ValidationException" and "heartbeatTimeout" in refused.value.message
    )
    assert len(model.executions.open_by_id[(DOMAIN, "w1")].events) == events_before
    assert all(math.isfinite(when) for when, _, _ in model.due.entries)
    clock.advance(6)
    assert model.advance() >= 1
    history = [e["eventType"] for e in model.executions.open_by_id[(DOMAIN, "w0")].events]
    assert "TimerFired" in history
    # the refused task is still the run's to answer, as if the bad response never came
    model.call(
        "RespondDecisionTaskCompleted", {"taskToken": tokens[1]["taskToken"], "decisions": [timer]}
    )
