"""The SWF executor through a proxy that throttles 30% of calls and loses 10% of answers
after the service carried them out: every execution completes with the right result, starts
never fail spuriously, and an activity runs again only where SWF's at-least-once delivery
says it may (its earlier attempt timed out)."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter

import pytest
from botocore.config import Config

from swfobjects import ActivityWorker, RetryPolicy, Workflow, activity_task, decision_task
from swfobjects.client._swf_executor import SWFExecutor
from swfobjects.local import LocalSWF
from swfobjects.worker._retrying import Backoff
from tests.helpers.chaos import ChaosProxy

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RUNS: Counter[tuple[str, int]] = Counter()
_RUNS_LOCK = threading.Lock()


class ChaosSteps(ActivityWorker, task_list="chaos-steps", version="1.0"):
    @activity_task(
        start_to_close_timeout=1,
        schedule_to_start_timeout=30,
        retry=RetryPolicy(max_attempts=20, initial_interval=0.1, maximum_interval=0.5),
    )
    def step(self, workflow: str, n: int) -> int:
        with _RUNS_LOCK:
            RUNS[workflow, n] += 1
        return n * 10


class ChaosFlow(Workflow, task_list="chaos-flow", version="1.0"):
    steps = ChaosSteps.client()

    @decision_task(execution_start_to_close_timeout=300, task_start_to_close_timeout=1)
    async def run(self, name: str) -> int:
        total = 0
        for n in range(3):
            total += await self.steps.step(name, n)
        return total


def test_throttling_and_lost_answers_lose_nothing() -> None:
    RUNS.clear()
    with LocalSWF(poll_timeout=1) as swf, ChaosProxy(swf.port, seed=7) as proxy:
        executor = SWFExecutor(
            f"chaos-{uuid.uuid4().hex[:8]}",
            # botocore's own retries off: the executor's RetryingClient must cope alone
            client=swf.client(
                endpoint_url=proxy.endpoint_url,
                config=Config(read_timeout=30, retries={"max_attempts": 1}),
            ),
            backoff=Backoff(base=0.02, cap=0.3, attempts=12),
            poll_interval=0.1,
        )
        executor.register(ChaosFlow, ChaosSteps)
        with executor.running(ChaosFlow, ChaosSteps()):
            handles = [
                executor.start(ChaosFlow, f"wf{i}", workflow_id=f"chaos-{i}") for i in range(4)
            ]
            results = [handle.result(timeout=120) for handle in handles]
        assert results == [30] * 4
        timed_out = Counter[tuple[str, int]]()
        for handle in handles:
            events = swf.client().get_workflow_execution_history(
                domain=executor.domain,
                execution={"workflowId": handle.workflow_id, "runId": handle.run_id},
                maximumPageSize=1000,
            )["events"]
            scheduled = {
                e["eventId"]: e["activityTaskScheduledEventAttributes"]["input"]
                for e in events
                if e["eventType"] == "ActivityTaskScheduled"
            }
            for e in events:
                if e["eventType"] == "ActivityTaskTimedOut":
                    attrs = e["activityTaskTimedOutEventAttributes"]
                    step = json.loads(scheduled[attrs["scheduledEventId"]])
                    timed_out[step["workflow"], step["n"]] += 1
        for key, runs in RUNS.items():
            assert runs <= 1 + timed_out[key], (key, runs, timed_out[key])
        assert sorted(RUNS) == [(f"wf{i}", n) for i in range(4) for n in range(3)]
    lost = sum(count for (_, fate), count in proxy.fates.items() if fate == "lose")
    throttled = sum(count for (_, fate), count in proxy.fates.items() if fate == "throttle")
    assert lost > 5 and throttled > 20, proxy.fates
