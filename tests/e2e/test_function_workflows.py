"""Plain functions as activities and workflows, and retries decided from the failure, on every
executor (issue 18)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

import pytest

from swfobjects import (
    ActivityTaskError,
    RetryPolicy,
    SWFExecutor,
    WorkflowExecutionError,
    activity_task,
    decision_task,
    workflow,
)

pytestmark = pytest.mark.e2e


def legacy_price(sku: str) -> int:
    """Existing code, unchanged: a price lookup."""
    return {"apple": 30, "pear": 45}[sku]


def legacy_total(prices: list[int], quantity: int) -> int:
    return sum(prices) * quantity


price = activity_task(task_list="e2e-fn-acts", start_to_close_timeout=30)(legacy_price)
total = activity_task(task_list="e2e-fn-acts", start_to_close_timeout=30)(legacy_total)


@decision_task(
    task_list="e2e-fn-flows", execution_start_to_close_timeout=300, task_start_to_close_timeout=10
)
async def basket(skus: list[str], quantity: int) -> int:
    prices = [await price(sku) for sku in skus]
    await workflow.timer(1)
    return await total(prices, quantity)


@decision_task(
    task_list="e2e-fn-flows", execution_start_to_close_timeout=300, task_start_to_close_timeout=10
)
async def two_baskets(quantity: int) -> list[int]:
    first = basket(["apple"], quantity)
    second = basket(["pear"], quantity)
    return [await first, await second]


class HttpError(Exception):
    def __init__(self, status: int, retry_after: int | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.details = {"status": status, "retry_after": retry_after}


_CALLS: Counter[str] = Counter()
_LOCK = threading.Lock()


def _retry_after(error: ActivityTaskError) -> int | None:
    return (error.details or {}).get("retry_after")


@activity_task(
    task_list="e2e-fn-acts",
    start_to_close_timeout=30,
    retry=RetryPolicy(
        max_attempts=4,
        retry_if=lambda error: (error.details or {}).get("status") == 503,
        delay_for=_retry_after,
    ),
)
def call_service(key: str, statuses: list[int]) -> str:
    """Answers ``statuses`` one call after another (503 with Retry-After: 1), then 200."""
    with _LOCK:
        _CALLS[key] += 1
        call = _CALLS[key]
    if call <= len(statuses):
        status = statuses[call - 1]
        raise HttpError(status, retry_after=1 if status == 503 else None)
    return f"200 after {call} calls"


@decision_task(
    task_list="e2e-fn-flows", execution_start_to_close_timeout=300, task_start_to_close_timeout=10
)
async def http_flow(key: str, statuses: list[int]) -> str:
    return await call_service(key, statuses)


def test_function_workflow_with_function_activities(executor: Any) -> None:
    assert executor.run(basket, ["apple", "pear"], 2) == 150


@pytest.mark.swf_features("child_workflows")
def test_a_workflow_function_is_called_as_a_child(executor: Any) -> None:
    assert executor.run(two_baskets, 3) == [90, 135]


def test_503_retried_after_retry_after_then_success(executor: Any) -> None:
    key = uuid.uuid4().hex
    assert executor.run(http_flow, key, [503, 503]) == "200 after 3 calls"
    assert _CALLS[key] == 3


def test_400_is_never_retried(executor: Any) -> None:
    key = uuid.uuid4().hex
    with pytest.raises(WorkflowExecutionError, match="HTTP 400"):
        executor.run(http_flow, key, [503, 400])
    assert _CALLS[key] == 2


@pytest.mark.slow
def test_swf_executor_registers_and_runs_functions_directly(local_swf: Any) -> None:
    """``register`` and ``running`` (as ``run_workers``) take the decorated functions."""
    domain = f"e2e-fn-{uuid.uuid4().hex[:12]}"
    executor = SWFExecutor(domain, client=local_swf.client(), poll_interval=0.2)
    assert executor.register(basket, price, total) == []
    client = executor.raw_client
    described = client.describe_activity_type(
        domain=domain, activityType={"name": f"{__name__}.legacy_price", "version": "1.0"}
    )
    assert described["configuration"]["defaultTaskList"] == {"name": "e2e-fn-acts"}
    with executor.running(basket, price, total):
        assert executor.start(basket, ["pear"], 1).result(timeout=60) == 45
