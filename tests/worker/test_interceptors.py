"""Interceptors: when each hook runs, in which order, and how headers travel in SWF data."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from swfobjects import (
    ActivityWorker,
    RetryPolicy,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
)
from swfobjects.exceptions import SerializationError
from swfobjects.payloads._headers import HEADERS_KEY, split_headers, with_headers
from swfobjects.replay import decide
from swfobjects.worker import (
    ActivityExecution,
    DecisionTask,
    Interceptor,
    OutgoingCall,
    WorkflowClose,
    WorkflowRun,
)
from swfobjects.worker._activities import ActivityRunner
from swfobjects.workflow import call_activity
from tests.helpers.histories import scheduled_attributes

_flaky_calls: dict[str, int] = {}


class HookJobs(ActivityWorker, task_list="hook-jobs", version="1.0"):
    @activity_task(start_to_close_timeout=30)
    def double(self, n: int) -> int:
        return 2 * n

    @activity_task(start_to_close_timeout=30, retry=RetryPolicy(max_attempts=2, initial_interval=1))
    def flaky(self, key: str) -> str:
        _flaky_calls[key] = _flaky_calls.get(key, 0) + 1
        if _flaky_calls[key] == 1:
            raise ValueError("first attempt fails")
        return key


class HookChild(Workflow, task_list="hook-child", version="1.0"):
    jobs = HookJobs.client()

    @decision_task(execution_start_to_close_timeout=300)
    async def run(self, n: int) -> int:
        return await self.jobs.double(n)


class HookParent(Workflow, task_list="hook-parent", version="1.0"):
    jobs = HookJobs.client()
    child = HookChild.client()

    @decision_task(execution_start_to_close_timeout=300)
    async def run(self, key: str) -> str:
        doubled = await self.child.run(3)
        flaky = await self.jobs.flaky(key)
        return f"{flaky}:{doubled}"


class HookFails(Workflow, task_list="hook-fails", version="1.0"):
    @decision_task(execution_start_to_close_timeout=300)
    async def run(self) -> None:
        raise RuntimeError("the workflow fails")


class HookByName(Workflow, task_list="hook-by-name", version="1.0"):
    @decision_task(execution_start_to_close_timeout=300)
    async def run(self) -> int:
        result: int = await call_activity("HookJobs.double", "1.0", 4, result_type=int)
        return result


class Recorder(Interceptor):
    """Records every hook call as a tuple, and adds a header naming itself."""

    def __init__(self, name: str, log: list[tuple[Any, ...]]) -> None:
        self.name = name
        self.log = log
        self.lock = threading.Lock()

    def _add(self, *entry: Any) -> None:
        with self.lock:
            self.log.append((self.name, *entry))

    def outgoing_call(self, call: OutgoingCall) -> None:
        self._add("outgoing", call.kind, call.name, dict(call.headers), call.replaying)
        if call.kind != "signal":
            call.headers[self.name] = f"{call.kind}:{call.target_id}"

    def decision_task(self, task: DecisionTask, call_next: Callable[[], None]) -> None:
        self._add("decision>", task.workflow_name, task.run)
        call_next()
        assert task.run is not None
        self._add("decision<", task.workflow_name, dict(task.run.headers), len(task.decisions))

    def workflow_started(self, run: WorkflowRun) -> None:
        self._add("started", run.workflow_name, dict(run.headers))

    def workflow_closed(self, close: WorkflowClose) -> None:
        self._add("closed", close.run.workflow_name, close.outcome, close.reason)

    def execute_activity(self, activity: ActivityExecution, call_next: Callable[[], Any]) -> Any:
        self._add(
            "activity>", activity.info.activity_name, dict(activity.headers), activity.attempt
        )
        try:
            return call_next()
        finally:
            self._add("activity<", activity.info.activity_name)


def test_headers_round_trip_and_old_payloads_decode_unchanged() -> None:
    data = {"name": "x"}
    assert split_headers(with_headers(data, {"a": "b"})) == ({"name": "x"}, {"a": "b"})
    assert data == {"name": "x"}
    assert split_headers({"name": "x"}) == ({"name": "x"}, {})
    assert split_headers(None) == (None, {})
    with pytest.raises(TypeError, match="str to str"):
        with_headers(data, {"a": 1})  # type: ignore[dict-item]
    with pytest.raises(SerializationError, match=r"\$headers"):
        split_headers({HEADERS_KEY: ["not", "an", "object"]})


def test_hooks_run_once_per_real_event_in_list_order() -> None:
    log: list[tuple[Any, ...]] = []
    _flaky_calls.clear()
    executor = SerialExecutor(
        interceptors=[Recorder("outer", log), Recorder("inner", log)], check_replay=True
    )
    assert executor.run(HookParent, "k") == "k:6"
    outer = [entry[1:] for entry in log if entry[0] == "outer"]

    starts = [e for e in outer if e[0] == "outgoing" and e[1] == "start_workflow"]
    assert starts == [("outgoing", "start_workflow", "HookParent", {}, False)]
    # the inner interceptor sees the outer one's header
    inner_start = [e for e in log if e[0] == "inner" and e[2] == "start_workflow"]
    assert list(inner_start[0][4]) == ["outer"]
    started = [e for e in outer if e[0] == "started"]
    assert [e[1] for e in started] == ["HookParent", "HookChild"]
    parent_headers = started[0][2]
    assert set(parent_headers) == {"outer", "inner"}
    assert started[1][2]["outer"].startswith("child_workflow:")
    closed = [e for e in outer if e[0] == "closed"]
    assert closed == [
        ("closed", "HookChild", "completed", ""),
        ("closed", "HookParent", "completed", ""),
    ]
    attempts = [e for e in outer if e[0] == "activity>"]
    assert [(e[1], e[3]) for e in attempts] == [
        ("HookJobs.double", 1),
        ("HookJobs.flaky", 1),
        ("HookJobs.flaky", 2),
    ]
    assert all(set(e[2]) == {"outer", "inner"} for e in attempts)
    # decision tasks: one hook pair per real decision task, the outer wrapping the inner
    decisions_in = [e for e in log if e[1] == "decision>"]
    decisions_out = [e for e in log if e[1] == "decision<"]
    assert len(decisions_in) == len(decisions_out) > 0
    first = log.index(decisions_in[0])
    assert [e[:2] for e in log[first : first + 2]] == [
        ("outer", "decision>"),
        ("inner", "decision>"),
    ]
    # outgoing calls made while replaying say so (check_replay replays every decision)
    assert any(e[0] == "outgoing" and e[4] for e in outer)


def test_workflow_closed_reports_a_failure_with_its_reason() -> None:
    log: list[tuple[Any, ...]] = []
    handle = SerialExecutor(interceptors=[Recorder("r", log)]).start(HookFails)
    with pytest.raises(Exception, match="the workflow fails"):
        handle.result()
    closed = [e for e in log if e[1] == "closed"]
    assert len(closed) == 1 and closed[0][3] == "failed" and "RuntimeError" in closed[0][4]


def test_calls_by_name_stay_plain_json() -> None:
    log: list[tuple[Any, ...]] = []
    executor = SerialExecutor(interceptors=[Recorder("r", log)])
    handle = executor.start(HookByName)
    assert handle.result() == 8
    scheduled = scheduled_attributes(handle.history())
    assert [json.loads(a["input"]) for a in scheduled] == [[4]]


def test_no_interceptor_leaves_inputs_untouched() -> None:
    handle = SerialExecutor().start(HookChild, 2)
    assert handle.result() == 4
    inputs = [
        json.loads(attrs["input"])
        for e in handle.history()
        for key, attrs in e.items()
        if key.endswith("EventAttributes") and isinstance(attrs, dict) and "input" in attrs
    ]
    assert inputs == [{"n": 2}, {"n": 2}]


def test_history_with_headers_replays_without_interceptors() -> None:
    executor = SerialExecutor(interceptors=[Recorder("r", [])])
    handle = executor.start(HookChild, 5)
    assert handle.result() == 10
    history = handle.history()
    assert HEADERS_KEY in json.loads(history[0]["workflowExecutionStartedEventAttributes"]["input"])
    last_task = max(i for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted")
    assert decide(HookChild, history[: last_task + 1]) == [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": "10"},
        }
    ]


def test_an_interceptor_must_call_the_decision_call_next() -> None:
    class Forgetful(Interceptor):
        def decision_task(self, task: DecisionTask, call_next: Callable[[], None]) -> None:
            pass

    executor = SerialExecutor(interceptors=[Forgetful()])
    with pytest.raises(RuntimeError, match="without calling call_next"):
        executor.start(HookChild, 1).result()


def test_interceptors_must_be_interceptors() -> None:
    with pytest.raises(TypeError, match="Interceptor"):
        SerialExecutor(interceptors=[object()])  # type: ignore[list-item]


def test_an_activity_interceptor_wraps_the_call_and_may_replace_the_result() -> None:
    class Tripler(Interceptor):
        def execute_activity(
            self, activity: ActivityExecution, call_next: Callable[[], Any]
        ) -> Any:
            return 3 * call_next()

    task = {
        "taskToken": "token",
        "activityId": "7.2",
        "input": json.dumps({"n": 5, HEADERS_KEY: {"h": "v"}}),
        "activityType": {"name": "HookJobs.double", "version": "1.0"},
        "workflowExecution": {"workflowId": "w", "runId": "r"},
    }
    seen: list[ActivityExecution] = []

    class Spy(Interceptor):
        def execute_activity(
            self, activity: ActivityExecution, call_next: Callable[[], Any]
        ) -> Any:
            seen.append(activity)
            return call_next()

    runner = ActivityRunner([HookJobs()], interceptors=[Tripler(), Spy()])
    op, params = runner.execute(task, lambda d: False)
    assert (op, params["result"]) == ("RespondActivityTaskCompleted", "30")
    assert (seen[0].attempt, dict(seen[0].headers), seen[0].info.activity_id) == (
        3,
        {"h": "v"},
        "7.2",
    )


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("server", ["local_swf", "moto_endpoint"])
def test_hooks_fire_once_per_real_event_on_the_swf_executor(
    server: str, request: pytest.FixtureRequest
) -> None:
    from swfobjects.testing import LocalEnvironment

    if server == "local_swf":
        client = request.getfixturevalue("local_swf").client()
    else:
        import boto3

        from swfobjects.client import swf_client

        session = boto3.session.Session(
            aws_access_key_id="moto", aws_secret_access_key="moto", region_name="us-east-1"
        )
        client = swf_client(session, endpoint_url=request.getfixturevalue("moto_endpoint"))
    log: list[tuple[Any, ...]] = []
    _flaky_calls.clear()
    with LocalEnvironment(
        client, interceptors=[Recorder("r", log)], decision_threads=1, activity_threads=1
    ) as env:
        handle = env.start(HookChild, 21)
        assert handle.result() == 42
    assert [e[1:3] for e in log if e[1] in ("started", "closed")] == [
        ("started", "HookChild"),
        ("closed", "HookChild"),
    ]
    started_headers = next(e[3] for e in log if e[1] == "started")
    assert started_headers == {"r": f"start_workflow:{handle.workflow_id}"}
    activity = next(e for e in log if e[1] == "activity>")
    assert activity[3] == {"r": "activity:1"} and activity[4] == 1
    decisions = [e for e in log if e[1] == "decision<"]
    assert len(decisions) == 2  # the start (schedules the activity) and the completion
