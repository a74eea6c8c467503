"""Many pollers, one service: each task is handed to exactly one poller."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from swfobjects.local import LocalSWF
from tests.helpers.local_support import DOMAIN, WORKFLOW, register, schedule

pytestmark = pytest.mark.slow

POLLERS = 8
TASKS = 500


def _run_pollers(swf, target, count):
    errors: list[BaseException] = []

    def guarded():
        try:
            target(swf.client())
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=guarded) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_500_activity_tasks_8_pollers_each_delivered_once():
    with LocalSWF(poll_timeout=0.3) as swf:
        client = swf.client()
        register(client)
        run = client.start_workflow_execution(
            domain=DOMAIN, workflowId="fan", workflowType=WORKFLOW
        )["runId"]
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[schedule(f"a{i}", input=str(i)) for i in range(TASKS)],
        )
        delivered: list[str] = []
        lock = threading.Lock()

        def poller(worker):
            while True:
                got = worker.poll_for_activity_task(
                    domain=DOMAIN, taskList={"name": "activities"}, identity="w"
                )
                if not got.get("taskToken"):
                    return
                with lock:
                    delivered.append(got["activityId"])
                worker.respond_activity_task_completed(taskToken=got["taskToken"], result="ok")

        _run_pollers(swf, poller, POLLERS)
        counts = Counter(delivered)
        assert len(counts) == TASKS
        assert set(counts.values()) == {1}
        pages = client.get_paginator("get_workflow_execution_history").paginate(
            domain=DOMAIN, execution={"workflowId": "fan", "runId": run}
        )
        kinds = Counter(e["eventType"] for p in pages for e in p["events"])
        assert kinds["ActivityTaskStarted"] == TASKS
        assert kinds["ActivityTaskCompleted"] == TASKS


def test_decision_tasks_8_pollers_each_delivered_once():
    with LocalSWF(poll_timeout=0.3) as swf:
        client = swf.client()
        register(client)
        for i in range(40):
            client.start_workflow_execution(
                domain=DOMAIN, workflowId=f"w{i}", workflowType=WORKFLOW
            )
        delivered: list[str] = []
        lock = threading.Lock()

        def decider(worker):
            while True:
                got = worker.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
                if not got.get("taskToken"):
                    return
                with lock:
                    delivered.append(got["workflowExecution"]["workflowId"])
                worker.respond_decision_task_completed(
                    taskToken=got["taskToken"],
                    decisions=[{"decisionType": "CompleteWorkflowExecution"}],
                )

        _run_pollers(swf, decider, POLLERS)
        assert sorted(delivered) == sorted(f"w{i}" for i in range(40))
        closed = client.count_closed_workflow_executions(
            domain=DOMAIN,
            startTimeFilter={"oldestDate": 0},
            closeStatusFilter={"status": "COMPLETED"},
        )
        assert closed["count"] == 40
