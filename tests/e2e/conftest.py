"""The ``executor`` fixture: every e2e test runs on each executor, without knowing which.

Parameters:

* ``serial``: :class:`SerialExecutor` (in-process SWF model, skipped time);
* ``local``: :class:`SWFExecutor` over boto3 against ``swfobjects local`` (HTTP, full SWF);
* ``moto``: :class:`SWFExecutor` over boto3 against moto's server, an SWF implementation
  independent of ours. moto lacks parts of SWF; a test that needs one declares it with
  ``@pytest.mark.swf_features("child_workflows", ...)`` and is skipped on moto with the gap
  named (see ``MOTO_GAPS``).

A test calls ``executor.run(WorkflowCls, *args)`` (start + wait for the result) or
``executor.start(...)`` for a handle. For the SWF executors, the fixture registers the
workflow's types and starts decider and activity pollers in background threads for its task
lists the first time a workflow is started; everything is stopped when the test ends. Each
test gets its own domain.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from swfobjects import SerialExecutor
from swfobjects.client._swf_executor import SWFExecutor, swf_client
from swfobjects.worker._pollers import Workers
from swfobjects.workflow._declarations import REGISTRY
from swfobjects.workflow._stubs import ActivityClient, WorkflowClient

EXECUTORS = (
    "serial",
    pytest.param("local", marks=pytest.mark.slow),
    pytest.param("moto", marks=pytest.mark.slow),
)
"""The ``executor`` fixture's parameters; SWF over HTTP takes seconds a test, so it is slow."""

RESULT_TIMEOUT = 60.0
"""Seconds an SWF-backed ``run`` waits for a workflow before failing the test."""

MOTO_GAPS = {
    "child_workflows": "moto does not implement StartChildWorkflowExecution (HTTP 500)",
    "continue_as_new": "moto does not implement ContinueAsNewWorkflowExecution (HTTP 500)",
    "signal_external": "moto does not implement SignalExternalWorkflowExecution (HTTP 500)",
    "cancel_external": "moto does not implement RequestCancelExternalWorkflowExecution",
    "cancel_activity": "moto does not implement RequestCancelActivityTask / "
    "RespondActivityTaskCanceled",
    "cancel_workflow": "moto does not implement RequestCancelWorkflowExecution",
    "activity_timeouts": "moto does not enforce activity schedule-to-start, schedule-to-close "
    "or start-to-close timeouts",
    "size_limits": "moto does not check SWF's payload size limits",
    "cancel_timer": "moto emits TimerCancelled instead of TimerCanceled",
    "unhandled_decision": "moto accepts close decisions while signals are pending",
}
"""Feature name (for ``swf_features``) -> what moto lacks."""


def _reachable(workflow_class: type) -> tuple[set[Any], set[Any], set[str], set[str]]:
    """Workflow types, activity types and their task lists a workflow class may use.

    Types declared in the workflow's module, plus those its class-level stubs name (with
    their task list overrides), followed through child workflows.
    """
    workflows: set[Any] = set()
    activities: set[Any] = set()
    decision_lists: set[str] = set()
    activity_lists: set[str] = set()
    todo = [workflow_class]
    seen: set[type] = set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        workflow = cls._swf_workflow  # type: ignore[attr-defined]
        workflows.add(workflow)
        decision_lists.add(workflow.task_list)
        for item in REGISTRY.activities.values():
            if item.worker_class.__module__ == cls.__module__:
                activities.add(item)
                activity_lists.add(item.task_list)
        for item in REGISTRY.workflows.values():
            if item.workflow_class.__module__ == cls.__module__:
                workflows.add(item)
                decision_lists.add(item.task_list)
        for value in vars(cls).values():
            if isinstance(value, ActivityClient):
                override = value._overrides.get("task_list")
                for item in value._targets.values():
                    activities.add(item)
                    activity_lists.add(override or item.task_list)
            elif isinstance(value, WorkflowClient):
                override = value._overrides.get("task_list")
                for item in value._targets.values():
                    todo.append(item.workflow_class)
                    if override:
                        decision_lists.add(override)
    return workflows, activities, decision_lists, activity_lists


