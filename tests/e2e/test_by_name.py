"""Calls by name on every executor: an activity and a child workflow known only by SWF name
and version, plain JSON arguments, raw text, and ``start_by_name`` from outside."""

from __future__ import annotations

import json
from typing import Any

import pytest

from swfobjects import ActivityWorker, RetryPolicy, Workflow, activity_task, decision_task

pytestmark = pytest.mark.e2e

TIMEOUTS = {"execution_start_to_close_timeout": 120, "task_start_to_close_timeout": 10}


class JavaOrders(ActivityWorker, task_list="e2e-byname-java", version="2.0"):
    """Stands for an activity written in another language, registered as ProcessOrder 2.0."""

    failures = 0

    @activity_task(name="ProcessOrder", start_to_close_timeout=30)
    def process(self, order_id: str, cents: int) -> dict[str, Any]:
        return {"order": order_id, "total": cents * 2}

    @activity_task(name="Shout", start_to_close_timeout=30)
    def shout(self, text: str) -> str:
        if JavaOrders.failures < 1:
            JavaOrders.failures += 1
            raise RuntimeError("first attempt fails")
        return text.upper()


class OrderFlow(Workflow, task_list="e2e-byname-child", version="3", **TIMEOUTS):
    @decision_task
    async def run(self, order_id: str) -> str:
        return f"flow {order_id}"


class ByNameCaller(Workflow, task_list="e2e-byname-caller", **TIMEOUTS):
    @decision_task
    async def run(self, order_id: str) -> list[Any]:
        total = await self.call_activity(
            "ProcessOrder", "2.0", order_id, 21, task_list="e2e-byname-java"
        )
        shouted = await self.call_activity(
            "Shout",
            "2.0",
            '{"text": "hi"}',
            raw=True,
            retry=RetryPolicy(max_attempts=2, initial_interval=1),
        )
        child = await self.start_child("OrderFlow", "3", kwargs={"order_id": order_id}, **TIMEOUTS)
        return [total, shouted, child]


@pytest.mark.swf_features("child_workflows")
def test_calls_by_name(executor):
    JavaOrders.failures = 0
    total, shouted, child = executor.run(ByNameCaller, "o-1")
    assert total == {"order": "o-1", "total": 42}
    assert shouted == '"HI"'  # raw: the result text as the activity sent it
    assert child == "flow o-1"


def test_start_by_name_from_outside(executor):
    executor.run(OrderFlow, "warm-up")  # registers the types and starts the pollers
    handle = executor.executor.start_by_name("OrderFlow", "3", "o-2", result_type=str)
    assert handle.result(timeout=60) == "flow o-2"
    started = handle.history()[0]["workflowExecutionStartedEventAttributes"]
    assert json.loads(started["input"]) == ["o-2"]
