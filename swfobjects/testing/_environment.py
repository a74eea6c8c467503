"""Test environments: one activity without a workflow, and whole workflows on ``swfobjects local``.

:class:`ActivityEnvironment` runs an activity method as a worker would (the arguments and the
result go through the payload layer, ``self.heartbeat()`` and ``self.activity_task`` work, and a
test can ask for cancellation) but without SWF, a workflow or a poll loop, so a unit test of an
activity reads like a unit test of a function, and its exceptions arrive unchanged.

:class:`LocalEnvironment` is an :class:`~swfobjects.SWFExecutor` on a ``swfobjects local``
service whose decider and activity pollers start on demand: ``run(Workflow, ...)`` registers
the workflow, the activities and child workflows it can reach, and polls their task lists. It
is what the ``swf_local`` pytest fixture hands out, and how this project's end-to-end tests run
workflows over HTTP.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from ..client._handle import WorkflowHandle
from ..client._swf_executor import SWFExecutor
from ..payloads._payload import Payloads, PayloadStore
from ..payloads.storage._offload import as_payload_store
from ..payloads.storage._stores import DataStore
from ..worker._activities import ActivityTaskInfo
from ..worker._pollers import Workers
from ..workflow._context import activity_var
from ..workflow._declarations import REGISTRY, ActivityType, WorkflowType
from ..workflow._stubs import ActivityClient, WorkflowClient, bind_arguments

__all__ = ["ActivityEnvironment", "LocalEnvironment", "reachable"]


# --- one activity ----------------------------------------------------------------------------


@dataclass
class ActivityEnvironment:
    """Run one activity method as a worker would, without SWF or a workflow.

    >>> class Counter(ActivityWorker, task_list="count", version="1"):  # doctest: +SKIP
    ...     @activity_task(heartbeat_timeout=30)
    ...     def count(self, n: int) -> int:
    ...         for i in range(n):
    ...             if self.heartbeat(i):
    ...                 raise CancelledError("asked to stop")
    ...         return n
    >>> env = ActivityEnvironment()                                         # doctest: +SKIP
    >>> env.run(Counter().count, 3), env.heartbeats                         # doctest: +SKIP
    (3, [0, 1, 2])

    * ``heartbeats``: the details of every heartbeat, as the workflow would decode them;
    * ``cancel()`` (or ``cancel_after=n``): heartbeats answer "cancellation requested", as
      SWF's ``cancelRequested`` does, from then on (from the ``n``-th heartbeat on);
    * ``info``: the :class:`ActivityTaskInfo` the activity sees (``self.activity_task``);
      ``workflow_id``/``run_id``/``activity_id`` set it.

    Arguments are checked against the method's signature and annotations and go through the
    payload layer both ways, as they would between processes; so does the result and every
    heartbeat. The activity's exceptions, ``CancelledError`` included, propagate unchanged.
    """

    workflow_id: str = "test-workflow"
    run_id: str = "test-run"
    activity_id: str = "1"
    data_store: DataStore | PayloadStore | None = None
    cancel_after: int | None = None
    heartbeats: list[Any] = field(default_factory=list)
    info: ActivityTaskInfo | None = None

    def __post_init__(self) -> None:
        self.payloads = Payloads(store=as_payload_store(self.data_store, "swfobjects"))

    def cancel(self) -> None:
        """Make every heartbeat from now on answer that cancellation was requested."""
        self.cancel_after = len(self.heartbeats)

    def _heartbeat(self, details: Any) -> bool:
        text = self.payloads.encode_data(details, "heartbeat details")
        self.heartbeats.append(self.payloads.decode_data(text, "heartbeat details"))
        return self.cancel_after is not None and len(self.heartbeats) > self.cancel_after

    def run(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """Call ``method`` (a bound ``@activity_task`` method of a worker instance) as an
        activity task would, and return its result as the workflow would decode it."""
        activity = _activity_of(method)
        scope = {"workflow_id": self.workflow_id, "run_id": self.run_id}
        arguments = bind_arguments(activity, args, kwargs)
        what = f"activity {activity.name} ({self.activity_id})"
        text = self.payloads.encode_data(
            activity.arguments.encode(arguments), "input of " + what, scope, activity.input_store
        )
        call_args, call_kwargs = activity.arguments.decode(
            self.payloads.decode_data(text, "input of " + what)
        )
        self.info = ActivityTaskInfo(
            activity_id=self.activity_id,
            activity_name=activity.name,
            activity_version=activity.version,
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            started_event_id=0,
            task_token=f"test-token-{uuid.uuid4().hex}",
        )
        token = activity_var.set(_TestTask(self.info, self._heartbeat))
        try:
            value = method(*call_args, **call_kwargs)
        finally:
            activity_var.reset(token)
        result = self.payloads.encode(
            value, activity.result, "result of " + what, scope, activity.result_store
        )
        return self.payloads.decode(result, activity.result, "result of " + what)


class _TestTask:
    """The running task an :class:`ActivityEnvironment` gives its activity."""

    def __init__(self, info: ActivityTaskInfo, heartbeat: Any) -> None:
        self.info = info
        self.heartbeat = heartbeat


def _activity_of(method: Any) -> ActivityType:
    """The activity type of a bound ``@activity_task`` method, or a TypeError saying what to
    pass instead."""
    owner = getattr(method, "__self__", None)
    activities = getattr(type(owner), "_swf_activities", None) or {}
    name = getattr(method, "__name__", None)
    for activity in activities.values():
        if activity.method_name == name:
            return activity  # type: ignore[no-any-return]
    raise TypeError(
        f"ActivityEnvironment.run() needs an @activity_task method of an ActivityWorker "
        f"instance (worker.method), not {method!r}"
    )


# --- whole workflows over HTTP ---------------------------------------------------------------


@dataclass
class Reachable:
    """The types a workflow may use, and the task lists they are polled on."""

    workflows: set[WorkflowType] = field(default_factory=set)
    activities: set[ActivityType] = field(default_factory=set)
    decision_lists: set[str] = field(default_factory=set)
    activity_lists: set[str] = field(default_factory=set)


def reachable(workflow_class: type) -> Reachable:
    """The workflow and activity types ``workflow_class`` may use, with their task lists.

    Types declared in the workflow's module, plus those its class-level stubs name (with their
    task list overrides), followed through child workflows.
    """
    found = Reachable()
    todo = [workflow_class]
    seen: set[type] = set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        workflow: WorkflowType = cls._swf_workflow  # type: ignore[attr-defined]
        found.workflows.add(workflow)
        found.decision_lists.add(workflow.task_list)
        for activity in REGISTRY.activities.values():
            if activity.worker_class.__module__ == cls.__module__:
                found.activities.add(activity)
                found.activity_lists.add(activity.task_list)
        for other in REGISTRY.workflows.values():
            if other.workflow_class.__module__ == cls.__module__:
                found.workflows.add(other)
                found.decision_lists.add(other.task_list)
        for value in vars(cls).values():
            if isinstance(value, ActivityClient):
                override = value._overrides.get("task_list")
                for activity in value._targets.values():
                    found.activities.add(activity)
                    found.activity_lists.add(override or activity.task_list)
            elif isinstance(value, WorkflowClient):
                override = value._overrides.get("task_list")
                for child in value._targets.values():
                    todo.append(child.workflow_class)
                    if override:
                        found.decision_lists.add(override)
    return found


class LocalEnvironment:
    """An :class:`SWFExecutor` whose pollers start on demand for the workflows a test runs.

    ``client``: a boto3 SWF client (``LocalSWF(...).client()``, or moto's); ``domain``: a fresh
    one by default, so tests sharing a service do not see each other's executions.
    ``result_timeout``: how long ``run``/``result()`` wait by default, so a broken test fails
    instead of hanging. Close it (or use it as a context manager) to stop the pollers.
    """

    def __init__(
        self,
        client: Any,
        *,
        domain: str | None = None,
        decision_threads: int = 2,
        activity_threads: int = 4,
        result_timeout: float = 60.0,
        **executor_options: Any,
    ) -> None:
        options = {"poll_interval": 0.2, **executor_options}
        self.executor = SWFExecutor(
            domain or f"test-{uuid.uuid4().hex[:12]}", client=client, **options
        )
        self.executor.register()
        self.decision_threads = decision_threads
        self.activity_threads = activity_threads
        self.result_timeout = result_timeout
        self._registered: set[Any] = set()
        self._decision_lists: set[str] = set()
        self._activity_lists: set[str] = set()
        self._groups: list[Workers] = []

    def prepare(self, workflow_class: type, task_list: str | None = None) -> None:
        """Register what ``workflow_class`` can reach and poll its task lists (once)."""
        found = reachable(workflow_class)
        if task_list:
            found.decision_lists.add(task_list)
        for workflow in found.workflows - self._registered:
            self._registered.add(workflow)
            self.executor._register_workflow(workflow)
        for activity in found.activities - self._registered:
            self._registered.add(activity)
            self.executor._register_activity(activity)
        new_decisions = found.decision_lists - self._decision_lists
        new_activities = found.activity_lists - self._activity_lists
        if not (new_decisions or new_activities):
            return
        self._decision_lists |= new_decisions
        self._activity_lists |= new_activities
        group = self.executor.workers(
            decision_task_lists=sorted(new_decisions) or None,
            activity_task_lists=sorted(new_activities) or None,
            decision_threads=self.decision_threads,
            activity_threads=self.activity_threads,
            create_missing=True,
        )
        group.start()
        self._groups.append(group)

    def start(self, workflow_class: type, *args: Any, **kwargs: Any) -> WorkflowHandle[Any]:
        """``executor.start(...)``, after :meth:`prepare`; the handle's ``result()`` waits
        ``result_timeout`` unless told otherwise."""
        self.prepare(workflow_class, kwargs.get("task_list"))
        handle = self.executor.start(workflow_class, *args, **kwargs)
        wait, limit = handle._wait, self.result_timeout
        handle._wait = lambda h, timeout: wait(h, limit if timeout is None else timeout)
        return handle

    def run(self, workflow_class: type, *args: Any, **kwargs: Any) -> Any:
        """Start a workflow and return its result (or raise its failure)."""
        return self.start(workflow_class, *args, **kwargs).result()

    def close(self) -> None:
        """Stop every poller started here and wait for them."""
        for group in self._groups:
            group.stop()
        for group in self._groups:
            group.join(timeout=10)
        self._groups.clear()

    def __enter__(self) -> LocalEnvironment:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
