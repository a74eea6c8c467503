"""Every error swfobjects raises, under one root.

::

    SwfObjectsError
    ├── DeclarationError (also TypeError)        a class or decorator is declared wrongly
    ├── RemoteTraceback                          never raised: a remote failure's cause (text)
    ├── SerializationError (also ValueError)     a value cannot be encoded / decoded
    │   └── PayloadTooLargeError                 a payload exceeds an SWF size limit
    ├── NonDeterminismError                      replayed code disagrees with history
    ├── HistoryError                             a history event is malformed, duplicated or missing
    ├── ActivityScheduleError                    SWF refused to schedule an activity
    ├── ActivityTaskError                        an activity failed remotely
    │   └── ActivityTaskTimeoutError             an activity timed out
    ├── ActivityTaskCancelledError               an activity was cancelled
    ├── TimerError                               SWF refused to start a timer
    ├── WorkflowExecutionError                   a workflow execution did not complete
    │   └── WorkflowCancelledError               ... because it was cancelled
    ├── WorkflowStuckError                       nothing can make a workflow progress
    ├── ChildWorkflowError                       a child workflow did not complete
    │   ├── ChildWorkflowFailedError / ChildWorkflowTimedOutError
    │   ├── ChildWorkflowCancelledError / ChildWorkflowTerminatedError
    │   └── ChildWorkflowStartError              SWF refused to start it
    ├── SignalError                              a signal could not be delivered or decoded
    ├── NonDeterministicCallError                workflow code read a clock or randomness,
    │                                            slept, or used threads or asyncio
    ├── WorkflowCodeError (also TypeError)       workflow code awaited something not a Promise,
    │                                            or completed without awaiting its promises
    ├── UnknownActivityTypeError (LookupError)   no worker here implements a polled activity
    ├── UnknownWorkflowTypeError (LookupError)   no class here implements a polled workflow
    ├── HistoryFileError (also ValueError)       a history file is not an SWF history
    └── DataStoreError                           the out-of-band payload store failed
        ├── PayloadNotFoundError (also LookupError)  a referenced payload is not in the store
        ├── CorruptPayloadError (also ValueError)    a stored payload's size or sha256 differs
        └── PayloadTooLargeForStoreError (ValueError) over the store's own size limit

    CancelledError (a BaseException, like asyncio's: ``except Exception`` does not swallow it)

Errors that cross a process boundary (activity and workflow failures) carry the remote type
name, message, traceback text and decoded details rather than the remote exception object:
we never pickle. Their ``__cause__`` is a :class:`RemoteTraceback` whose text is the remote
traceback, as ``concurrent.futures`` does, so the user's own file and line appear wherever
Python or pytest prints the error.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ActivityScheduleError",
    "ActivityTaskCancelledError",
    "ActivityTaskError",
    "ActivityTaskTimeoutError",
    "CancelledError",
    "ChildWorkflowCancelledError",
    "ChildWorkflowError",
    "ChildWorkflowFailedError",
    "ChildWorkflowStartError",
    "ChildWorkflowTerminatedError",
    "ChildWorkflowTimedOutError",
    "CorruptPayloadError",
    "DataStoreError",
    "DeclarationError",
    "HistoryError",
    "HistoryFileError",
    "NonDeterminismError",
    "NonDeterministicCallError",
    "PayloadNotFoundError",
    "PayloadTooLargeError",
    "PayloadTooLargeForStoreError",
    "RemoteTraceback",
    "SerializationError",
    "SignalError",
    "SwfObjectsError",
    "TimerError",
    "UnknownActivityTypeError",
    "UnknownWorkflowTypeError",
    "WorkflowCancelledError",
    "WorkflowCodeError",
    "WorkflowExecutionError",
    "WorkflowStuckError",
]


class SwfObjectsError(Exception):
    """Root of every error raised by swfobjects."""


class RemoteTraceback(SwfObjectsError):
    """The traceback of a failure in another process (an activity worker, a decider), as text.

    Set as the ``__cause__`` of :class:`ActivityTaskError`, :class:`WorkflowExecutionError` and
    :class:`ChildWorkflowFailedError`, so a printed traceback (Python's, pytest's) shows the
    remote ``Traceback (most recent call last): File "/app/payments.py", line 12, in charge``
    followed by "The above exception was the direct cause of the following exception".

    It is never raised; ``str()`` is the remote traceback text.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text.rstrip()}\n"""'


def _with_remote_cause(error: BaseException, traceback: str) -> None:
    """Make the remote traceback the error's printed cause (nothing if there is none)."""
    if traceback:
        error.__cause__ = RemoteTraceback(traceback)


class DeclarationError(SwfObjectsError, TypeError):
    """A workflow, activity worker or decorator is declared wrongly (raised at import time)."""


