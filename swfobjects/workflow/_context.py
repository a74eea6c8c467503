"""The context-local seams between user code and the engine running it.

Workflow stubs find the replay runtime of the decision in progress; activity code finds the
task it is running (for heartbeats). Keeping these in context variables is what lets one
workflow API run on several executors.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..replay._runtime import WorkflowRuntime

__all__ = ["current_runtime", "runtime_var", "activity_var", "current_activity"]

runtime_var: ContextVar[WorkflowRuntime | None] = ContextVar("swfobjects_runtime", default=None)
activity_var: ContextVar[Any] = ContextVar("swfobjects_activity", default=None)


def current_runtime(what: str) -> WorkflowRuntime:
    """The runtime of the workflow decision running now, or a clear error naming ``what``."""
    runtime = runtime_var.get()
    if runtime is None:
        raise RuntimeError(
            f"{what} can only be used inside a workflow's @decision_task while an executor "
            "runs it (SerialExecutor().run(...), SWFExecutor workers, or swfobjects.decide); "
            "to run an activity's code directly, call the method on a worker instance"
        )
    return runtime


def current_activity(what: str) -> Any:
    """The activity task running in this thread, or a clear error."""
    task = activity_var.get()
    if task is None:
        raise RuntimeError(f"{what} can only be called while an executor runs an activity task")
    return task
