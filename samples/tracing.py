"""OpenTelemetry tracing: one trace per workflow started, printed as a tree of spans.

    pip install swfobjects[otel]
    python -m samples.tracing

The executor is given a :class:`~swfobjects.otel.TracingInterceptor`; in production give the
same interceptor to the executor that starts workflows and to every decider and activity
worker (``SWFExecutor(..., interceptors=[TracingInterceptor()])``): the trace context travels
in SWF's data, so spans recorded in different processes join one trace. Here the spans go to
an in-memory exporter and are printed: the caller's span, the start, the run, each decision
task and each activity attempt (the carrier's first booking fails, so the activity is retried
and its first attempt is an error). The activity's own spans join the trace too.
"""

from __future__ import annotations

try:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
except ModuleNotFoundError as missing:
    raise SystemExit(
        f"samples.tracing needs OpenTelemetry ({missing}): pip install -e '.[otel]'"
    ) from None

from swfobjects import (
    ActivityWorker,
    RetryPolicy,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
)
from swfobjects.otel import TracingInterceptor

tracer = trace.get_tracer("samples.tracing")


class Carrier(ActivityWorker, task_list="carrier", version="1.0"):
    """Books a parcel; the carrier's API is busy on the first call."""

    def __init__(self) -> None:
        self.calls = 0

    @activity_task(start_to_close_timeout=30, retry=RetryPolicy(max_attempts=3))
    def book(self, parcel: str) -> str:
        with tracer.start_as_current_span("carrier API call"):  # joins the activity's span
            self.calls += 1
            if self.calls == 1:
                raise ConnectionError("carrier API busy")
            return f"label-{parcel}"


class Shipping(Workflow, task_list="shipping", version="1.0"):
    carrier = Carrier.client()

    @decision_task(execution_start_to_close_timeout=300)
    async def run(self, parcel: str) -> str:
        label = await self.carrier.book(parcel)
        await self.timer(60)  # wait for the pickup window
        return label


def print_tree(spans: tuple[ReadableSpan, ...]) -> None:
    """Each span under its parent, in the order they started."""
    children: dict[int | None, list[ReadableSpan]] = {}
    ids = {span.context.span_id for span in spans}
    for span in spans:
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        children.setdefault(parent, []).append(span)

    def show(parent: int | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_time or 0):
            attempt = (span.attributes or {}).get("swf.attempt")
            notes = [f"attempt {attempt}"] if attempt else []
            if not span.status.is_ok:
                notes.append(f"error: {span.status.description}")
            print("  " * depth + span.name + (f" ({', '.join(notes)})" if notes else ""))
            show(span.context.span_id, depth + 1)

    show(None, 0)


def main() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    executor = SerialExecutor([Carrier()], interceptors=[TracingInterceptor()])
    with tracer.start_as_current_span("checkout request"):
        label = executor.run(Shipping, "p-1")
    spans = exporter.get_finished_spans()
    print(
        f"shipped with {label}; {len(spans)} spans in "
        f"{len({s.context.trace_id for s in spans})} trace:"
    )
    print_tree(spans)


if __name__ == "__main__":
    main()
