"""``WorkflowHandle``: one workflow execution, seen from outside.

The handle speaks only SWF's API (through an :class:`~swfobjects.swf.SWFClient`), so the same
class serves
the SerialExecutor (in-process client) and the SWF executor (boto3). What differs is how to
wait for the execution to close, which the executor supplies.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..exceptions import WorkflowCancelledError, WorkflowExecutionError
from ..payloads._codecs import codec_for
from ..payloads._failures import decode_failure
from ..payloads._payload import Payloads, PayloadStore
from ..payloads.storage._offload import as_payload_store
from ..payloads.storage._stores import DataStore
from ..replay._pending import Pending, pending_from_history
from ..replay._runtime import to_datetime
from ..swf._shapes import CLOSE_EVENT_TYPES, event_attributes
from ..swf.client import SWFClient, full_history
from ..swf.limits import MAX_REASON
from ..swf.timeline import read_timeline
from ..swf.timeline_html import timeline_page
from ..workflow._declarations import WorkflowType

__all__ = ["WorkflowHandle", "Waiter", "boto3_shaped_events", "latest_run"]

R = TypeVar("R")

Waiter = Callable[["WorkflowHandle[Any]", "float | None"], None]
"""How an executor waits for a handle's run to close (``timeout`` in seconds, or None)."""


def latest_run(client: SWFClient, domain: str, workflow_id: str) -> dict[str, Any]:
    """The ``WorkflowExecutionInfo`` of the open run of ``workflow_id``, else its latest run.

    Through ``ListOpen/ListClosedWorkflowExecutions``, since SWF's ``DescribeWorkflowExecution``
    needs a run id.
    """
    request = {
        "domain": domain,
        "startTimeFilter": {"oldestDate": 86_400},  # epoch seconds: any start since 1970-01-02
        "executionFilter": {"workflowId": workflow_id},
    }
    for infos_of in (client.list_open_workflow_executions, client.list_closed_workflow_executions):
        infos = infos_of(**request).get("executionInfos") or []
        infos = [i for i in infos if i["execution"]["workflowId"] == workflow_id]
        if infos:
            return max(infos, key=lambda i: i["startTimestamp"])
    raise LookupError(f"no execution with workflow id {workflow_id!r} in {domain!r}")


