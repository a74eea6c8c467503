"""``SwfModel``: the one façade of the in-memory SWF model.

``SwfModel.call("StartWorkflowExecution", {...})`` takes and returns exactly the request and
response dicts of SWF's JSON API (botocore's model), and records exactly SWF's history events.
It is the one implementation of SWF semantics in this project: the SerialExecutor drives it
in-process, and ``swfobjects local`` serves it over HTTP with locking and long polling.

The façade builds the collaborators (see the package docstring for who depends on whom), and
dispatches each operation through one table, operation name -> bound method of the
collaborator that serves it, built once per model so a call costs one dict lookup.

Time comes from an injected clock (epoch seconds). Nothing fires on its own: callers call
:meth:`SwfModel.advance` (the service does it from a background thread, the SerialExecutor
when it is idle), and :meth:`SwfModel.next_due` says when the next timer or timeout is due.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from ..swf.limits import Quotas
from . import _snapshot
from ._decisions import Decisions
from ._due import DueHeap
from ._executions import Executions
from ._queues import TaskQueues
from ._registry import Registry
from ._runtime import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Runtime
from ._state import ActivityTaskState, Execution, Handler, SwfFault
from ._tasks import Tasks
from ._timeouts import Timeouts
from ._visibility import Visibility

__all__ = ["SwfModel"]


class SwfModel:
    """SWF's semantics in memory. Not thread-safe: the local service serializes calls.

    >>> model = SwfModel(clock=lambda: 0.0)
    >>> model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    {}

    Besides :meth:`call`, the façade keeps what the SerialExecutor and the local service use:
    ``advance()``, ``next_due()``, ``next_due_item()``, ``has_decision_task()``,
    ``has_activity_task()``, ``listeners``, the ``new_id`` seam, ``clock``, ``now()``,
    ``decision_queues``/``activity_queues``, and ``operations`` (the names ``call`` serves, which
    ``InProcessClient`` checks).

    ``quotas`` overrides some of SWF's quotas by name (``SwfModel(quotas={"open_timers": 2})``;
    see :class:`~swfobjects.swf.limits.Quotas`): a call over one answers SWF's
    ``LimitExceededFault`` before changing anything, a decision over one fails with SWF's cause.

    A closed execution is deleted when its domain's retention period has passed on the model's
    clock (``workflowExecutionRetentionPeriodInDays``; ``0`` and ``NONE``: at once), as SWF
    deletes it: it leaves ``ListClosedWorkflowExecutions`` and the counts, and its history
    answers ``UnknownResourceFault``. ``retention=False`` keeps closed executions for ever (the
    SerialExecutor, whose clock skips ahead over idle time).
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        quotas: Mapping[str, int] | Quotas | None = None,
        retention: bool = True,
    ) -> None:
        runtime = self._runtime = Runtime(clock, account_id, region, Quotas.from_mapping(quotas))
        self.registry = Registry(runtime)
        self.queues = TaskQueues(runtime)
        self.due = DueHeap()
        self.executions = Executions(runtime, self.registry, self.queues, self.due)
        self.executions.retention = retention
        self.tasks = Tasks(runtime, self.registry, self.executions, self.queues, self.due)
        self.decisions = Decisions(runtime, self.registry, self.executions, self.queues, self.due)
        self.timeouts = Timeouts(runtime, self.executions, self.queues, self.due)
        self.visibility = Visibility(self.registry, self.executions, self.queues)
        self._handlers: dict[str, Handler] = {}
        for collaborator in (
            self.registry,
            self.executions,
            self.tasks,
            self.decisions,
            self.visibility,
        ):
            self._handlers.update(collaborator.operations())
        self.operations: frozenset[str] = frozenset(self._handlers)
        """The SWF operations this model serves (``"StartWorkflowExecution"``...)."""
        # Bound once: these are called per task by the SerialExecutor and per call here.
        self._due: list[tuple[float, int, tuple[Any, ...]]] = self.due.entries  # for call()
        self.advance: Callable[[], int] = self.timeouts.advance
        self.next_due: Callable[[], float | None] = self.due.next_due
        self.next_due_item: Callable[[], tuple[float, str] | None] = self.due.next_due_item
        self.has_decision_task: Callable[[str, str], bool] = self.queues.has_decision_task
        self.has_activity_task: Callable[[str, str], bool] = self.queues.has_activity_task
        self.decision_queues: dict[tuple[str, str], deque[tuple[Execution, int]]] = (
            self.queues.decision_queues
        )
        self.activity_queues: dict[tuple[str, str], deque[ActivityTaskState]] = (
            self.queues.activity_queues
        )
        self.listeners: list[Callable[[], None]] = runtime.listeners

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one SWF API operation; raises :class:`SwfFault` with SWF's error codes."""
        handler = self._handlers.get(operation)
        if handler is None:
            raise SwfFault("UnknownOperationException", f"unknown operation {operation!r}")
        if not isinstance(params, dict):
            raise SwfFault("SerializationException", "the request body must be a JSON object")
        runtime = self._runtime
        now = runtime.call_now = float(runtime.clock())  # one timestamp for the whole call
        try:
            due = self._due
            if due and due[0][0] <= now:
                self.advance()
            return handler(params)
        except (KeyError, TypeError, AttributeError) as exc:
            raise SwfFault(
                "ValidationException", f"{operation}: missing or malformed field ({exc})"
            ) from None
        finally:
            runtime.call_now = None

    def undelivered(self, token: str) -> bool:
        """The started task ``token`` names never reached its poller (the answer's write
        failed): it times out now with SWF's ``START_TO_CLOSE`` semantics (see
        :meth:`Timeouts.undelivered <._timeouts.Timeouts.undelivered>` for why not an undo).
        False if the token no longer names a started task."""
        runtime = self._runtime
        runtime.call_now = float(runtime.clock())
        try:
            return self.timeouts.undelivered(token)
        finally:
            runtime.call_now = None

    def snapshot(self) -> dict[str, Any]:
        """The whole state of this model as plain, versioned JSON data (see ``_snapshot``):
        ``other.restore(model.snapshot())`` answers every later call as ``model`` would."""
        return _snapshot.snapshot(self)

    def restore(self, data: dict[str, Any]) -> None:
        """Replace this model's state with a :meth:`snapshot` (clock, ids and listeners stay);
        ``SnapshotError`` (a ``ValueError``) if ``data`` is not one this version reads."""
        _snapshot.restore(self, data)

    @property
    def region(self) -> str:
        """The region ARNs name for the calls that follow (set per request by the service)."""
        return self._runtime.region

    @region.setter
    def region(self, value: str) -> None:
        self._runtime.region = value

    @property
    def quotas(self) -> Quotas:
        """SWF's quotas as this model enforces them (``SwfModel(quotas={"domains": 3})``)."""
        return self._runtime.quotas

    @quotas.setter
    def quotas(self, value: Quotas) -> None:
        self._runtime.quotas = value

    @property
    def account_id(self) -> str:
        """The account id ARNs name."""
        return self._runtime.account_id

    def now(self) -> float:
        """The model's current time (epoch seconds; fixed for the duration of one call)."""
        return self._runtime.now()

    @property
    def clock(self) -> Callable[[], float]:
        """The injected clock (epoch seconds)."""
        return self._runtime.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._runtime.clock = clock

    @property
    def new_id(self) -> Callable[[], str]:
        """The source of run ids and task tokens (the local service journals what it gives)."""
        return self._runtime.new_id

    @new_id.setter
    def new_id(self, new_id: Callable[[], str]) -> None:
        self._runtime.new_id = new_id
