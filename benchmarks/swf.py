"""SWFExecutor end to end against ``swfobjects local``, next to a hand-written boto3 loop.

    python -m benchmarks.swf [--quick] [--json FILE] [--activities N] [--repeat R]
                             [--activity-threads T] [--profile] [--cprofile]

One in-process ``LocalSWF`` on 127.0.0.1 serves both contenders. Each runs one workflow of
``N`` no-op activities (default 1,000; ``--quick``: 20), sequential (one after another) and
fan-out (all scheduled at once):

* framework: ``SWFExecutor.running(...)`` with the ``Sequential``/``FanOut`` workflows and the
  ``Noop`` worker of ``benchmarks/_histories.py`` (replay decider, sticky cache, payload codec,
  retrying client, poll loops);
* hand-written: the minimal boto3 loop a user would write instead: a decider that polls with
  history paging (``startAtPreviousStartedEvent``, pages of 1,000, as the framework does),
  counts completions in the new events and schedules the next activity or completes the run;
  an activity worker that polls and answers. Same decision attributes and payloads.

Both use the same thread counts (1 decision thread, ``--activity-threads`` activity threads),
one shared boto3 client each with the same configuration, and their own domain. The time of a
run is from just before ``StartWorkflowExecution`` to the service's ``closeTimestamp``, so the
way the caller waits for the result does not count. Runs alternate between the two contenders
and the best of ``--repeat`` is kept. The ratio framework / hand-written is the figure of merit
(the target is at most 1.2). The service shares this process and its GIL with both, which is
the same handicap for each.

``--profile`` runs only the framework, in four scenarios (a small and a large sequential
history, a fan-out, and no sticky cache, where every decision task reads the whole history),
and prints the decision thread's CPU per decision task split into botocore's signing,
validation, serialization, HTTP, parsing and the rest of botocore, our replay, and the rest of
our worker (see ``benchmarks/_cpu_split.py`` for how). ``--cprofile`` also runs the framework
once more under cProfile (one profiler per poll thread, merged) and prints where its threads
spend their time.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.config import Config

from benchmarks._cpu_split import CATEGORIES, CpuSplit
from benchmarks._histories import FanOut, Noop, Sequential
from benchmarks._report import finish, parser, print_table
from swfobjects import SWFExecutor
from swfobjects.local import LocalSWF
from swfobjects.worker._pollers import _PollLoop

POLL_TIMEOUT = 1.0
"""Seconds an empty poll waits in the local service: only matters when the workers stop."""

CONFIG = Config(
    read_timeout=POLL_TIMEOUT + 10,
    connect_timeout=5,
    retries={"mode": "standard", "max_attempts": 2},
    max_pool_connections=16,
)
"""The one boto3 client configuration both contenders use."""

ACTIVITY_TASK_LIST = "bench-noop"
WORKFLOWS = {"Sequential": Sequential, "FanOut": FanOut}


# --- timing helpers ------------------------------------------------------------------------


def _wait_closed(client: Any, domain: str, execution: dict[str, str], timeout: float) -> float:
    """The run's close time (epoch seconds, the service's clock), waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        info = client.describe_workflow_execution(domain=domain, execution=execution)
        info = info["executionInfo"]
        if info["executionStatus"] == "CLOSED":
            if info.get("closeStatus") != "COMPLETED":
                raise RuntimeError(f"run {execution} closed as {info.get('closeStatus')}")
            return float(info["closeTimestamp"].timestamp())
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {execution} still open after {timeout} s")
        time.sleep(0.05)


# --- the framework -------------------------------------------------------------------------


class Framework:
    """The SWFExecutor with the benchmark workflows, workers running for the whole session."""

    name = "framework"

    def __init__(self, swf: LocalSWF, activity_threads: int, cache_size: int = 1000) -> None:
        self.client = swf.client(config=CONFIG)
        self.executor = SWFExecutor("bench-framework", client=self.client, cache_size=cache_size)
        self.executor.register(Sequential, FanOut, Noop)
        self.activity_threads = activity_threads
        self.decision_tasks = 0

    def run(self, workflow_name: str, n: int) -> tuple[float, float, int]:
        """Wall and process CPU seconds of one run of ``n`` activities; its decision tasks."""
        workflow = WORKFLOWS[workflow_name]
        with self.executor.running(
            workflow, Noop(), decision_threads=1, activity_threads=self.activity_threads
        ) as workers:
            decider = workers.loops[0]
            before = decider.handled
            started, cpu = time.time(), time.process_time()
            handle = self.executor.start(workflow, n)
            execution = {"workflowId": handle.workflow_id, "runId": handle.run_id}
            closed = _wait_closed(self.client, self.executor.domain, execution, 600)
            cpu = time.process_time() - cpu
            assert handle.result() == n * (n - 1) // 2
            tasks = decider.handled - before
        return closed - started, cpu, tasks


