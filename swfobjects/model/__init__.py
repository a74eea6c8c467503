"""swfobjects.model: Amazon SWF's state machine in memory, speaking SWF's own JSON shapes.

:class:`SwfModel` is the façade: ``model.call(operation, params)`` takes SWF's request dict and
returns SWF's response dict (or raises :class:`SwfFault` with SWF's error code), and
:class:`InProcessClient` puts boto3's SWF client interface in front of it.
``model.snapshot()`` / ``model.restore(data)`` (``snapshot_json`` / ``restore_json`` as text)
carry its whole state as plain, versioned JSON, for ``swfobjects local --db`` compaction.

Behind the façade, one collaborator per job, each in the module named for it. Dependencies run
one way, downwards in this list; nothing imports anything above it::

    _model       SwfModel: builds the collaborators, dispatches call() through one table
    _snapshot    the whole state as plain, versioned JSON and back (snapshot, restore)
    _visibility  Visibility: List*/Count* executions, pending task counts, resource tags
    _timeouts    Timeouts: advance() fires due timers and timeouts and purges closed runs
                 past retention; undelivered() times out a task whose answer was lost
    _decisions   Decisions: RespondDecisionTaskCompleted (validating and applying decisions)
    _tasks       Tasks: polls, activity answers, heartbeats
    _executions  Executions: runs, history events, start/signal/cancel/terminate/close,
                 children and continue-as-new, history paging, describe, retention
    _registry    Registry: domains and types
    _queues      TaskQueues: decision/activity queues and task tokens ("is this task live")
    _due         DueHeap: armed timers and timeouts, soonest first
    _paging      the one pager (page size rule, page tokens)
    _params      request checks (text, name, timeout, priority, timestamp, choice)
    _runtime     Runtime: clock and call time, id source, change listeners
    _state       plain records and SwfFault

``_client`` (InProcessClient) sits above ``_model``. The model imports nothing of swfobjects
but ``swfobjects.exceptions`` and ``swfobjects.swf`` (shapes and limits).
"""

from __future__ import annotations

from ._client import InProcessClient, fault_to_client_error
from ._model import SwfModel
from ._runtime import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from ._snapshot import SnapshotError
from ._snapshot import dumps as snapshot_json
from ._snapshot import loads as restore_json
from ._state import SwfFault

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "InProcessClient",
    "SnapshotError",
    "SwfFault",
    "SwfModel",
    "fault_to_client_error",
    "restore_json",
    "snapshot_json",
]
