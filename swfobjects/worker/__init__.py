"""swfobjects.worker: long-poll workers that serve SWF's decision and activity tasks."""

from ._pollers import ActivityWorkerRunner, DecisionWorker, Workers
from ._retrying import Backoff

__all__ = ["ActivityWorkerRunner", "Backoff", "DecisionWorker", "Workers"]