def boto3_shaped_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with timestamps as aware datetimes, exactly as boto3 returns them."""
    out = []
    for event in events:
        stamp = event.get("eventTimestamp")
        if stamp is not None and not isinstance(stamp, dt.datetime):
            event = dict(event, eventTimestamp=to_datetime(stamp))
        out.append(event)
    return out


class WorkflowHandle(Generic[R]):
    """A started workflow execution: wait for its result, read its history, signal it...

    ``result()`` follows continue-as-new runs to the last one and raises the workflow's
    failure as :class:`WorkflowExecutionError` (``WorkflowCancelledError`` if cancelled).
    Generic in the result: ``executor.start(Hello, "x")`` is a ``WorkflowHandle[str]`` for
    ``async def run(self, name: str) -> str``, so ``result()`` is a ``str`` to type checkers;
    a handle got from a workflow id alone (``get_handle``) is ``WorkflowHandle[Any]``.
    """

    def __init__(
        self,
        client: SWFClient,
        domain: str,
        workflow_id: str,
        run_id: str,
        workflow: WorkflowType | None,
        data_store: DataStore | PayloadStore | None,
        wait: Waiter,
    ) -> None:
        self.client = client
        self.domain = domain
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.workflow = workflow
        self.payloads = Payloads(store=as_payload_store(data_store, domain))
        self._wait = wait

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.workflow_id} run {self.run_id}>"

    @property
    def execution(self) -> dict[str, str]:
        """``{"workflowId", "runId"}`` of this run."""
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    def describe(self) -> dict[str, Any]:
        """``DescribeWorkflowExecution`` for this run."""
        return self.client.describe_workflow_execution(domain=self.domain, execution=self.execution)

    def is_open(self) -> bool:
        """True while the run is open."""
        return bool(self.describe()["executionInfo"]["executionStatus"] == "OPEN")

    def history(self) -> list[dict[str, Any]]:
        """The run's full event history, shaped as ``GetWorkflowExecutionHistory`` returns it."""
        return boto3_shaped_events(full_history(self.client, self.domain, self.execution))

    def timeline(self, path: str | os.PathLike[str]) -> None:
        """Write the run drawn as a timeline to ``path``: one self-contained HTML file (no
        network) with a lane per activity, timer, child, signal and marker, bars from scheduled
        to started to closed, failures and retries coloured, payloads and errors on hover, and
        the event table (see :mod:`swfobjects.swf.timeline_html`). Works on every executor, for
        open and closed runs.

        >>> handle.timeline("order-42.html")                   # doctest: +SKIP
        """
        title = f"{self.workflow_id} (run {self.run_id})"
        page = timeline_page(read_timeline(self.history()), title)
        with open(path, "w", encoding="utf-8") as file:
            file.write(page)

    def last_event(self) -> dict[str, Any]:
        """The newest event of this run."""
        page = self.client.get_workflow_execution_history(
            domain=self.domain, execution=self.execution, reverseOrder=True, maximumPageSize=1
        )
        return page["events"][0]  # type: ignore[no-any-return]

    def _close_event(self) -> dict[str, Any]:
        """The event that closed this run: the newest one, as SWF records nothing after it.

        moto's emulation does: it hands out an activity task of a run that a decision closed
        meanwhile and records its ``ActivityTaskStarted`` after the close event. So when the
        newest event does not close the run, the close event is looked for among the newest
        ones; the newest event is returned if none is there (the run is still open).
        """
        event = self.last_event()
        if event["eventType"] in CLOSE_EVENT_TYPES:
            return event
        page = self.client.get_workflow_execution_history(
            domain=self.domain, execution=self.execution, reverseOrder=True, maximumPageSize=20
        )
        for newer in page["events"]:
            if newer["eventType"] in CLOSE_EVENT_TYPES:
                return newer  # type: ignore[no-any-return]
        return event

    def pending(self, now: dt.datetime | float | None = None) -> list[Pending]:
        """What this run waits for: open activities, timers, children, decision tasks, and
        (when this process has the workflow class) ``wait_for`` predicates with their source
        lines; empty once the run has closed. Read from the history, so it works on every
        executor and for executions started elsewhere.

        >>> handle.pending()                                  # doctest: +SKIP
        [Pending(kind='signal', name='wait_for at flows.py:31: await self.wait_for(lambda:
        self.approved)', state='waits until the predicate is true ...', age=12.0, ...)]
        """
        return pending_from_history(self.history(), self.workflow, now, self.payloads)

    def state(self) -> Any:
        """The workflow's ``@state`` as its last decision reported it, decoded to the declared
        type (``latestExecutionContext`` of ``DescribeWorkflowExecution``); None before the
        first decision that reported one. A handle without the workflow class (``get_handle``
        by id) decodes plain JSON values.

        >>> handle.state()                                   # doctest: +SKIP
        Status(step='charging', done=1, total=3)
        """
        text = self.describe().get("latestExecutionContext")
        if text is None:
            return None
        state = getattr(self.workflow.workflow_class, "_swf_state", None) if self.workflow else None
        if self.workflow is not None and state is None:
            raise TypeError(
                f"workflow {self.workflow.name} has no @state method, yet its execution "
                f"{self.workflow_id} reports an executionContext; read it raw from describe()"
            )
        codec = state.codec if state is not None else codec_for(Any)
        return self.payloads.decode(text, codec, f"state of workflow {self.workflow_id}")

    def result(self, timeout: float | None = None) -> R:
        """Wait for the execution to close and return its result (or raise its failure)."""
        while True:
            self._wait(self, timeout)
            event = self._close_event()
            kind = event["eventType"]
            attrs = event_attributes(event)
            if kind == "WorkflowExecutionContinuedAsNew":
                self.run_id = attrs["newExecutionRunId"]
                continue
            return self._outcome(kind, attrs)  # type: ignore[no-any-return]  # decoded by R's codec

    def _outcome(self, kind: str, attrs: dict[str, Any]) -> Any:
        name = self.workflow.name if self.workflow else self.workflow_id
        where = {"workflow_id": self.workflow_id, "run_id": self.run_id}
        if kind == "WorkflowExecutionCompleted":
            codec = self.workflow.result if self.workflow else codec_for(Any)
            return self.payloads.decode(attrs.get("result"), codec, f"result of {name}")
        if kind == "WorkflowExecutionFailed":
            failure = decode_failure(attrs.get("reason"), attrs.get("details"), self.payloads)
            raise WorkflowExecutionError(
                f"workflow {name} ({self.workflow_id}) failed: {failure}",
                status="FAILED",
                reason=attrs.get("reason", ""),
                details=failure,
                remote_traceback=failure.traceback,
                **where,
            )
        if kind == "WorkflowExecutionCanceled":
            details = (
                self.payloads.decode_data(attrs.get("details"), "cancellation details")
                if attrs.get("details")
                else None
            )
            raise WorkflowCancelledError(
                f"workflow {name} ({self.workflow_id}) was cancelled",
                status="CANCELED",
                details=details,
                **where,
            )
        if kind == "WorkflowExecutionTimedOut":
            raise WorkflowExecutionError(
                f"workflow {name} ({self.workflow_id}) timed out ({attrs.get('timeoutType')})",
                status="TIMED_OUT",
                reason=attrs.get("timeoutType", ""),
                **where,
            )
        if kind == "WorkflowExecutionTerminated":
            reason = attrs.get("reason") or attrs.get("cause") or ""
            raise WorkflowExecutionError(
                f"workflow {name} ({self.workflow_id}) was terminated: {reason}",
                status="TERMINATED",
                reason=reason,
                details=attrs.get("details"),
                **where,
            )
        raise WorkflowExecutionError(
            f"workflow {name} ({self.workflow_id}) is not closed (last event {kind})",
            status="OPEN",
            **where,
        )

    def terminate(self, reason: str = "", details: str | None = None) -> None:
        """``TerminateWorkflowExecution`` (the workflow code gets no say)."""
        params: dict[str, Any] = {
            "domain": self.domain,
            "workflowId": self.workflow_id,
            "runId": self.run_id,
        }
        if reason:
            params["reason"] = reason[:MAX_REASON]
        if details is not None:
            params["details"] = details
        self.client.terminate_workflow_execution(**params)

    def cancel(self) -> None:
        """``RequestCancelWorkflowExecution``: the workflow sees a cancellation request."""
        self.client.request_cancel_workflow_execution(
            domain=self.domain, workflowId=self.workflow_id, runId=self.run_id
        )

    def signal(self, name: Any, *args: Any, **kwargs: Any) -> None:
        """Send signal ``name`` (or pass the ``@signal`` method itself) with these arguments.

        Arguments are encoded for the workflow's handler, so they decode to its types.
        """
        from ..workflow._classes import encode_signal_input

        if callable(name):
            name = getattr(name, "__swf_signal__", None) or name.__name__
        workflow_class = self.workflow.workflow_class if self.workflow else None
        text = encode_signal_input(self.payloads, name, args, kwargs, workflow_class)
        self.signal_raw(name, text)

    def signal_raw(self, name: str, input_text: str | None = None) -> None:
        """Send a signal with an already-encoded input (for foreign signal formats)."""
        params: dict[str, Any] = {
            "domain": self.domain,
            "workflowId": self.workflow_id,
            "signalName": name,
        }
        if input_text is not None:
            params["input"] = input_text
        self.client.signal_workflow_execution(**params)
