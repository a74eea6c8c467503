"""OpenTelemetry tracing: one trace per started workflow, spans for the run, its decision tasks
and activity attempts, linked through SWF data, on every executor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    RetryPolicy,
    SerialExecutor,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
)
from swfobjects.otel import TracingInterceptor
from swfobjects.testing import LocalEnvironment

_attempts: dict[str, int] = {}
_seen_baggage: list[object] = []


class TracedJobs(ActivityWorker, task_list="traced-jobs", version="1.0"):
    @activity_task(start_to_close_timeout=30, retry=RetryPolicy(max_attempts=2, initial_interval=1))
    def flaky(self, key: str) -> str:
        _seen_baggage.append(baggage.get_baggage("tenant"))
        _attempts[key] = _attempts.get(key, 0) + 1
        if _attempts[key] == 1:
            raise ValueError("first attempt fails")
        return key.upper()

    @activity_task(start_to_close_timeout=30, retry=RetryPolicy(max_attempts=1))
    def broken(self, key: str) -> str:
        raise KeyError(key)


class TracedChild(Workflow, task_list="traced-child", version="1.0"):
    jobs = TracedJobs.client()

    @decision_task(execution_start_to_close_timeout=300)
    async def run(self, key: str) -> str:
        return await self.jobs.flaky(key)


class Traced(Workflow, task_list="traced", version="1.0"):
    jobs = TracedJobs.client()
    child = TracedChild.client()

    @decision_task(execution_start_to_close_timeout=300)
    async def run(self, key: str, with_child: bool = False) -> str:
        first = await self.jobs.flaky(key)
        try:
            await self.jobs.broken(key)
        except ActivityTaskError:
            pass
        if with_child:
            return first + await self.child.run(key + "-child")
        return first


class TracedFails(Workflow, task_list="traced-fails", version="1.0"):
    @decision_task(execution_start_to_close_timeout=300)
    async def run(self) -> None:
        raise RuntimeError("the run fails")


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def _tree(found: tuple[ReadableSpan, ...]) -> dict[str, Any]:
    by_id = {span.context.span_id: span for span in found}
    names = {}
    for span in found:
        parent = span.parent
        names.setdefault(span.name, []).append(
            by_id[parent.span_id].name if parent is not None and parent.span_id in by_id else None
        )
    return names


def _check_trace(found: tuple[ReadableSpan, ...], caller: ReadableSpan | None) -> None:
    """The span tree of one ``Traced`` run with its child (see the test below)."""
    assert len({span.context.trace_id for span in found}) == 1, "one trace"
    tree = _tree(found)
    assert tree["StartWorkflow:Traced"] == ["caller" if caller else None]
    assert tree["RunWorkflow:Traced"] == ["StartWorkflow:Traced"]
    assert tree["RunWorkflow:TracedChild"] == ["RunWorkflow:Traced"]
    # the parent's flaky (2 attempts) and broken (1), the child's flaky (2 attempts)
    assert (
        sorted(tree["RunActivity:TracedJobs.flaky"])
        == ["RunWorkflow:Traced"] * 2 + ["RunWorkflow:TracedChild"] * 2
    )
    assert tree["RunActivity:TracedJobs.broken"] == ["RunWorkflow:Traced"]
    assert set(tree["DecisionTask:Traced"]) == {"RunWorkflow:Traced"}
    assert set(tree["DecisionTask:TracedChild"]) == {"RunWorkflow:TracedChild"}
    assert len(tree["DecisionTask:Traced"]) >= 4
    flaky = sorted(
        (s for s in found if s.name == "RunActivity:TracedJobs.flaky"),
        key=lambda s: (s.attributes or {})["swf.activity_id"],
    )
    run_id = _run(found, "Traced").context.span_id
    parent_attempts = [s for s in flaky if s.parent is not None and s.parent.span_id == run_id]
    assert [(s.attributes or {})["swf.attempt"] for s in parent_attempts] == [1, 2]
    assert [s.status.status_code for s in parent_attempts] == [StatusCode.ERROR, StatusCode.UNSET]
    assert parent_attempts[0].events[0].name == "exception"
    (broken,) = [s for s in found if s.name == "RunActivity:TracedJobs.broken"]
    assert broken.status.status_code is StatusCode.ERROR
    run = _run(found, "Traced")
    assert run.status.status_code is StatusCode.UNSET
    assert (run.attributes or {})["swf.outcome"] == "completed"
    assert run.start_time is not None and run.end_time is not None
    assert run.start_time <= run.end_time


def _run(found: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    (run,) = [s for s in found if s.name == f"RunWorkflow:{name}"]
    return run


def test_serial_executor_records_one_trace_per_start(spans: Any) -> None:
    provider, exporter = spans
    _attempts.clear()
    _seen_baggage.clear()
    executor = SerialExecutor(interceptors=[TracingInterceptor(provider)], check_replay=True)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("caller") as caller:
        token = otel_context.attach(baggage.set_baggage("tenant", "t1"))
        try:
            assert executor.run(Traced, "k", with_child=True) == "KK-CHILD"
        finally:
            otel_context.detach(token)
    found = exporter.get_finished_spans()
    _check_trace(found, caller)
    assert _seen_baggage == ["t1"] * 4  # baggage crosses into every activity attempt


def test_a_failed_run_is_an_error_span(spans: Any) -> None:
    provider, exporter = spans
    handle = SerialExecutor(interceptors=[TracingInterceptor(provider)]).start(TracedFails)
    with pytest.raises(WorkflowExecutionError):
        handle.result()
    run = _run(exporter.get_finished_spans(), "TracedFails")
    assert run.status.status_code is StatusCode.ERROR
    assert "RuntimeError" in (run.status.description or "")


def test_a_run_started_without_trace_headers_still_forms_one_trace(spans: Any) -> None:
    provider, exporter = spans
    _attempts.clear()
    starter = SerialExecutor()  # no interceptor: no headers in the input
    worker_side = TracingInterceptor(provider)
    starter.activities.interceptors = (worker_side,)
    starter.decisions.interceptors = (worker_side,)
    assert starter.run(Traced, "n") == "N"
    found = exporter.get_finished_spans()
    assert len({span.context.trace_id for span in found}) == 1
    tree = _tree(found)
    assert tree["RunWorkflow:Traced"] == [None]
    assert set(tree["DecisionTask:Traced"]) == {"RunWorkflow:Traced"}


@pytest.mark.slow
@pytest.mark.e2e
def test_swf_executor_against_local_links_spans_across_threads(spans: Any, local_swf: Any) -> None:
    provider, exporter = spans
    _attempts.clear()
    _seen_baggage.clear()
    with LocalEnvironment(
        local_swf.client(), interceptors=[TracingInterceptor(provider)], check_replay=True
    ) as env:
        with provider.get_tracer("test").start_as_current_span("caller") as caller:
            assert env.run(Traced, "k", with_child=True) == "KK-CHILD"
    _check_trace(exporter.get_finished_spans(), caller)


@pytest.mark.slow
@pytest.mark.e2e
def test_swf_executor_against_moto(spans: Any, moto_endpoint: str) -> None:
    import boto3

    from swfobjects.client import swf_client

    provider, exporter = spans
    _attempts.clear()
    session = boto3.session.Session(
        aws_access_key_id="moto", aws_secret_access_key="moto", region_name="us-east-1"
    )
    client = swf_client(session, endpoint_url=moto_endpoint)
    with LocalEnvironment(
        client, interceptors=[TracingInterceptor(provider)], decision_threads=1, activity_threads=1
    ) as env:
        assert env.run(Traced, "m") == "M"  # moto has no child workflows
    found = exporter.get_finished_spans()
    assert len({span.context.trace_id for span in found}) == 1
    tree = _tree(found)
    assert tree["RunWorkflow:Traced"] == ["StartWorkflow:Traced"]
    assert sorted(tree["RunActivity:TracedJobs.flaky"]) == ["RunWorkflow:Traced"] * 2
    assert set(tree["DecisionTask:Traced"]) == {"RunWorkflow:Traced"}


def test_the_global_provider_is_used_by_default() -> None:
    assert isinstance(trace.get_tracer_provider(), trace.TracerProvider)
    TracingInterceptor()._tracer()  # a no-op or proxy tracer: nothing fails without the SDK


def test_without_the_extra_the_import_says_how_to_install_it() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "try:\n    import swfobjects.otel\n"
        "except ModuleNotFoundError as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "pip install 'swfobjects[otel]'" in done.stdout, done.stderr
