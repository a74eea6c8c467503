"""swfobjects.workflow: everything a workflow author writes against.

Base classes (``Workflow``, ``ActivityWorker``), decorators, type descriptions and options,
client stubs, promises and their combinators, and the seam (``WorkflowContext``,
``ActivityContext``) through which workflow and activity code reach the engine running them.
This package defines the seam; ``swfobjects.replay`` and ``swfobjects.worker`` implement it.
"""

from ._classes import ActivityWorker, Workflow
from ._combinators import all_of, any_of
from ._context import ActivityContext, ActivityInfo, TimeoutScope, WorkflowContext
from ._declarations import ActivityType, WorkflowType, activity_task, decision_task
from ._markers import cached, nondeterministic, signal
from ._options import RetryPolicy
from ._promise import Promise
from ._stubs import ActivityClient, WorkflowClient

__all__ = [
    "ActivityClient",
    "ActivityContext",
    "ActivityInfo",
    "ActivityType",
    "ActivityWorker",
    "Promise",
    "RetryPolicy",
    "TimeoutScope",
    "Workflow",
    "WorkflowClient",
    "WorkflowContext",
    "WorkflowType",
    "activity_task",
    "all_of",
    "any_of",
    "cached",
    "decision_task",
    "nondeterministic",
    "signal",
]