# --- the hand-written loop -----------------------------------------------------------------


class HandWritten:
    """What one would write with boto3 alone: no replay, a counter per run."""

    name = "hand-written"
    domain = "bench-boto3"

    def __init__(self, swf: LocalSWF, activity_threads: int) -> None:
        self.client = swf.client(config=CONFIG)
        self.activity_threads = activity_threads
        self.identity = "hand-written"
        self.results: dict[str, int] = {}
        self._state: dict[str, dict[str, int]] = {}
        self._register()

    def _register(self) -> None:
        client = self.client
        client.register_domain(name=self.domain, workflowExecutionRetentionPeriodInDays="1")
        for name, workflow in WORKFLOWS.items():
            client.register_workflow_type(
                domain=self.domain,
                name=name,
                version="1",
                defaultTaskList={"name": workflow._swf_workflow.task_list},  # type: ignore[attr-defined]
                defaultExecutionStartToCloseTimeout="86400",
                defaultTaskStartToCloseTimeout="60",
                defaultChildPolicy="TERMINATE",
            )
        client.register_activity_type(
            domain=self.domain,
            name="Noop.noop",
            version="1",
            defaultTaskList={"name": ACTIVITY_TASK_LIST},
            defaultTaskScheduleToStartTimeout="NONE",
            defaultTaskScheduleToCloseTimeout="NONE",
            defaultTaskStartToCloseTimeout="60",
            defaultTaskHeartbeatTimeout="NONE",
        )

    def run(self, workflow_name: str, n: int) -> tuple[float, float, int]:
        """Wall and process CPU seconds of one run of ``n`` activities; its decision tasks."""
        task_list = WORKFLOWS[workflow_name]._swf_workflow.task_list  # type: ignore[attr-defined]
        parallel = 1 if workflow_name == "Sequential" else n
        stop = threading.Event()
        counts = {"decision_tasks": 0}
        threads = [
            threading.Thread(target=self._decider, args=(task_list, parallel, stop, counts))
        ] + [
            threading.Thread(target=self._worker, args=(stop,))
            for _ in range(self.activity_threads)
        ]
        for thread in threads:
            thread.start()
        try:
            started, cpu = time.time(), time.process_time()
            workflow_id = f"{workflow_name}-{time.time_ns()}"
            run_id = self.client.start_workflow_execution(
                domain=self.domain,
                workflowId=workflow_id,
                workflowType={"name": workflow_name, "version": "1"},
                input=json.dumps({"n": n}),
            )["runId"]
            execution = {"workflowId": workflow_id, "runId": run_id}
            closed = _wait_closed(self.client, self.domain, execution, 600)
            cpu = time.process_time() - cpu
            assert self.results.pop(run_id) == n * (n - 1) // 2
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        return closed - started, cpu, counts["decision_tasks"]

    # the decider: poll (all pages), count, decide

    def _decider(
        self, task_list: str, parallel: int, stop: threading.Event, counts: dict[str, int]
    ) -> None:
        client = self.client
        poll = {
            "domain": self.domain,
            "taskList": {"name": task_list},
            "identity": self.identity,
            "maximumPageSize": 1000,
            "startAtPreviousStartedEvent": True,
        }
        while not stop.is_set():
            page = client.poll_for_decision_task(**poll)
            token = page.get("taskToken")
            if not token:
                continue
            events = page["events"]
            while page.get("nextPageToken"):
                page = client.poll_for_decision_task(**poll, nextPageToken=page["nextPageToken"])
                events += page["events"]
            run_id = page["workflowExecution"]["runId"]
            decisions = self._decide(run_id, events, parallel)
            client.respond_decision_task_completed(taskToken=token, decisions=decisions)
            counts["decision_tasks"] += 1

    def _decide(self, run_id: str, events: list[dict[str, Any]], parallel: int) -> list[Any]:
        state = self._state.setdefault(run_id, {"n": 0, "scheduled": 0, "done": 0, "total": 0})
        for event in events:
            kind = event["eventType"]
            if kind == "ActivityTaskCompleted":
                state["done"] += 1
                state["total"] += json.loads(
                    event["activityTaskCompletedEventAttributes"]["result"]
                )
            elif kind == "WorkflowExecutionStarted":
                attributes = event["workflowExecutionStartedEventAttributes"]
                state["n"] = json.loads(attributes["input"])["n"]
            elif kind in ("ActivityTaskFailed", "ActivityTaskTimedOut"):
                raise RuntimeError(f"run {run_id}: {kind}")
        if state["done"] == state["n"]:
            del self._state[run_id]
            self.results[run_id] = state["total"]
            return [
                {
                    "decisionType": "CompleteWorkflowExecution",
                    "completeWorkflowExecutionDecisionAttributes": {
                        "result": json.dumps(state["total"])
                    },
                }
            ]
        decisions = []
        while state["scheduled"] < state["n"] and state["scheduled"] - state["done"] < parallel:
            i = state["scheduled"]
            state["scheduled"] += 1
            decisions.append(
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": {"name": "Noop.noop", "version": "1"},
                        "activityId": str(i + 1),
                        "taskList": {"name": ACTIVITY_TASK_LIST},
                        "scheduleToStartTimeout": "NONE",
                        "scheduleToCloseTimeout": "NONE",
                        "startToCloseTimeout": "60",
                        "heartbeatTimeout": "NONE",
                        "input": json.dumps({"i": i}),
                    },
                }
            )
        return decisions

    # the activity worker: poll, run, answer

    def _worker(self, stop: threading.Event) -> None:
        client = self.client
        while not stop.is_set():
            task = client.poll_for_activity_task(
                domain=self.domain, taskList={"name": ACTIVITY_TASK_LIST}, identity=self.identity
            )
            token = task.get("taskToken")
            if not token:
                continue
            i = json.loads(task["input"])["i"]
            client.respond_activity_task_completed(taskToken=token, result=json.dumps(i))