class SerialE2E:
    """The SerialExecutor, behind the e2e interface."""

    name = "serial"

    def __init__(self) -> None:
        self.executor = SerialExecutor(check_replay=True)  # cached and full replay must agree

    def start(self, workflow_class: type, *args: Any, **kwargs: Any) -> Any:
        return self.executor.start(workflow_class, *args, **kwargs)

    def run(self, workflow_class: type, *args: Any, **kwargs: Any) -> Any:
        return self.start(workflow_class, *args, **kwargs).result()

    def close(self) -> None:
        pass


class SwfE2E:
    """An SWFExecutor with pollers started on demand for the task lists a test uses."""

    def __init__(
        self, name: str, client: Any, decision_threads: int, activity_threads: int
    ) -> None:
        self.name = name
        domain = f"e2e-{uuid.uuid4().hex[:12]}"
        self.executor = SWFExecutor(domain, client=client, poll_interval=0.2, check_replay=True)
        self.executor.register()
        self.decision_threads = decision_threads
        self.activity_threads = activity_threads
        self._registered: set[Any] = set()
        self._decision_lists: set[str] = set()
        self._activity_lists: set[str] = set()
        self._groups: list[Workers] = []

    def _prepare(self, workflow_class: type, task_list: str | None) -> None:
        workflows, activities, decision_lists, activity_lists = _reachable(workflow_class)
        if task_list:
            decision_lists.add(task_list)
        for item in (workflows | activities) - self._registered:
            self._registered.add(item)
            owner = getattr(item, "workflow_class", None) or item.worker_class
            if hasattr(owner, "_swf_workflow"):
                self.executor._register_workflow(item)
            else:
                self.executor._register_activity(item)
        new_decisions = decision_lists - self._decision_lists
        new_activities = activity_lists - self._activity_lists
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

    def start(self, workflow_class: type, *args: Any, **kwargs: Any) -> Any:
        self._prepare(workflow_class, kwargs.get("task_list"))
        handle = self.executor.start(workflow_class, *args, **kwargs)
        wait = handle._wait
        handle._wait = lambda h, timeout: wait(h, RESULT_TIMEOUT if timeout is None else timeout)
        return handle

    def run(self, workflow_class: type, *args: Any, **kwargs: Any) -> Any:
        return self.start(workflow_class, *args, **kwargs).result(timeout=RESULT_TIMEOUT)

    def close(self) -> None:
        for group in self._groups:
            group.stop()
        for group in self._groups:
            group.join(timeout=10)


@pytest.fixture(params=EXECUTORS)
def executor(request: pytest.FixtureRequest) -> Iterator[Any]:
    """An executor for whole workflows: ``run(WorkflowCls, *args)``, ``start(...)``."""
    name = request.param
    marker = request.node.get_closest_marker("swf_features")
    needs = set(marker.args) if marker else set()
    if name == "serial":
        runner: Any = SerialE2E()
    elif name == "local":
        service = request.getfixturevalue("local_swf")
        runner = SwfE2E("local", service.client(), decision_threads=2, activity_threads=4)
    else:
        gaps = sorted(needs & MOTO_GAPS.keys())
        if gaps:
            pytest.skip("; ".join(MOTO_GAPS[gap] for gap in gaps))
        endpoint = request.getfixturevalue("moto_endpoint")
        session = boto3.session.Session(
            aws_access_key_id="moto", aws_secret_access_key="moto", region_name="us-east-1"
        )
        client = swf_client(session, endpoint_url=endpoint)
        # moto may hand one task to two pollers: one poller per task list.
        runner = SwfE2E("moto", client, decision_threads=1, activity_threads=1)
    try:
        yield runner
    finally:
        runner.close()
