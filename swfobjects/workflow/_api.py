"""The module-level workflow API: ``workflow.timer(60)``, ``workflow.now()``...

The helpers a :class:`Workflow` subclass reaches through ``self`` are also plain functions of
:mod:`swfobjects.workflow`, for workflows written as ``async def`` functions (which have no
``self``) and for any code running inside a workflow, in the way Temporal's ``workflow``
module works. Each one asks the running replay through the seam
(:func:`~swfobjects.workflow._context.current_runtime`), so they work in class-based
workflows too, and outside a workflow they raise a ``RuntimeError`` saying where they can be
used.

>>> from swfobjects import workflow                                  # doctest: +SKIP
>>> @decision_task(task_list="reminders")                            # doctest: +SKIP
... async def remind(user: str) -> str:
...     await workflow.timer(3600)
...     return f"reminded {user} at {workflow.now():%H:%M}"
"""

from __future__ import annotations

import datetime as dt
import logging
import random as random_module
import uuid as uuid_module
from collections.abc import Callable
from typing import Any, NoReturn

from ._by_name import call_activity, start_child
from ._classes import encode_signal_input
from ._context import ActivityInfo, TimeoutScope, current_activity, current_runtime, runtime_var
from ._logging import ActivityLogger, WorkflowLogger
from ._options import Timeout
from ._promise import Promise

__all__ = [
    "activity_info",
    "activity_log",
    "call_activity",
    "cancel_requested",
    "continue_as_new",
    "heartbeat",
    "history_length",
    "in_workflow",
    "is_replaying",
    "log",
    "now",
    "patched",
    "random",
    "run_id",
    "signal_external",
    "start_child",
    "timeout",
    "timer",
    "uuid4",
    "wait_for",
    "workflow_id",
]


def in_workflow() -> bool:
    """True while workflow code runs (a decision is being replayed in this context)."""
    return runtime_var.get() is not None


def timer(seconds: Timeout) -> Promise[None]:
    """A durable timer: a promise settled ``seconds`` (or a ``timedelta``) from now."""
    return current_runtime("workflow.timer()").start_timer(seconds)


def now() -> dt.datetime:
    """The time of the decision in progress (event time: replay-safe), timezone-aware UTC."""
    return current_runtime("workflow.now()").now()


def random() -> random_module.Random:
    """A ``random.Random`` seeded by this run: the same numbers on every replay."""
    return current_runtime("workflow.random()").random()


def uuid4() -> uuid_module.UUID:
    """A random-looking UUID that replays identically (drawn from :func:`random`)."""
    bits = current_runtime("workflow.uuid4()").random().getrandbits(128)
    return uuid_module.UUID(int=bits, version=4)


def workflow_id() -> str:
    """This execution's workflow id."""
    return current_runtime("workflow.workflow_id()").workflow_id


def run_id() -> str:
    """This execution's run id."""
    return current_runtime("workflow.run_id()").run_id


def wait_for(predicate: Callable[[], bool]) -> Promise[None]:
    """A promise settled when ``predicate()`` (over workflow state) becomes true."""
    return current_runtime("workflow.wait_for()").wait_for(predicate)


def timeout(seconds: float | dt.timedelta) -> TimeoutScope:
    """``async with workflow.timeout(60):`` cancels the body after 60 s (``TimeoutError``)."""
    return current_runtime("workflow.timeout()").timeout(seconds)


def continue_as_new(*args: Any, **kwargs: Any) -> NoReturn:
    """Close this run and start a new one (same workflow id) with these arguments."""
    current_runtime("workflow.continue_as_new()").continue_as_new(args, kwargs)


def history_length() -> int:
    """Events in this run's history so far (SWF stops an execution at 25,000)."""
    return current_runtime("workflow.history_length()").history_length


def patched(change_id: str) -> bool:
    """True for executions that take the new code path of ``change_id`` (see
    ``Workflow.patched``)."""
    return current_runtime("workflow.patched()").patched(change_id)


def cancel_requested() -> bool:
    """True once someone asked to cancel this execution."""
    return current_runtime("workflow.cancel_requested()").cancel_requested


def signal_external(
    target_workflow_id: str,
    name: str,
    *args: Any,
    run_id: str | None = None,
    workflow_class: type | None = None,
    **kwargs: Any,
) -> Promise[None]:
    """Signal another execution; ``workflow_class`` encodes arguments as its handler wants."""
    runtime = current_runtime("workflow.signal_external()")
    text = encode_signal_input(runtime.payloads, name, args, kwargs, workflow_class)
    return runtime.signal_external(target_workflow_id, name, text, run_id)


def heartbeat(details: Any = None) -> bool:
    """From activity code: report progress; True if cancellation of the task was asked.

    The ``self.heartbeat()`` of an :class:`ActivityWorker`, for activities that are functions.
    """
    return current_activity("workflow.heartbeat()").heartbeat(details)


def activity_info() -> ActivityInfo:
    """From activity code: the running task's ids, type and token."""
    return current_activity("workflow.activity_info()").info


log = WorkflowLogger(logging.getLogger("swfobjects.workflow"))
"""The replay-safe logger of workflow code (``workflow.log.info(...)``), for workflow functions:
silent while a decision is replayed, with the execution's ids and the decision's event id in
``extra`` (see ``Workflow.log``)."""

activity_log = ActivityLogger(logging.getLogger("swfobjects.activity"))
"""The logger of activity functions: records carry the task's activity id, type, attempt and
workflow ids in ``extra`` (see ``ActivityWorker.log``)."""


def is_replaying() -> bool:
    """True while workflow code re-runs a decision already recorded in history."""
    return current_runtime("workflow.is_replaying()").is_replaying
