"""The decision worker's history reads: sticky-cache hits, cache misses, no cache, pages.

Each run is driven by hand (one ``poll_once`` at a time) against the in-process model,
``swfobjects local`` over HTTP and moto's server, through a client proxy that records every
call and response. SWF answers ``startAtPreviousStartedEvent`` with the events from the
previous ``DecisionTaskStarted`` on; moto ignores the flag and sends the whole history, which
the worker must take as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from swfobjects import ActivityWorker, SWFExecutor, Workflow, activity_task, decision_task, signal
from swfobjects.exceptions import HistoryError
from swfobjects.model import InProcessClient, SwfModel
from swfobjects.worker._decisions import history_before, poll_request
from swfobjects.worker._pollers import ActivityWorkerRunner, DecisionWorker
from swfobjects.worker._retrying import Backoff

NO_WAIT = Backoff(base=0.0, cap=0.0, attempts=2, respond_attempts=2)
TIMEOUTS = {"execution_start_to_close_timeout": 120, "task_start_to_close_timeout": 30}


class Echo(ActivityWorker, task_list="decisions-echo", version="1"):
    @activity_task(
        start_to_close_timeout=30, schedule_to_start_timeout=60, schedule_to_close_timeout=90
    )
    def echo(self, i: int) -> int:
        return i


class Steps(Workflow, task_list="decisions-steps", version="1", **TIMEOUTS):
    echo = Echo.client()

    @decision_task
    async def run(self, n: int) -> int:
        total = 0
        for i in range(n):
            total += await self.echo.echo(i)
        return total


class Tally(Workflow, task_list="decisions-tally", version="1", **TIMEOUTS):
    def __init__(self) -> None:
        self.count = 0

    @signal
    def add(self) -> None:
        self.count += 1

    @decision_task
    async def run(self, needed: int) -> int:
        await self.wait_for(lambda: self.count >= needed)
        return self.count


class Recorder:
    """A client proxy recording ``(operation, request, response)``; ``meta`` passes through,
    so a boto3 client behind it still gets the fast history parser."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        if not callable(method):
            return method

        def call(**params: Any) -> Any:
            response = method(**params)
            self.calls.append((name, params, response))
            return response

        return call

    def named(self, operation: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(params, response) for name, params, response in self.calls if name == operation]


@pytest.fixture(params=["in-process", "local-http", pytest.param("moto", marks=pytest.mark.slow)])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    """``(name, client)`` for a fresh domain's worth of SWF."""
    if request.param == "in-process":
        yield "in-process", InProcessClient(SwfModel())
    elif request.param == "local-http":
        yield "local-http", request.getfixturevalue("local_swf").client()
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
        yield (
            "moto",
            boto3.client(
                "swf",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="moto",
                aws_secret_access_key="moto",
            ),
        )


def start(client: Any, workflow: type, arg: int) -> tuple[Recorder, str, dict[str, str]]:
    domain = f"decisions-{uuid.uuid4().hex[:10]}"
    executor = SWFExecutor(domain, client=client)
    executor.register(Steps, Tally, Echo)
    handle = executor.start(workflow, arg)
    return Recorder(client), domain, {"workflowId": handle.workflow_id, "runId": handle.run_id}


def closed_result(client: Any, domain: str, execution: dict[str, str]) -> Any:
    events = client.get_workflow_execution_history(
        domain=domain, execution=execution, reverseOrder=True, maximumPageSize=1
    )["events"]
    assert events[0]["eventType"] == "WorkflowExecutionCompleted", events[0]
    return events[0]["workflowExecutionCompletedEventAttributes"]["result"]


def run_steps(
    client: Any, n: int, *, fresh_decider: bool = False, cache_size: int = 1000
) -> tuple[Recorder, list[DecisionWorker], str, dict[str, str]]:
    """Run ``Steps(n)`` to completion, one poll at a time; a new decider per decision task
    with ``fresh_decider`` (every task then misses the cache, as on a restarted decider)."""
    recorder, domain, execution = start(client, Steps, n)
    deciders: list[DecisionWorker] = []

    def decider() -> DecisionWorker:
        if fresh_decider or not deciders:
            deciders.append(
                DecisionWorker(recorder, domain, [Steps], backoff=NO_WAIT, cache_size=cache_size)
            )
        return deciders[-1]

    activities = ActivityWorkerRunner(recorder, domain, [Echo()], backoff=NO_WAIT)
    for _ in range(n):
        assert decider().poll_once("decisions-steps") is True
        assert activities.poll_once("decisions-echo") is True
    assert decider().poll_once("decisions-steps") is True
    assert closed_result(client, domain, execution) == str(n * (n - 1) // 2)
    return recorder, deciders, domain, execution


def decision_polls(recorder: Recorder) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(p, r) for p, r in recorder.named("poll_for_decision_task") if r.get("taskToken")]


