"""OpenTelemetry tracing for swfobjects (``pip install swfobjects[otel]``).

:class:`TracingInterceptor` records, in one trace per workflow started:

* ``StartWorkflow:<type>``: the ``executor.start()`` call, a child of the caller's span;
* ``RunWorkflow:<type>``: the run, from its ``WorkflowExecutionStarted`` event to the decision
  that closed it (SWF's clock), an error when it failed; a child workflow's run is a child of
  its parent's run, and a run continued as new is a sibling of the run before it;
* ``DecisionTask:<type>``: each decision task a decider answered, a child of its run;
* ``RunActivity:<type>``: each activity attempt, a child of the run that scheduled it (a retried
  activity gives one span per attempt; a failed attempt is an error with its exception). The
  activity runs with this span current and the caller's baggage attached, so spans and
  baggage of the activity's own code join the trace.

Processes share no memory, so the trace crosses them through SWF: the start puts the W3C
trace context (``traceparent``, ``tracestate``, ``baggage``) in the run's input headers (see
``swfobjects.payloads._headers``), and a run's calls carry the context of their run's span.
That span is emitted only when the run closes, perhaps by another decider, so its id cannot be
chosen then: it is derived from the workflow and run ids (a hash), and every decider and
worker computes the same context without asking anyone. Headers a run's calls carry are
therefore the same on every replay, as decisions must be. Emitting a span with a chosen id
needs the OpenTelemetry SDK's tracer (``opentelemetry-sdk``); with another tracer provider the
run span gets that provider's own id and its children point to the derived one.

A run SWF closes without a decision (timed out, terminated) emits no ``RunWorkflow`` span;
its decision tasks and activities are still recorded.

>>> from opentelemetry.sdk.trace import TracerProvider
>>> executor = SerialExecutor(interceptors=[TracingInterceptor(TracerProvider())])  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.propagate import get_global_textmap
    from opentelemetry.propagators.textmap import TextMapPropagator
    from opentelemetry.sdk.trace import Tracer as SdkTracer
    from opentelemetry.sdk.trace.id_generator import IdGenerator
    from opentelemetry.trace import (
        NonRecordingSpan,
        SpanContext,
        SpanKind,
        Status,
        StatusCode,
        TraceFlags,
    )
except ModuleNotFoundError as missing:  # the optional extra is not installed
    raise ModuleNotFoundError(
        f"swfobjects.otel needs OpenTelemetry ({missing}): pip install 'swfobjects[otel]' "
        "(in a checkout: pip install -e '.[otel]')",
        name=missing.name,
    ) from None

from .replay._outgoing import OutgoingCall, WorkflowRun
from .worker._activities import ActivityExecution
from .worker._interceptors import DecisionTask, Interceptor, WorkflowClose

__all__ = ["TracingInterceptor", "run_span_context"]

_SCOPE = "swfobjects"
"""The instrumentation scope of every span recorded here."""


def run_span_context(
    run: WorkflowRun, propagator: TextMapPropagator | None = None
) -> otel_context.Context:
    """The context whose current span is ``run``'s ``RunWorkflow`` span, computed anywhere.

    The trace and parent are the ones the run was started with (its headers); the span id is a
    hash of the workflow and run ids. A run started without trace headers (by a client without
    this interceptor) gets a trace id from the same hash, so its spans still form one trace.
    Baggage in the headers is kept.
    """
    parent_context = (propagator or get_global_textmap()).extract(dict(run.headers))
    parent = trace.get_current_span(parent_context).get_span_context()
    digest = hashlib.sha256(f"swfobjects-run\0{run.workflow_id}\0{run.run_id}".encode()).digest()
    span_id = int.from_bytes(digest[:8], "big") or 1
    if parent.is_valid:
        span = SpanContext(
            parent.trace_id,
            span_id,
            is_remote=True,
            trace_flags=parent.trace_flags,
            trace_state=parent.trace_state,
        )
    else:
        trace_id = int.from_bytes(digest[8:24], "big") or 1
        span = SpanContext(
            trace_id, span_id, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)
        )
    return trace.set_span_in_context(NonRecordingSpan(span), parent_context)


class _ChosenIds(IdGenerator):
    """Hands out the ids of one span chosen in advance (the run span's)."""

    def __init__(self, span: SpanContext) -> None:
        self.span = span

    def generate_span_id(self) -> int:
        return self.span.span_id

    def generate_trace_id(self) -> int:
        return self.span.trace_id


class TracingInterceptor(Interceptor):
    """Spans for workflow starts, runs, decision tasks and activity attempts (see the module).

    ``tracer_provider``: where spans go (default: the global one, looked up at each span, so
    it may be set after the interceptor is made). ``propagator``: how the context is written
    to and read from headers (default: the global one, W3C trace context and baggage).
    Give the same interceptor (or equivalent ones) to the executor that starts workflows,
    the deciders and the activity workers.
    """

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        propagator: TextMapPropagator | None = None,
    ) -> None:
        self.tracer_provider = tracer_provider
        self.propagator = propagator

    def _tracer(self) -> trace.Tracer:
        return trace.get_tracer(_SCOPE, tracer_provider=self.tracer_provider)

    def _propagator(self) -> TextMapPropagator:
        return self.propagator or get_global_textmap()

    # --- hooks --------------------------------------------------------------------------

    def outgoing_call(self, call: OutgoingCall) -> None:
        """Put the trace context in the headers of starts, activities and child workflows."""
        if call.kind == "signal":
            return
        if call.caller is None:
            attributes = {"swf.workflow_id": call.target_id, "swf.workflow_type": call.name}
            with self._tracer().start_as_current_span(
                f"StartWorkflow:{call.name}", kind=SpanKind.PRODUCER, attributes=attributes
            ):
                self._propagator().inject(call.headers)
            return
        self._propagator().inject(
            call.headers, context=run_span_context(call.caller, self._propagator())
        )

    def decision_task(self, task: DecisionTask, call_next: Callable[[], None]) -> None:
        """A span for the decision task, a child of its run's span."""
        start = time.time_ns()
        try:
            call_next()
        except BaseException as error:
            self._decision_span(task, start, error)
            raise
        self._decision_span(task, start, None)

    def _decision_span(self, task: DecisionTask, start: int, error: BaseException | None) -> None:
        run = task.run or WorkflowRun(
            task.workflow_name, task.workflow_version, task.workflow_id, task.run_id, {}, 0.0
        )
        attributes: dict[str, str | int] = {
            **_run_attributes(run),
            "swf.decision_task.started_event_id": task.started_event_id,
            "swf.decisions": len(task.decisions),
        }
        span = self._tracer().start_span(
            f"DecisionTask:{task.workflow_name}",
            context=run_span_context(run, self._propagator()),
            attributes=attributes,
            start_time=start,
        )
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        span.end()

    def workflow_closed(self, close: WorkflowClose) -> None:
        """Emit the run's span, with the id its calls and decision tasks already point to."""
        run = close.run
        propagator = self._propagator()
        chosen = trace.get_current_span(run_span_context(run, propagator)).get_span_context()
        tracer = self._tracer()
        if isinstance(tracer, SdkTracer):
            tracer = copy.copy(tracer)
            tracer.id_generator = _ChosenIds(chosen)
        start = int(run.started_at * 1e9)
        span = tracer.start_span(
            f"RunWorkflow:{run.workflow_name}",
            context=propagator.extract(dict(run.headers)),
            kind=SpanKind.CONSUMER,
            attributes={**_run_attributes(run), "swf.outcome": close.outcome},
            start_time=start,
        )
        if close.outcome == "failed":
            span.set_status(Status(StatusCode.ERROR, close.reason))
        span.end(end_time=max(start, int(close.closed_at * 1e9)))

    def execute_activity(self, activity: ActivityExecution, call_next: Callable[[], Any]) -> Any:
        """The attempt runs inside its span, with the caller's context (baggage) attached."""
        info = activity.info
        attributes: dict[str, str | int] = {
            "swf.workflow_id": info.workflow_id,
            "swf.run_id": info.run_id,
            "swf.activity_id": info.activity_id,
            "swf.activity_type": info.activity_name,
            "swf.activity_version": info.activity_version,
            "swf.attempt": activity.attempt,
        }
        token = otel_context.attach(self._propagator().extract(dict(activity.headers)))
        try:
            with self._tracer().start_as_current_span(
                f"RunActivity:{info.activity_name}", kind=SpanKind.CONSUMER, attributes=attributes
            ):
                return call_next()
        finally:
            otel_context.detach(token)


def _run_attributes(run: WorkflowRun) -> Mapping[str, str]:
    return {
        "swf.workflow_id": run.workflow_id,
        "swf.run_id": run.run_id,
        "swf.workflow_type": run.workflow_name,
        "swf.workflow_version": run.workflow_version,
    }