class SerializationError(SwfObjectsError, ValueError):
    """A value could not be encoded to, or decoded from, an SWF payload.

    ``path`` names the offending field (``"order.items.0.sku"``) when known.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class PayloadTooLargeError(SerializationError):
    """A payload is larger than SWF accepts; configure a data store to send it out of band."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(
            f"{what} is {size:,} characters, over SWF's limit of {limit:,}; configure a data "
            "store (SerialExecutor(data_store=...) / SWFExecutor(..., data_store=...)) to send "
            "large payloads out of band, or pass a reference instead of the value"
        )
        self.what = what
        self.size = size
        self.limit = limit


class NonDeterminismError(SwfObjectsError):
    """Replayed workflow code asked for something the history contradicts.

    This fails the decision task, never the workflow: deploy the fixed code (or the old code)
    and the execution resumes.
    """

    def __init__(self, message: str, event_id: int | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id


class HistoryError(SwfObjectsError):
    """A history handed to the decider is malformed or inconsistent, so it cannot be replayed.

    A missing or wrongly typed attribute (``field`` names it), event ids out of order, or an
    event replay relies on that is duplicated or missing (a second ``WorkflowExecutionStarted``,
    a ``TimerFired`` for a timer that is not running). ``event_id`` is the event's id when it
    has a usable one. Like :class:`NonDeterminismError` this fails the decision task only; a
    history from SWF itself never raises it, so look at whatever produced or altered the
    events (a proxy, a test fixture, a hand-edited recording).
    """

    def __init__(self, message: str, event_id: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.field = field


class ActivityScheduleError(SwfObjectsError):
    """SWF refused to schedule an activity for a reason a retry cannot fix.

    ``cause`` is SWF's ``ScheduleActivityTaskFailed`` cause, e.g. ``ACTIVITY_TYPE_DOES_NOT_EXIST``.
    """

    def __init__(self, message: str, cause: str, activity_id: str, activity_name: str) -> None:
        super().__init__(message)
        self.cause = cause
        self.activity_id = activity_id
        self.activity_name = activity_name


class ActivityTaskError(SwfObjectsError):
    """An activity failed in its worker; raised where the workflow awaits its promise.

    ``type_name`` is the remote exception's qualified type name, ``message`` its text,
    ``remote_traceback`` the formatted traceback (also the ``__cause__``, a
    :class:`RemoteTraceback`, so it is printed with this error) and ``details`` the decoded
    ``details`` attribute the remote exception carried, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        type_name: str = "",
        remote_traceback: str = "",
        details: Any = None,
        reason: str = "",
        activity_id: str = "",
        activity_name: str = "",
        attempt: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.type_name = type_name
        self.remote_traceback = remote_traceback
        self.details = details
        self.reason = reason
        self.activity_id = activity_id
        self.activity_name = activity_name
        self.attempt = attempt
        _with_remote_cause(self, remote_traceback)

    def __str__(self) -> str:
        name = self.activity_name or "activity"
        short = self.type_name.rpartition(".")[2]
        prefix = f"{short}: " if short else ""
        return f"{name} ({self.activity_id}, attempt {self.attempt}) failed: {prefix}{self.message}"


class ActivityTaskTimeoutError(ActivityTaskError):
    """An activity timed out; ``timeout_type`` is SWF's (``START_TO_CLOSE``, ``HEARTBEAT``...)."""

    def __init__(self, message: str, *, timeout_type: str, **kwargs: Any) -> None:
        super().__init__(message, type_name="Timeout", **kwargs)
        self.timeout_type = timeout_type


class ActivityTaskCancelledError(SwfObjectsError):
    """An activity was cancelled (its worker answered ``RespondActivityTaskCanceled``)."""

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


class TimerError(SwfObjectsError):
    """SWF refused to start a timer (``StartTimerFailed``) for a reason a retry cannot fix."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


class WorkflowExecutionError(SwfObjectsError):
    """A workflow execution closed without completing (failed, timed out, terminated...).

    ``status`` is SWF's close status, ``reason`` and ``details`` what the workflow reported.
    For a failure raised by workflow code, ``details`` is a
    :class:`~swfobjects.payloads.RemoteFailure` (``type_name``, ``message``, ``traceback``,
    ``details``) and the ``__cause__`` a :class:`RemoteTraceback`, so the workflow's own file
    and line are printed with this error.
    """

    def __init__(
        self,
        message: str,
        *,
        status: str,
        workflow_id: str,
        run_id: str,
        reason: str = "",
        details: Any = None,
        remote_traceback: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.reason = reason
        self.details = details
        self.remote_traceback = remote_traceback
        _with_remote_cause(self, remote_traceback)


class WorkflowCancelledError(WorkflowExecutionError):
    """The workflow execution closed as CANCELED."""


class WorkflowStuckError(SwfObjectsError):
    """The SerialExecutor found an open workflow that nothing can move forward.

    The workflow waits for something no one will send (a signal, say) and no timer is pending.
    ``pending`` lists what it waits for (``swfobjects.replay.Pending`` records: each
    ``wait_for`` with its source line, open activities, children...), as ``handle.pending()``.
    """

    def __init__(self, message: str, pending: list[Any] | None = None) -> None:
        super().__init__(message)
        self.pending = pending or []


class DataStoreError(SwfObjectsError):
    """The out-of-band data store could not store, fetch or delete a payload.

    ``store`` is the store's reference string (``"s3://bucket/prefix"``), ``key`` the object
    key and ``execution`` the ``domain/workflow_id/run_id`` the payload belongs to, when known.
    The underlying error (a botocore ``ClientError``, an ``OSError``) is the ``__cause__``.
    Check credentials, permissions and that the store is reachable; a decider that hits this
    fails only the decision task, which SWF hands out again.
    """

    def __init__(
        self, message: str, *, store: str = "", key: str = "", execution: str = ""
    ) -> None:
        super().__init__(message)
        self.store = store
        self.key = key
        self.execution = execution


class PayloadNotFoundError(DataStoreError, LookupError):
    """A reference names an object the store does not have (deleted, expired, wrong store)."""


class CorruptPayloadError(DataStoreError, ValueError):
    """A fetched payload's size or sha256 differs from its reference: it was altered."""


class PayloadTooLargeForStoreError(DataStoreError, ValueError):
    """A payload is larger than even the data store accepts (e.g. S3's 5 GiB single upload)."""


class CancelledError(BaseException):
    """Raised in workflow code at its await point when it (or what it awaits) is cancelled.

    Like ``asyncio.CancelledError`` it is a ``BaseException``: ``except Exception`` does not
    swallow it. Catch it to clean up (``finally`` may still run activities), re-raise to let
    the workflow close as CANCELED.
    """


class ChildWorkflowError(SwfObjectsError):
    """A child workflow closed without completing; ``reason``/``details`` are the child's."""

    def __init__(
        self,
        message: str,
        *,
        workflow_id: str = "",
        run_id: str = "",
        workflow_name: str = "",
        reason: str = "",
        details: Any = None,
        remote_traceback: str = "",
    ) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.workflow_name = workflow_name
        self.reason = reason
        self.details = details
        self.remote_traceback = remote_traceback
        _with_remote_cause(self, remote_traceback)


class ChildWorkflowFailedError(ChildWorkflowError):
    """The child workflow failed (its reason and decoded failure details are attached)."""


class ChildWorkflowTimedOutError(ChildWorkflowError):
    """The child workflow timed out."""


class ChildWorkflowCancelledError(ChildWorkflowError):
    """The child workflow was cancelled."""


class ChildWorkflowTerminatedError(ChildWorkflowError):
    """The child workflow was terminated."""


class ChildWorkflowStartError(ChildWorkflowError):
    """SWF refused to start the child (``cause``: ``WORKFLOW_ALREADY_RUNNING``...)."""

    def __init__(self, message: str, *, cause: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.cause = cause


class SignalError(SwfObjectsError):
    """A signal could not be sent (unknown execution) or its input could not be decoded."""


class NonDeterministicCallError(SwfObjectsError):
    """Workflow code called a clock (``time.time``, ``time.monotonic``, ``time.perf_counter``,
    ``datetime.now``), ``random`` or ``uuid4``, slept (``time.sleep``) or used ``threading`` or
    ``asyncio`` directly during a decision.

    Replay would see a different value (or block) each time; use ``self.now()``,
    ``self.random()``, ``self.uuid4()``, ``await self.timer(seconds)``, activities, or a
    ``@nondeterministic`` method instead. The message names the call, its line and the fix.
    """


class WorkflowCodeError(SwfObjectsError, TypeError):
    """Workflow code awaited something the workflow scheduler cannot drive (an asyncio future,
    say): workflows run on swfobjects' deterministic scheduler, not on asyncio. Also the failure
    of a workflow that completed without awaiting promises it started, under
    ``unawaited="error"`` (``SerialExecutor``, ``SWFExecutor``, ``DecisionWorker``)."""


class UnknownActivityTypeError(SwfObjectsError, LookupError):
    """An activity task names a type no worker given to this executor implements."""


class UnknownWorkflowTypeError(SwfObjectsError, LookupError):
    """A decision task names a workflow type no class given to this executor implements."""


class HistoryFileError(SwfObjectsError, ValueError):
    """A history file (or object) given to the replay tools is not an SWF history; the message
    says what is wrong with it and how to save a whole one."""
