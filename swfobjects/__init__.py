"""swfobjects: the sane way to write AWS Simple Workflow (SWF) workflows in Python.

This module holds what a workflow author needs; everything else lives in the package named for
its role. The layout is the architecture, and imports run one way only (left uses nothing to
its right; ``tests/test_layers.py`` enforces it)::

    exceptions <- swf <- payloads <- workflow <- replay <- worker <- client <- testing
                  swf <- model <- local

- ``swfobjects.exceptions``: the whole error tree, rooted at ``SwfObjectsError``;
- ``swfobjects.swf``: facts about SWF itself (event and decision shapes, every limit);
- ``swfobjects.payloads``: values to SWF text and back (marshmallow, never pickle), failures,
  and ``payloads.storage`` (also ``swfobjects.storage``) for payloads past SWF's limits;
- ``swfobjects.workflow``: ``Workflow``, ``ActivityWorker``, decorators, stubs, promises, and
  the seam through which workflow code reaches the replay running it;
- ``swfobjects.replay``: the pure replay decider (``decide``, ``Decider``) behind that seam;
- ``swfobjects.worker``: pollers, activity runner, decision handler, retrying client;
- ``swfobjects.client``: ``SWFExecutor`` and ``WorkflowHandle``, over boto3;
- ``swfobjects.testing``: ``SerialExecutor`` (one process, one thread, no AWS) and ``LocalSWF``;
- ``swfobjects.model`` and ``swfobjects.local``: the in-memory SWF state machine and the
  SWF-compatible HTTP service around it (``swfobjects local``).

>>> from swfobjects import Workflow, decision_task
>>> class Welcome(Workflow, task_list="welcome", version="1.0"):
...     @decision_task
...     async def run(self, name: str) -> str:
...         return f"Hello, {name}!"
>>> SerialExecutor().run(Welcome, "world")
'Hello, world!'
"""

from __future__ import annotations

import importlib
import warnings
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .client._handle import WorkflowHandle
from .client._swf_executor import SWFExecutor
from .exceptions import (
    ActivityTaskError,
    CancelledError,
    SwfObjectsError,
    WorkflowExecutionError,
)
from .testing._serial import SerialExecutor
from .worker._activities import ActivityTaskInfo
from .workflow._classes import ActivityWorker, Workflow
from .workflow._combinators import all_of, any_of
from .workflow._functions import activity_task, decision_task
from .workflow._markers import cached, nondeterministic, signal
from .workflow._options import RetryPolicy
from .workflow._promise import Promise
from .workflow._state import state

try:
    __version__ = version("swfobjects")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "ActivityTaskError",
    "ActivityTaskInfo",
    "ActivityWorker",
    "CancelledError",
    "Promise",
    "RetryPolicy",
    "SWFExecutor",
    "SerialExecutor",
    "SwfObjectsError",
    "Workflow",
    "WorkflowExecutionError",
    "WorkflowHandle",
    "activity_task",
    "all_of",
    "any_of",
    "cached",
    "decision_task",
    "nondeterministic",
    "signal",
    "state",
]

_MOVED = {
    "ActivityClient": "swfobjects.workflow",
    "ActivityType": "swfobjects.workflow",
    "WorkflowClient": "swfobjects.workflow",
    "WorkflowType": "swfobjects.workflow",
    "Decider": "swfobjects.replay",
    "decide": "swfobjects.replay",
    "ActivityWorkerRunner": "swfobjects.worker",
    "Backoff": "swfobjects.worker",
    "DecisionWorker": "swfobjects.worker",
    "Workers": "swfobjects.worker",
    "swf_client": "swfobjects.client",
    "LocalSWF": "swfobjects.testing",
}
"""Names the root exported before 0.2, and the package that holds each now."""


def __getattr__(name: str) -> Any:
    """Old imports (``from swfobjects import Decider``, ``TimerError``...) keep working for one
    release, with a warning that names the new home, so upgrading breaks nothing silently."""
    home = _MOVED.get(name)
    if home is None:
        from . import exceptions

        if name in exceptions.__all__:
            home = "swfobjects.exceptions"
    if home is None:
        raise AttributeError(f"module 'swfobjects' has no attribute {name!r}")
    warnings.warn(
        f"swfobjects.{name} moved: import it from {home} (from {home} import {name})",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(home), name)
