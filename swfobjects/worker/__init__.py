"""The processes that serve SWF tasks: deciders and activity workers polling task lists.

What runs in production next to Amazon SWF (or ``swfobjects local``): :class:`DecisionWorker`
answers decision tasks with the replay decider, :class:`ActivityWorkerRunner` runs activity
tasks, :class:`Workers` runs both until stopped, and :class:`Backoff` says how calls to SWF
retry throttling. The decision handler and activity runner inside them are shared with the
SerialExecutor, so tests exercise the same code.
"""

from ._pollers import ActivityWorkerRunner, DecisionWorker, Workers
from ._retrying import Backoff

__all__ = ["ActivityWorkerRunner", "Backoff", "DecisionWorker", "Workers"]
