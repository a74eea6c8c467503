"""Throughput of ``swfobjects local`` on loopback, measured with boto3 clients.

Starts the service as its own process (as a developer would: ``swfobjects local``), then:

1. API calls/s: N client processes, each a boto3 client calling a cheap read
   (``CountPendingActivityTasks``) and a cheap write (``SignalWorkflowExecution``) in turn;
2. the same load from a raw keep-alive HTTP client (no boto3 overhead): the service's own ceiling;
3. activity round trips/s: schedule -> poll -> complete -> decide, with a decider process and
   an activity-worker process working on several executions at once.

Usage: ``python benchmarks/local_service.py [--seconds 5] [--clients 2] [--db FILE]``.
Prints machine information and one line per figure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import socket
import subprocess
import sys
import time

DOMAIN = "bench"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(read_timeout=70, retries={"max_attempts": 1}),
    )


def _setup(endpoint: str) -> None:
    client = _client(endpoint)
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=DOMAIN,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    client.register_activity_type(
        domain=DOMAIN,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="NONE",
        defaultTaskScheduleToCloseTimeout="NONE",
        defaultTaskStartToCloseTimeout="300",
        defaultTaskHeartbeatTimeout="NONE",
    )
    client.start_workflow_execution(
        domain=DOMAIN,
        workflowId="signals",
        workflowType={"name": "wf", "version": "1"},
        taskList={"name": "nobody-decides-this"},
    )


def _boto_load(endpoint: str, seconds: float, result: mp.Queue) -> None:  # type: ignore[type-arg]
    client = _client(endpoint)
    client.list_domains(registrationStatus="REGISTERED")  # warm up the connection
    calls, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        client.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "activities"})
        client.signal_workflow_execution(domain=DOMAIN, workflowId="signals", signalName="s")
        calls += 2
    result.put(calls)


def _raw_load(endpoint: str, seconds: float, result: mp.Queue) -> None:  # type: ignore[type-arg]
    host, port = endpoint.rsplit("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port))
    body = json.dumps({"domain": DOMAIN, "taskList": {"name": "activities"}})
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "SimpleWorkflowService.CountPendingActivityTasks",
    }
    calls, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn.request("POST", "/", body, headers)
        conn.getresponse().read()
        calls += 1
    result.put(calls)


def _decider(endpoint: str, executions: int, per_execution: int) -> None:
    client = _client(endpoint)
    done: dict[str, int] = {}
    closed = 0
    while closed < executions:
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        if not task.get("taskToken"):
            continue
        workflow_id = task["workflowExecution"]["workflowId"]
        completed = sum(1 for e in task["events"] if e["eventType"] == "ActivityTaskCompleted")
        done[workflow_id] = completed
        if completed >= per_execution:
            decisions = [{"decisionType": "CompleteWorkflowExecution"}]
            closed += 1
        else:
            decisions = [
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": {"name": "act", "version": "1"},
                        "activityId": f"a{completed}",
                        "input": "x",
                    },
                }
            ]
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)


def _worker(endpoint: str, total: int) -> None:
    client = _client(endpoint)
    for _ in range(total):
        while True:
            task = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})
            if task.get("taskToken"):
                break
        client.respond_activity_task_completed(taskToken=task["taskToken"], result="y")


def _role(kind: str, endpoint: str, executions: int, activities: int) -> None:
    if kind == "decider":
        _decider(endpoint, executions, activities)
    else:
        _worker(endpoint, executions * activities)


def _parallel(target, args_list):  # type: ignore[no-untyped-def]
    procs = [mp.Process(target=target, args=args) for args in args_list]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return time.perf_counter() - started


def _load(target, endpoint: str, seconds: float, clients: int) -> float:  # type: ignore[no-untyped-def]
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    _parallel(target, [(endpoint, seconds, queue) for _ in range(clients)])
    return sum(queue.get() for _ in range(clients)) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=2, help="client processes for API calls")
    parser.add_argument("--executions", type=int, default=8)
    parser.add_argument("--activities", type=int, default=25, help="per execution")
    parser.add_argument("--db", help="SQLite journal (measures persistence cost)")
    args = parser.parse_args()

    import boto3

    print(f"machine: {platform.machine()} {platform.processor() or ''} cores={os.cpu_count()}")
    print(f"python {platform.python_version()} on {platform.platform()}; boto3 {boto3.__version__}")
    port = _free_port()
    command = [sys.executable, "-m", "swfobjects._cli", "local", "--port", str(port)]
    if args.db:
        command += ["--db", args.db]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # "... SWF endpoint at http://..."
        endpoint = line.strip().rsplit(" ", 1)[1]
        print(f"service: {endpoint} ({'journal ' + args.db if args.db else 'in memory'})")
        _setup(endpoint)
        for clients in sorted({1, args.clients}):
            rate = _load(_boto_load, endpoint, args.seconds, clients)
            print(f"API calls/s, boto3, {clients} client process(es): {rate:,.0f}")
        rate = _load(_raw_load, endpoint, args.seconds, 1)
        print(f"API calls/s, raw keep-alive HTTP, 1 client process: {rate:,.0f}")
        total = args.executions * args.activities
        client = _client(endpoint)
        for i in range(args.executions):
            client.start_workflow_execution(
                domain=DOMAIN, workflowId=f"rt{i}", workflowType={"name": "wf", "version": "1"}
            )
        elapsed = _parallel(
            _role,
            [(kind, endpoint, args.executions, args.activities) for kind in ("decider", "worker")],
        )
        print(
            f"activity round trips/s (schedule -> poll -> complete -> decide, "
            f"{args.executions} executions in parallel): {total / elapsed:,.0f} "
            f"({total} in {elapsed:.2f} s, 4 API calls each)"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
