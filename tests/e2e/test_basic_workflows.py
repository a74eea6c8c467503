"""Basic whole workflows, run on every executor through the public API only."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    RetryPolicy,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    all_of,
    decision_task,
)

pytestmark = pytest.mark.e2e


class Greeter(ActivityWorker, task_list="e2e-basic-greeter", version="1.0"):
    @activity_task(start_to_close_timeout=30)
    def greet(self, name: str) -> str:
        return f"Hello, {name}!"

    @activity_task(start_to_close_timeout=30)
    def square(self, n: int) -> int:
        return n * n

    @activity_task(start_to_close_timeout=30)
    def refuse(self, name: str) -> str:
        raise PermissionError(f"{name} may not pass")


_ATTEMPTS: Counter[str] = Counter()
_ATTEMPTS_LOCK = threading.Lock()


class Flaky(ActivityWorker, task_list="e2e-basic-flaky", version="1.0"):
    @activity_task(
        start_to_close_timeout=30,
        retry=RetryPolicy(max_attempts=3, initial_interval=1, backoff_coefficient=2),
    )
    def eventually(self, key: str, failures: int) -> int:
        """Fails ``failures`` times for ``key``, then returns the attempt number."""
        with _ATTEMPTS_LOCK:
            _ATTEMPTS[key] += 1
            attempt = _ATTEMPTS[key]
        if attempt <= failures:
            raise ConnectionError(f"attempt {attempt} of {key} failed")
        return attempt


class Hello(Workflow, task_list="e2e-basic-hello", version="1.0"):
    greeter = Greeter.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=10)
    async def run(self, name: str) -> str:
        return await self.greeter.greet(name)


class FanOut(Workflow, task_list="e2e-basic-fanout", version="1.0"):
    greeter = Greeter.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=10)
    async def run(self, n: int) -> list[int]:
        squares = await all_of(*[self.greeter.square(i) for i in range(n)])
        return list(squares)


class Caught(Workflow, task_list="e2e-basic-caught", version="1.0"):
    greeter = Greeter.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=10)
    async def run(self, name: str) -> str:
        try:
            return await self.greeter.refuse(name)
        except ActivityTaskError as error:
            return f"caught {error.type_name}: {error.message}"


class Uncaught(Workflow, task_list="e2e-basic-caught", version="1.0"):
    greeter = Greeter.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=10)
    async def run(self, name: str) -> str:
        return await self.greeter.refuse(name)


class Retried(Workflow, task_list="e2e-basic-retried", version="1.0"):
    flaky = Flaky.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=10)
    async def run(self, key: str, failures: int) -> int:
        return await self.flaky.eventually(key, failures)


class Sleepy(Workflow, task_list="e2e-basic-sleepy", version="1.0"):
    greeter = Greeter.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=10)
    async def run(self, seconds: int) -> float:
        before = self.now()
        await self.timer(seconds)
        await self.greeter.greet("after the timer")
        return (self.now() - before).total_seconds()


def test_hello(executor) -> None:
    assert executor.run(Hello, "world") == "Hello, world!"


def test_fan_out_with_all_of(executor) -> None:
    assert executor.run(FanOut, 6) == [0, 1, 4, 9, 16, 25]


def test_activity_failure_is_caught_in_the_workflow(executor) -> None:
    result = executor.run(Caught, "Bob")
    assert result == "caught PermissionError: Bob may not pass"


def test_uncaught_activity_failure_fails_the_workflow(executor) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        executor.run(Uncaught, "Eve")
    assert info.value.status == "FAILED"
    assert "Eve may not pass" in str(info.value)


def test_retry_with_backoff_then_success(executor) -> None:
    key = uuid.uuid4().hex
    assert executor.run(Retried, key, 2) == 3
    assert _ATTEMPTS[key] == 3


def test_retries_exhausted_fail_the_workflow(executor) -> None:
    key = uuid.uuid4().hex
    with pytest.raises(WorkflowExecutionError, match="ConnectionError"):
        executor.run(Retried, key, 5)
    assert _ATTEMPTS[key] == 3


def test_timer_delays_the_workflow(executor) -> None:
    elapsed = executor.run(Sleepy, 2)
    assert elapsed >= 2