# --- profiling -----------------------------------------------------------------------------

PROFILES = (
    ("small history", "Sequential", 20, 1000),
    ("large history", "Sequential", 1000, 1000),
    ("fan-out", "FanOut", 1000, 1000),
    ("no sticky cache", "Sequential", 250, 0),
)
"""``--profile`` scenarios: (label, workflow, activities, sticky cache size). Without the cache
every decision task reads the whole history (over 1,000 events from activity 170 on: pages)."""


def profile_split(swf: LocalSWF, activity_threads: int, quick: bool) -> list[dict[str, Any]]:
    """The decision thread's CPU per decision task, split by :data:`CATEGORIES`, per scenario."""
    results = []
    for label, workflow_name, n, cache_size in PROFILES:
        n = min(n, 20) if quick else n
        split = CpuSplit()
        framework = Framework(swf, activity_threads, cache_size=cache_size)
        with split.active():
            framework.run(workflow_name, n)
        figures = {category: seconds * 1e6 for category, seconds in split.per_task().items()}
        results.append(
            {
                "scenario": label,
                "workflow": workflow_name,
                "activities": n,
                "cache_size": cache_size,
                "decision_tasks": split.tasks,
                "calls_per_task": split.calls / max(split.tasks, 1),
                "events_per_task": split.events / max(split.tasks, 1),
                "us_per_task": figures,
            }
        )
    return results


