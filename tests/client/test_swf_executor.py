"""SWFExecutor: registration, handles, workers; and the retrying client it calls SWF through."""

from __future__ import annotations

import random
import uuid
import warnings
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from swfobjects import (
    ActivityWorker,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
)
from swfobjects.client._swf_executor import START_TAG_PREFIX, SWFExecutor
from swfobjects.model._client import InProcessClient
from swfobjects.model._model import SwfModel
from swfobjects.worker._retrying import Backoff, RetryingClient, is_retryable


class Registered(ActivityWorker, task_list="exec-reg", version="1.0"):
    @activity_task(start_to_close_timeout=30, heartbeat_timeout=10)
    def work(self, n: int) -> int:
        return n + 1


class RegisteredFlow(Workflow, task_list="exec-reg-flow", version="1.0"):
    registered = Registered.client()

    @decision_task(execution_start_to_close_timeout=120, task_start_to_close_timeout=10)
    async def run(self, n: int) -> int:
        return await self.registered.work(n)


class Waiting(Workflow, task_list="exec-waiting", version="1.0"):
    @decision_task(execution_start_to_close_timeout=120, task_start_to_close_timeout=10)
    async def run(self, seconds: int) -> str:
        await self.timer(seconds)
        return "woke"


def in_process_executor() -> SWFExecutor:
    return SWFExecutor("exec-test", client=InProcessClient(SwfModel(clock=lambda: 1e9)))


# --- registration ---------------------------------------------------------------------------


def test_register_creates_domain_and_types_with_declared_defaults() -> None:
    executor = in_process_executor()
    assert executor.register(RegisteredFlow, Registered(), retention_days=3) == []
    client = executor.raw_client
    domain = client.describe_domain(name="exec-test")
    assert domain["configuration"]["workflowExecutionRetentionPeriodInDays"] == "3"
    activity = client.describe_activity_type(
        domain="exec-test", activityType={"name": "Registered.work", "version": "1.0"}
    )["configuration"]
    assert activity["defaultTaskStartToCloseTimeout"] == "30"
    assert activity["defaultTaskHeartbeatTimeout"] == "10"
    assert activity["defaultTaskList"] == {"name": "exec-reg"}
    workflow = client.describe_workflow_type(
        domain="exec-test", workflowType={"name": "RegisteredFlow", "version": "1.0"}
    )["configuration"]
    assert workflow["defaultExecutionStartToCloseTimeout"] == "120"
    assert workflow["defaultTaskList"] == {"name": "exec-reg-flow"}


def test_register_is_idempotent() -> None:
    executor = in_process_executor()
    executor.register(RegisteredFlow, Registered)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert executor.register(RegisteredFlow, Registered) == []


def test_register_warns_when_registered_defaults_differ_from_the_code() -> None:
    executor = in_process_executor()
    executor.register(Registered)
    model_client = executor.raw_client
    model_client.deprecate_activity_type(
        domain="exec-test", activityType={"name": "Registered.work", "version": "1.0"}
    )
    changed = dict(
        domain="exec-test",
        name="Registered.work",
        version="2.0",
        defaultTaskList={"name": "elsewhere"},
        defaultTaskStartToCloseTimeout="99",
    )
    model_client.register_activity_type(**changed)

    class Changed(ActivityWorker, task_list="exec-reg", version="2.0"):
        @activity_task(name="Registered.work", start_to_close_timeout=30)
        def work(self, n: int) -> int:
            return n

    with pytest.warns(UserWarning) as caught:
        lines = executor.register(Registered, Changed)
    messages = [str(w.message) for w in caught]
    assert any("deprecated" in m for m in messages)
    assert any(
        "defaultTaskStartToCloseTimeout is '99' but the code declares '30'" in m for m in lines
    )
    assert any("defaultTaskList" in m and "elsewhere" in m for m in lines)


def test_register_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="neither a Workflow nor an ActivityWorker"):
        in_process_executor().register(object)


# --- the retrying client --------------------------------------------------------------------


def throttled(code: str = "ThrottlingException", status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (throttled(), True),
        (throttled("LimitExceededFault"), True),
        (throttled("Whatever", 502), True),
        (ReadTimeoutError(endpoint_url="http://x"), True),
        (throttled("UnknownResourceFault"), False),
        (throttled("ValidationException"), False),
        (ValueError("x"), False),
    ],
)
def test_what_is_retryable(error: BaseException, retryable: bool) -> None:
    assert is_retryable(error) is retryable