def test_a_sticky_decider_is_served_only_the_events_since_its_previous_task(backend):
    name, client = backend
    recorder, (decider,), _, _ = run_steps(client, 3)
    polls = decision_polls(recorder)
    assert len(polls) == 4 and all(p["startAtPreviousStartedEvent"] for p, _ in polls)
    assert (decider.handler.misses, decider.handler.hits) == (1, 3)
    assert recorder.named("get_workflow_execution_history") == []  # all from the polls
    for _, response in polls[1:]:
        first = response["events"][0]
        if name == "moto":  # moto ignores the flag: the whole history, taken as it is
            assert first["eventId"] == 1
        else:  # SWF: from the previous DecisionTaskStarted on, itself included
            assert first["eventId"] == response["previousStartedEventId"]
            assert first["eventType"] == "DecisionTaskStarted"


def test_a_cache_miss_reads_only_the_head_of_the_history(backend):
    name, client = backend
    recorder, deciders, _, _ = run_steps(client, 3, fresh_decider=True)
    assert [(d.handler.misses, d.handler.hits) for d in deciders] == [(1, 0)] * 4
    reads = recorder.named("get_workflow_execution_history")
    polls = decision_polls(recorder)
    if name == "moto":  # the poll brought event 1 on: nothing to read
        assert reads == []
        return
    assert len(reads) == 3  # every task but the first, which started at event 1
    for (params, history), (_, poll) in zip(reads, polls[1:], strict=True):
        assert "reverseOrder" not in params and params["maximumPageSize"] == 1000
        first = poll["events"][0]["eventId"]
        assert history["events"][0]["eventId"] == 1 and first > 1


def test_a_decider_without_a_cache_takes_the_whole_history_from_the_poll(backend):
    _, client = backend
    recorder, (decider,), _, _ = run_steps(client, 2, cache_size=0)
    polls = decision_polls(recorder)
    assert all("startAtPreviousStartedEvent" not in params for params, _ in polls)
    assert all(response["events"][0]["eventId"] == 1 for _, response in polls)
    assert recorder.named("get_workflow_execution_history") == []
    assert decider.handler.hits == 0


def test_poll_request_asks_for_full_pages_and_the_events_since_the_previous_task():
    request = poll_request("decision", "d", "t", "me")
    assert request["maximumPageSize"] == 1000 and request["startAtPreviousStartedEvent"]
    assert "startAtPreviousStartedEvent" not in poll_request(
        "decision", "d", "t", "me", since_previous=False
    )
    assert "maximumPageSize" not in poll_request("activity", "d", "t", "me")


def test_pages_of_a_long_history_on_a_hit_and_on_a_miss():
    """Over 1,000 events since the previous task: the poll pages on a hit; then a miss past
    event 1,000 reads both history pages to join the poll's events."""
    client = InProcessClient(SwfModel())
    recorder, domain, execution = start(client, Tally, 1_101)
    sticky = DecisionWorker(recorder, domain, [Tally], backoff=NO_WAIT)
    assert sticky.poll_once("decisions-tally") is True
    for _ in range(1_100):
        client.signal_workflow_execution(domain=domain, signalName="add", **execution)
    assert sticky.poll_once("decisions-tally") is True
    assert sticky.handler.hits == 1
    pages = decision_polls(recorder)[1:]  # events 3 (the previous started) to 1106
    assert [len(r["events"]) for _, r in pages] == [1000, 104]
    assert "nextPageToken" in pages[1][0]

    client.signal_workflow_execution(domain=domain, signalName="add", **execution)
    fresh = DecisionWorker(recorder, domain, [Tally], backoff=NO_WAIT)
    recorder.calls.clear()
    assert fresh.poll_once("decisions-tally") is True
    assert fresh.handler.misses == 1
    (_, poll), *more = decision_polls(recorder)
    assert more == []
    assert poll["events"][0]["eventId"] == poll["previousStartedEventId"] > 1000
    reads = recorder.named("get_workflow_execution_history")
    assert [len(history["events"]) for _, history in reads] == [1000, 110]  # both pages
    assert closed_result(client, domain, execution) == "1101"


class Pages:
    """A client serving a history of ``n`` events in pages of ``size``."""

    def __init__(self, n: int, size: int, skip: int = 0) -> None:
        self.events = [{"eventId": i} for i in range(1, n + 1) if i != skip]
        self.size = size
        self.reads = 0

    def get_workflow_execution_history(self, **params: Any) -> dict[str, Any]:
        self.reads += 1
        offset = int(params.get("nextPageToken", 0))
        page: dict[str, Any] = {"events": self.events[offset : offset + self.size]}
        if offset + self.size < len(self.events):
            page["nextPageToken"] = str(offset + self.size)
        return page


@pytest.mark.parametrize(("first", "reads"), [(2, 1), (5, 1), (6, 2), (9, 2), (10, 3)])
def test_history_before_stops_at_the_page_holding_the_event_before_first(first, reads):
    pages = Pages(12, 4)
    head = history_before(pages, "d", {"workflowId": "w", "runId": "r"}, first)  # type: ignore[arg-type]
    assert [e["eventId"] for e in head] == list(range(1, first))
    assert pages.reads == reads


@pytest.mark.parametrize(("n", "skip"), [(3, 0), (12, 2)])
def test_a_history_that_does_not_join_the_task_is_a_history_error(n, skip):
    with pytest.raises(HistoryError, match="do not join"):
        history_before(Pages(n, 4, skip), "d", {"workflowId": "w", "runId": "r"}, 8)  # type: ignore[arg-type]
