"""The SWF operations swfobjects calls, as a typed seam between the framework and a client.

Executors, workers and handles talk to SWF only through :class:`SWFClient`: boto3's SWF
client satisfies it, and so does the in-process client over the in-memory model
(``swfobjects.model``), which is what lets the same worker code run on Amazon SWF, on
``swfobjects local`` and inside the SerialExecutor. The methods are boto3's: snake_case names,
keyword-only requests in SWF's JSON shapes, response dicts back, faults raised as botocore
``ClientError``. Only the operations the framework calls are named, so a stand-in client (a
test double, a recording proxy) knows exactly what it must provide.

:class:`InProcessSWFClient` adds what SWF's API cannot express cheaply and only an in-process
model can answer: which task lists hold tasks right now, and moving the model's clock (and a
positional ``call`` for the SerialExecutor's hot loop).

:func:`paged` is the one place that follows ``nextPageToken``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sized
from typing import Any, Literal, Protocol, runtime_checkable

from .limits import MAX_PAGE_SIZE

__all__ = [
    "OPERATIONS",
    "InProcessSWFClient",
    "SWFClient",
    "TaskKind",
    "full_history",
    "paged",
]

TaskKind = Literal["activity", "decision"]
"""The two kinds of SWF task list."""


@runtime_checkable
class SWFClient(Protocol):
    """The SWF operations the framework calls, with boto3's signatures (keyword arguments)."""

    # --- deciders -------------------------------------------------------------------------
    def poll_for_decision_task(self, **kwargs: Any) -> dict[str, Any]: ...
    def respond_decision_task_completed(self, **kwargs: Any) -> dict[str, Any]: ...
    def get_workflow_execution_history(self, **kwargs: Any) -> dict[str, Any]: ...

    # --- activity workers -----------------------------------------------------------------
    def poll_for_activity_task(self, **kwargs: Any) -> dict[str, Any]: ...
    def respond_activity_task_completed(self, **kwargs: Any) -> dict[str, Any]: ...
    def respond_activity_task_failed(self, **kwargs: Any) -> dict[str, Any]: ...
    def respond_activity_task_canceled(self, **kwargs: Any) -> dict[str, Any]: ...
    def record_activity_task_heartbeat(self, **kwargs: Any) -> dict[str, Any]: ...

    # --- executions -----------------------------------------------------------------------
    def start_workflow_execution(self, **kwargs: Any) -> dict[str, Any]: ...
    def describe_workflow_execution(self, **kwargs: Any) -> dict[str, Any]: ...
    def list_open_workflow_executions(self, **kwargs: Any) -> dict[str, Any]: ...
    def list_closed_workflow_executions(self, **kwargs: Any) -> dict[str, Any]: ...
    def signal_workflow_execution(self, **kwargs: Any) -> dict[str, Any]: ...
    def request_cancel_workflow_execution(self, **kwargs: Any) -> dict[str, Any]: ...
    def terminate_workflow_execution(self, **kwargs: Any) -> dict[str, Any]: ...

    # --- registration ---------------------------------------------------------------------
    def register_domain(self, **kwargs: Any) -> dict[str, Any]: ...
    def register_activity_type(self, **kwargs: Any) -> dict[str, Any]: ...
    def register_workflow_type(self, **kwargs: Any) -> dict[str, Any]: ...
    def describe_activity_type(self, **kwargs: Any) -> dict[str, Any]: ...
    def describe_workflow_type(self, **kwargs: Any) -> dict[str, Any]: ...


OPERATIONS: tuple[str, ...] = tuple(
    sorted(name for name in vars(SWFClient) if not name.startswith("_"))
)
"""The method names of :class:`SWFClient` (for checks that a client provides them all)."""


@runtime_checkable
class InProcessSWFClient(SWFClient, Protocol):
    """An :class:`SWFClient` over an in-process model, which the SerialExecutor drives.

    The executor runs tasks only when some are queued, and moves time itself when nothing
    else can happen; a real SWF endpoint offers neither, so these two live outside the API.
    """

    def task_queues(self, kind: TaskKind) -> Mapping[tuple[str, str], Sized]:
        """Every ``(domain, task list)`` of ``kind`` the model has seen, with a live view of
        its queue: ``len()`` is the number of queued entries now (an entry may belong to a run
        that closed meanwhile; its poll then comes back empty, as SWF's would)."""
        ...

    def next_due(self) -> tuple[float, str] | None:
        """``(when, kind)`` of the next pending timer or timeout (epoch seconds), or None.

        Kinds: ``"timer"``, ``"activity"``, ``"decision"``, ``"execution"``.
        """
        ...

    def fire_due(self) -> int:
        """Fire every timer and timeout due by the model's clock; how many fired."""
        ...

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Any operation by its API name (``"PollForActivityTask"``) with its request dict:
        the keyword methods without repacking the request, for loops where that shows."""
        ...


def paged(
    call: Callable[..., dict[str, Any]], params: Mapping[str, Any], key: str = "events"
) -> tuple[dict[str, Any], list[Any]]:
    """Call ``call(**params)`` and follow ``nextPageToken`` to the last page.

    Returns the first page (for its other fields) and the ``key`` items of every page, in
    order. Every paged SWF read (history, a decision task's events) goes through here.
    """
    first = call(**params)
    items = list(first.get(key) or [])
    token = first.get("nextPageToken")
    if token:
        request = dict(params)
        while token:
            request["nextPageToken"] = token
            page = call(**request)
            items.extend(page.get(key) or [])
            token = page.get("nextPageToken")
    return first, items


def full_history(client: SWFClient, domain: str, execution: Mapping[str, str]) -> list[Any]:
    """Every event of a run, oldest first, through ``GetWorkflowExecutionHistory`` pages."""
    request = {"domain": domain, "execution": dict(execution), "maximumPageSize": MAX_PAGE_SIZE}
    return paged(client.get_workflow_execution_history, request)[1]