def print_split(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        us = r["us_per_task"]
        botocore = sum(
            us[c] for c in ("sign", "validate", "serialize", "http", "parse", "botocore")
        )
        rows.append(
            [
                r["scenario"],
                f"{r['workflow']} {r['activities']}",
                r["decision_tasks"],
                r["calls_per_task"],
                r["events_per_task"],
                *(us[c] for c in CATEGORIES),
                us["total"],
                f"{100 * botocore / us['total']:.0f}%" if us["total"] else "-",
            ]
        )
    print_table(
        "Decision thread CPU per decision task (us, thread_time, exclusive), "
        "SWFExecutor on swfobjects local over HTTP",
        [
            "scenario",
            "workflow",
            "tasks",
            "calls/task",
            "events/task",
            *CATEGORIES,
            "total",
            "botocore+http",
        ],
        rows,
    )
    print(
        "  sign/validate/serialize/http/parse/botocore: botocore's request signing, parameter "
        "validation, serialization, HTTP\n  (urllib3), response parsing, and the rest of "
        "botocore; replay: Decider.feed/decisions; worker: the rest of poll_once"
    )


def profile_framework(swf: LocalSWF, workflow_name: str, n: int, activity_threads: int) -> str:
    """Run the framework once with a CPU-time cProfile per poll thread; the merged top lines."""
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()
    original: Callable[..., None] = _PollLoop._loop

    def profiled(self: _PollLoop, task_list: str) -> None:
        profile = cProfile.Profile(time.thread_time)  # CPU of this thread, not waits
        with lock:
            profiles.append(profile)
        profile.runcall(original, self, task_list)

    _PollLoop._loop = profiled  # type: ignore[method-assign]
    try:
        Framework(swf, activity_threads).run(workflow_name, n)
    finally:
        _PollLoop._loop = original  # type: ignore[method-assign]
    out = io.StringIO()
    stats = pstats.Stats(profiles[0], stream=out)
    for profile in profiles[1:]:
        stats.add(profile)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats("swfobjects", 30)
    return out.getvalue()


# --- main ---


def _compare(contenders: list[Any], workflow_name: str, n: int, repeat: int) -> dict[str, Any]:
    """Alternate the contenders ``repeat`` times; the best wall time of each, and its ratio."""
    runs: dict[str, list[tuple[float, float, int]]] = {c.name: [] for c in contenders}
    for _ in range(repeat):
        for contender in contenders:
            runs[contender.name].append(contender.run(workflow_name, n))
    best = {name: min(values) for name, values in runs.items()}
    fw, hw = best["framework"], best["hand-written"]
    return {
        "workflow": workflow_name,
        "activities": n,
        "decision_threads": 1,
        "repeat": repeat,
        "framework_seconds": fw[0],
        "handwritten_seconds": hw[0],
        "ratio": fw[0] / hw[0],
        "framework_cpu_seconds": fw[1],
        "handwritten_cpu_seconds": hw[1],
        "cpu_ratio": fw[1] / hw[1],
        "framework_decision_tasks": fw[2],
        "handwritten_decision_tasks": hw[2],
        "framework_all_seconds": [r[0] for r in runs["framework"]],
        "handwritten_all_seconds": [r[0] for r in runs["hand-written"]],
        "framework_median_seconds": statistics.median(r[0] for r in runs["framework"]),
        "handwritten_median_seconds": statistics.median(r[0] for r in runs["hand-written"]),
    }


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--activities", type=int, help="activities per workflow (1,000)")
    arguments.add_argument("--repeat", type=int, help="runs per contender, best kept (3)")
    arguments.add_argument("--activity-threads", type=int, default=2)
    arguments.add_argument(
        "--profile",
        action="store_true",
        help="only the decision thread's CPU per decision task, split (botocore, replay, ...)",
    )
    arguments.add_argument(
        "--cprofile", action="store_true", help="also cProfile the framework's poll threads"
    )
    args = arguments.parse_args()
    n = args.activities or (20 if args.quick else 1_000)
    repeat = args.repeat or (1 if args.quick else 3)
    results = []
    rows = []
    if args.profile:
        with LocalSWF(poll_timeout=POLL_TIMEOUT) as swf:
            split = profile_split(swf, args.activity_threads, args.quick)
        print_split(split)
        load = os.getloadavg()
        print(f"  load average during the runs: {load[0]:.1f} (noisy above the core count)")
        finish(args, "swf", {"profile": split, "load_average": load[0]})
        return
    with LocalSWF(poll_timeout=POLL_TIMEOUT) as swf:
        contenders = [
            Framework(swf, args.activity_threads),
            HandWritten(swf, args.activity_threads),
        ]
        for workflow_name in WORKFLOWS:
            figures = _compare(contenders, workflow_name, n, repeat)
            figures["activity_threads"] = args.activity_threads
            results.append(figures)
            rows.append(
                [
                    workflow_name,
                    n,
                    figures["framework_seconds"],
                    figures["handwritten_seconds"],
                    figures["ratio"],
                    f"{figures['framework_cpu_seconds']:.2f} / "
                    f"{figures['handwritten_cpu_seconds']:.2f}",
                    figures["cpu_ratio"],
                    f"{figures['framework_decision_tasks']} / "
                    f"{figures['handwritten_decision_tasks']}",
                ]
            )
        print_table(
            f"SWFExecutor vs hand-written boto3 on swfobjects local, no-op activities "
            f"(1 decision + {args.activity_threads} activity threads each, best of {repeat})",
            [
                "workflow",
                "activities",
                "framework s",
                "hand-written s",
                "ratio",
                "CPU s (fw / hw)",
                "CPU ratio",
                "decision tasks (fw / hw)",
            ],
            rows,
        )
        print(
            "  ratio = framework / hand-written wall time (target <= 1.2); CPU = this process "
            "(service included) during the run"
        )
        if args.cprofile:
            for workflow_name in WORKFLOWS:
                print(
                    f"\ncProfile (thread CPU time) of the framework poll threads, "
                    f"{workflow_name}, n={n}"
                )
                print(profile_framework(swf, workflow_name, n, args.activity_threads))
    load = os.getloadavg()
    print(f"  load average during the runs: {load[0]:.1f} (noisy above the core count)")
    finish(args, "swf", {"runs": results, "load_average": load[0]})


if __name__ == "__main__":
    main()
