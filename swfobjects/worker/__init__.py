"""The processes that serve SWF tasks: deciders and activity workers polling task lists.

What runs in production next to Amazon SWF (or ``swfobjects local``): :class:`DecisionWorker`
answers decision tasks with the replay decider, :class:`ActivityWorkerRunner` runs activity
tasks, :class:`Workers` runs both until stopped, and :class:`Backoff` says how calls to SWF
retry throttling. :class:`Interceptor` is the base of hooks for metrics, tracing and context
propagation (``interceptors=[...]`` on workers and executors). The decision handler and
activity runner inside them are shared with the SerialExecutor, so tests exercise the same
code.
"""

from ..replay._outgoing import OutgoingCall, WorkflowRun
from ._activities import ActivityExecution
from ._interceptors import DecisionTask, Interceptor, WorkflowClose
from ._pollers import ActivityWorkerRunner, DecisionWorker, Workers
from ._retrying import Backoff

__all__ = [
    "ActivityExecution",
    "ActivityWorkerRunner",
    "Backoff",
    "DecisionTask",
    "DecisionWorker",
    "Interceptor",
    "OutgoingCall",
    "Workers",
    "WorkflowClose",
    "WorkflowRun",
]
