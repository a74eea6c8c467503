"""swfobjects.workflow: what workflow and activity code is written with."""

from ._classes import ActivityWorker, Workflow
from ._declarations import ActivityType, WorkflowType, activity_task, decision_task
from ._markers import cached, nondeterministic, signal
from ._options import RetryPolicy
from ._promise import Promise, all_of, any_of
from ._stubs import ActivityClient, WorkflowClient

__all__ = [
    "ActivityClient",
    "ActivityType",
    "ActivityWorker",
    "Promise",
    "RetryPolicy",
    "Workflow",
    "WorkflowClient",
    "WorkflowType",
    "activity_task",
    "all_of",
    "any_of",
    "cached",
    "decision_task",
    "nondeterministic",
    "signal",
]
