"""swfobjects: the sane way to write AWS Simple Workflow (SWF) workflows in Python.

Layers, top to bottom (data flows down, never back up):

1. declarations: ``ActivityWorker``, ``Workflow``, ``@activity_task``, ``@decision_task``;
2. promises and the deterministic workflow scheduler: ``Promise``, ``all_of``, ``any_of``;
3. the replay decider: ``decide(WorkflowCls, events)``;
4. payloads: marshmallow-based JSON, SWF size limits, the data-store seam;
5. executors: ``SerialExecutor`` (in-process SWF model) and the SWF executor (boto3).
"""

from __future__ import annotations

from .client._handle import WorkflowHandle
from .exceptions import (
    ActivityScheduleError,
    ActivityTaskCancelledError,
    ActivityTaskError,
    ActivityTaskTimeoutError,
    CancelledError,
    ChildWorkflowCancelledError,
    ChildWorkflowError,
    ChildWorkflowFailedError,
    ChildWorkflowStartError,
    ChildWorkflowTerminatedError,
    ChildWorkflowTimedOutError,
    CorruptPayloadError,
    DataStoreError,
    DeclarationError,
    NonDeterminismError,
    NonDeterministicCallError,
    PayloadNotFoundError,
    PayloadTooLargeError,
    PayloadTooLargeForStoreError,
    SerializationError,
    SignalError,
    SwfObjectsError,
    TimerError,
    WorkflowCancelledError,
    WorkflowExecutionError,
    WorkflowStuckError,
)
from .replay._decider import Decider, decide
from .testing._serial import SerialExecutor
from .worker._activities import ActivityTaskInfo
from .workflow._classes import ActivityWorker, Workflow
from .workflow._declarations import ActivityType, WorkflowType, activity_task, decision_task
from .workflow._markers import cached, nondeterministic, signal
from .workflow._options import RetryPolicy
from .workflow._promise import Promise, all_of, any_of
from .workflow._stubs import ActivityClient, WorkflowClient

__version__ = "0.1.0"

__all__ = [
    "CorruptPayloadError",
    "DataStoreError",
    "PayloadNotFoundError",
    "PayloadTooLargeForStoreError",
    "CancelledError",
    "ChildWorkflowCancelledError",
    "ChildWorkflowError",
    "ChildWorkflowFailedError",
    "ChildWorkflowStartError",
    "ChildWorkflowTerminatedError",
    "ChildWorkflowTimedOutError",
    "NonDeterministicCallError",
    "SignalError",
    "cached",
    "nondeterministic",
    "signal",
    "ActivityClient",
    "ActivityScheduleError",
    "ActivityTaskCancelledError",
    "ActivityTaskError",
    "ActivityTaskInfo",
    "ActivityTaskTimeoutError",
    "ActivityType",
    "ActivityWorker",
    "DeclarationError",
    "Decider",
    "NonDeterminismError",
    "PayloadTooLargeError",
    "Promise",
    "RetryPolicy",
    "SerialExecutor",
    "SerializationError",
    "SwfObjectsError",
    "TimerError",
    "Workflow",
    "WorkflowCancelledError",
    "WorkflowClient",
    "WorkflowExecutionError",
    "WorkflowHandle",
    "WorkflowStuckError",
    "WorkflowType",
    "activity_task",
    "all_of",
    "any_of",
    "decide",
    "decision_task",
]

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj):
        try:
            _obj.__module__ = "swfobjects"
        except (AttributeError, TypeError):
            pass
del _name, _obj

# The SWF executor (issue 5): boto3 client, poll loops, retries.
from .client._swf_executor import SWFExecutor, swf_client  # noqa: E402
from .worker._pollers import ActivityWorkerRunner, DecisionWorker, Workers  # noqa: E402
from .worker._retrying import Backoff  # noqa: E402

__all__ += [
    "ActivityWorkerRunner",
    "Backoff",
    "DecisionWorker",
    "SWFExecutor",
    "Workers",
    "swf_client",
]
for _obj in (ActivityWorkerRunner, Backoff, DecisionWorker, SWFExecutor, Workers, swf_client):
    _obj.__module__ = "swfobjects"
del _obj

# swfobjects local (issue 4): the SWF-compatible service on this machine.
from .local import LocalSWF  # noqa: E402

__all__ += ["LocalSWF"]
LocalSWF.__module__ = "swfobjects"
