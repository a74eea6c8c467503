"""simpleflow's side of ``python -m benchmarks.replay --compare``; runs in simpleflow's venv.

    SIMPLEFLOW_PYTHON benchmarks/_simpleflow_replay.py HISTORIES.json [--once NAME [--skip]]

``HISTORIES.json`` holds swfobjects' recorded histories by workflow (``Sequential``,
``FanOut``), cut after their last ``DecisionTaskStarted``. Each is translated to what
simpleflow would have recorded for the same workflow (its activity ids, types and JSON
encoding; same event types, ids and links), replayed once to check that simpleflow completes it
with the right sum, then ``ready`` is printed. Each line read afterwards names a workflow: it
is replayed once, as simpleflow's decider does for a decision task (``History`` built from the
poll's events, then ``Executor.replay``), and the CPU seconds taken are printed. simpleflow's
INFO log line per replay is silenced, which only flatters it.

With ``--once NAME`` (for ``--instructions``), it replays ``NAME`` once after the check and
exits (``--skip``: exits before that replay), as ``benchmarks/_replay_once.py`` does on
swfobjects' side.

This file imports simpleflow, which is not a dependency of swfobjects: nothing else imports it.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
from typing import Any

from simpleflow import Workflow, activity, futures
from simpleflow.swf.executor import Executor
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.models.history import History
from simpleflow.swf.mapper.responses import Response


@activity.with_attributes(task_list="bench-noop", version="1")
def noop(i: int) -> int:
    return i


class Sequential(Workflow):
    name = "bench-seq"
    version = "1"
    task_list = "bench-seq"

    def run(self, n: int) -> int:
        total = 0
        for i in range(n):
            total += self.submit(noop, i).result
        return total


class FanOut(Workflow):
    name = "bench-fan"
    version = "1"
    task_list = "bench-fan"

    def run(self, n: int) -> int:
        calls = [self.submit(noop, i) for i in range(n)]
        futures.wait(*calls)
        return sum(call.result for call in calls)


WORKFLOWS = {"Sequential": Sequential, "FanOut": FanOut}
ACTIVITY = noop.name  # module-qualified, as simpleflow schedules it


def translate(events: list[dict[str, Any]], workflow: type) -> tuple[list[dict[str, Any]], int]:
    """simpleflow's version of an swfobjects history, and the sum the run must return."""
    out: list[dict[str, Any]] = []
    index_of: dict[int, int] = {}  # scheduled event id -> activity index
    for event in events:
        kind = event["eventType"]
        base = {"eventId": event["eventId"], "eventType": kind, "eventTimestamp": 1.0}
        key = kind[0].lower() + kind[1:] + "EventAttributes"
        attributes = dict(event.get(key) or {})
        if kind == "WorkflowExecutionStarted":
            attributes = {
                "input": "",  # set below, once the number of activities is known
                "workflowType": {"name": workflow.name, "version": workflow.version},
                "taskList": {"name": workflow.task_list},
                "childPolicy": "TERMINATE",
            }
        elif kind == "ActivityTaskScheduled":
            i = len(index_of)
            index_of[event["eventId"]] = i
            attributes = {
                "activityId": f"activity-{ACTIVITY}-{i + 1}",
                "activityType": {"name": ACTIVITY, "version": "1"},
                "input": json.dumps({"args": [i], "kwargs": {}}, separators=(",", ":")),
                "taskList": {"name": "bench-noop"},
                "decisionTaskCompletedEventId": attributes["decisionTaskCompletedEventId"],
            }
        elif kind == "ActivityTaskCompleted":
            attributes["result"] = json.dumps(index_of[attributes["scheduledEventId"]])
        out.append({**base, key: attributes})
    n = len(index_of)
    started = out[0]["workflowExecutionStartedEventAttributes"]
    started["input"] = json.dumps({"args": [n], "kwargs": {}})
    return out, sum(range(n))


def replay(workflow: type, events: list[dict[str, Any]]) -> Any:
    executor = Executor(Domain("bench"), workflow)
    history = History.from_event_list(events)
    return executor.replay(Response(history=history, execution=None))


def main() -> None:
    logging.disable(logging.INFO)
    with open(sys.argv[1]) as handle:
        recorded = json.load(handle)
    histories = {}
    for name, events in recorded.items():
        translated, expected = translate(events, WORKFLOWS[name])
        decisions = replay(WORKFLOWS[name], translated).decisions
        attributes = decisions[0].get("completeWorkflowExecutionDecisionAttributes", {})
        if len(decisions) != 1 or json.loads(attributes.get("result", "null")) != expected:
            raise SystemExit(f"simpleflow did not complete {name} with {expected}: {decisions}")
        histories[name] = translated
    if "--once" in sys.argv:  # for --instructions: see benchmarks/_replay_once.py
        gc.collect()
        if "--skip" not in sys.argv:
            name = sys.argv[sys.argv.index("--once") + 1]
            replay(WORKFLOWS[name], histories[name])
        return
    print("ready", flush=True)
    for line in sys.stdin:
        name = line.strip()
        start = time.process_time()
        replay(WORKFLOWS[name], histories[name])
        print(time.process_time() - start, flush=True)


if __name__ == "__main__":
    main()
