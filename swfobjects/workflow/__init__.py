"""swfobjects.workflow: everything a workflow author writes against.

Base classes (``Workflow``, ``ActivityWorker``), decorators, type descriptions and options,
client stubs, promises and their combinators, and the seam (``WorkflowContext``,
``ActivityContext``) through which workflow and activity code reach the engine running them.
This package defines the seam; ``swfobjects.replay`` and ``swfobjects.worker`` implement it.

It is also the module-level workflow API (``from swfobjects import workflow``):
``workflow.timer(60)``, ``workflow.now()``, ``workflow.random()``... for workflows written as
``async def`` functions, and for class-based ones alike.
"""

from ._api import (
    activity_info,
    activity_log,
    call_activity,
    cancel_requested,
    continue_as_new,
    heartbeat,
    history_length,
    in_workflow,
    is_replaying,
    log,
    now,
    patched,
    random,
    run_id,
    signal_external,
    start_child,
    timeout,
    timer,
    uuid4,
    wait_for,
    workflow_id,
)
from ._classes import ActivityWorker, Workflow
from ._combinators import all_of, any_of
from ._context import ActivityContext, ActivityInfo, TimeoutScope, WorkflowContext
from ._declarations import ActivityType, WorkflowType
from ._functions import ActivityFunction, WorkflowFunction, activity_task, decision_task
from ._markers import cached, nondeterministic, signal
from ._options import RetryPolicy
from ._promise import Promise
from ._state import state
from ._stubs import ActivityCalls, ActivityClient, WorkflowCalls, WorkflowClient

__all__ = [
    "ActivityCalls",
    "ActivityClient",
    "ActivityContext",
    "ActivityFunction",
    "ActivityInfo",
    "ActivityType",
    "ActivityWorker",
    "Promise",
    "RetryPolicy",
    "TimeoutScope",
    "Workflow",
    "WorkflowCalls",
    "WorkflowClient",
    "WorkflowContext",
    "WorkflowFunction",
    "WorkflowType",
    "activity_info",
    "activity_log",
    "activity_task",
    "all_of",
    "any_of",
    "cached",
    "call_activity",
    "cancel_requested",
    "continue_as_new",
    "decision_task",
    "heartbeat",
    "history_length",
    "in_workflow",
    "is_replaying",
    "log",
    "nondeterministic",
    "now",
    "patched",
    "random",
    "run_id",
    "signal",
    "signal_external",
    "start_child",
    "state",
    "timeout",
    "timer",
    "uuid4",
    "wait_for",
    "workflow_id",
]