def test_backoff_is_capped_exponential_with_full_jitter() -> None:
    backoff = Backoff(base=0.5, cap=4)
    assert [backoff.ceiling(n) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    rng = random.Random(7)
    delays = [backoff.delay(2, rng) for _ in range(200)]
    assert all(0 <= d <= 2.0 for d in delays)
    assert max(delays) - min(delays) > 1.0


class Flaky:
    """A fake client method: fails with the given errors, then answers."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def poll_for_activity_task(self, **params: Any) -> dict[str, Any]:
        return self._call(params)

    def respond_activity_task_completed(self, **params: Any) -> dict[str, Any]:
        return self._call(params)

    def _call(self, params: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": params}


def test_retrying_client_sleeps_between_attempts_and_returns_the_answer() -> None:
    slept: list[float] = []
    fake = Flaky(throttled(), throttled("InternalFailure", 500))
    client = RetryingClient(fake, Backoff(base=1, cap=8), sleep=slept.append)
    assert client.poll_for_activity_task(domain="d") == {"ok": {"domain": "d"}}
    assert fake.calls == 3 and len(slept) == 2
    assert 0 <= slept[0] <= 1 and 0 <= slept[1] <= 2


def test_respond_calls_get_the_larger_budget() -> None:
    backoff = Backoff(base=0, attempts=2, respond_attempts=5)
    fake = Flaky(*[throttled() for _ in range(4)])
    client = RetryingClient(fake, backoff, sleep=lambda s: None)
    assert client.respond_activity_task_completed(taskToken="t")["ok"] == {"taskToken": "t"}
    fake = Flaky(*[throttled() for _ in range(2)])
    client = RetryingClient(fake, backoff, sleep=lambda s: None)
    with pytest.raises(ClientError):
        client.poll_for_activity_task(domain="d")
    assert fake.calls == 2


def test_a_stopping_worker_does_not_retry_polls_but_still_retries_responds() -> None:
    import threading

    stop = threading.Event()
    stop.set()
    fake = Flaky(throttled())
    client = RetryingClient(fake, Backoff(base=0), stop=stop, sleep=lambda s: None)
    with pytest.raises(ClientError):
        client.poll_for_activity_task(domain="d")
    fake = Flaky(throttled())
    client = RetryingClient(fake, Backoff(base=0), stop=stop, sleep=lambda s: None)
    assert client.respond_activity_task_completed(taskToken="t")


# --- starting, safe to retry ---------------------------------------------------------------


class _LosesFirstStartAnswer:
    """An SWF client whose first start is carried out but whose answer never arrives."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.starts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def start_workflow_execution(self, **params: Any) -> Any:
        self.starts += 1
        answer = self.client.start_workflow_execution(**params)
        if self.starts == 1:
            raise ReadTimeoutError(endpoint_url="http://127.0.0.1")
        return answer


def _lossy_executor() -> tuple[SWFExecutor, _LosesFirstStartAnswer]:
    lossy = _LosesFirstStartAnswer(InProcessClient(SwfModel(clock=lambda: 1e9)))
    executor = SWFExecutor("exec-test", client=lossy, backoff=Backoff(base=0, cap=0))
    executor.register(RegisteredFlow, Registered())
    return executor, lossy


def test_a_start_whose_answer_was_lost_is_retried_to_its_own_run() -> None:
    executor, lossy = _lossy_executor()
    handle = executor.start(RegisteredFlow, 1, workflow_id="lost-answer", tags=["mine"])
    assert lossy.starts == 2
    opened = lossy.client.list_open_workflow_executions(
        domain="exec-test", startTimeFilter={"oldestDate": 0}
    )["executionInfos"]
    assert [info["execution"]["runId"] for info in opened] == [handle.run_id]
    assert opened[0]["tagList"][0] == "mine"


def test_a_start_refused_for_someone_elses_run_still_raises() -> None:
    executor, lossy = _lossy_executor()
    lossy.starts = 1  # no loss: this is a plain start
    executor.start(RegisteredFlow, 1, workflow_id="taken")
    with pytest.raises(ClientError, match="WorkflowExecutionAlreadyStarted"):
        executor.start(RegisteredFlow, 1, workflow_id="taken")


def test_a_start_with_all_five_tags_is_not_marked() -> None:
    executor, lossy = _lossy_executor()
    with pytest.raises(ClientError, match="WorkflowExecutionAlreadyStarted"):
        executor.start(RegisteredFlow, 1, workflow_id="full", tags=["a", "b", "c", "d", "e"])


# --- handles and workers against swfobjects local -------------------------------------------


@pytest.fixture
def local_service(local_swf: Any) -> Any:
    """The session's ``swfobjects local`` (each test registers its own domain)."""
    return local_swf


@pytest.fixture
def executor(local_service: Any) -> SWFExecutor:
    executor = SWFExecutor(
        f"exec-{uuid.uuid4().hex[:8]}", client=local_service.client(), poll_interval=0.1
    )
    executor.register(RegisteredFlow, Registered, Waiting)
    return executor


@pytest.mark.e2e
@pytest.mark.slow
def test_running_workers_complete_a_workflow_and_handles_see_it(executor: SWFExecutor) -> None:
    with executor.running(RegisteredFlow, Registered()):
        handle = executor.start(RegisteredFlow, 41, workflow_id="answer", tags=["t1"])
        assert handle.result(timeout=30) == 42
    info = handle.describe()["executionInfo"]
    assert info["closeStatus"] == "COMPLETED" and info["tagList"][0] == "t1"
    assert info["tagList"][1].startswith(START_TAG_PREFIX)  # marks the run as this start's
    kinds = [e["eventType"] for e in handle.history()]
    assert kinds[0] == "WorkflowExecutionStarted" and kinds[-1] == "WorkflowExecutionCompleted"
    again = executor.get_handle("answer")
    assert again.run_id == handle.run_id
    assert again.result(timeout=5) == 42


def test_result_times_out_without_workers(executor: SWFExecutor) -> None:
    handle = executor.start(Waiting, 1)
    with pytest.raises(TimeoutError, match="are workers running"):
        handle.result(timeout=0.3)
    handle.terminate("test over")
    with pytest.raises(WorkflowExecutionError, match="test over") as info:
        executor.get_handle(handle.workflow_id, handle.run_id).result(timeout=5)
    assert info.value.status == "TERMINATED"


@pytest.mark.e2e
@pytest.mark.slow
def test_stop_ends_run_workers(executor: SWFExecutor) -> None:
    import threading

    thread = threading.Thread(target=executor.run_workers, args=(Waiting,), daemon=True)
    thread.start()
    handle = executor.start(Waiting, 1)
    assert handle.result(timeout=30) == "woke"
    executor.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_workers_need_workflows_or_activity_workers(executor: SWFExecutor) -> None:
    with pytest.raises(TypeError, match="neither Workflow classes nor ActivityWorkers"):
        executor.workers("nonsense")
