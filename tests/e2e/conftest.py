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
from swfobjects.client._swf_executor import swf_client
from swfobjects.testing import LocalEnvironment

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
    "execution_context": "moto clears latestExecutionContext when a decision task completes "
    "without an executionContext (SWF keeps the latest one given)",
}
"""Feature name (for ``swf_features``) -> what moto lacks."""


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


class SwfE2E(LocalEnvironment):
    """An SWFExecutor with pollers started on demand for the task lists a test uses."""

    def __init__(
        self, name: str, client: Any, decision_threads: int, activity_threads: int
    ) -> None:
        super().__init__(
            client,
            domain=f"e2e-{uuid.uuid4().hex[:12]}",
            decision_threads=decision_threads,
            activity_threads=activity_threads,
            result_timeout=RESULT_TIMEOUT,
            check_replay=True,  # cached and full replay must agree
        )
        self.name = name


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
