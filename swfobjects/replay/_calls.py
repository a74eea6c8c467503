"""Calls: a timer, an activity or a child workflow, sent until SWF accepts it, and retried.

Each call is a small state machine driven by promise callbacks, not a coroutine: activity
calls are the hottest path of replay, and a callback costs no task, frame or scheduler step
per attempt; timers and children use the same machinery so refusals are handled one way.

A call is itself the promise workflow code awaits (as an activity handle is a future in
Temporal's SDK): one object per call, not a call and its result. When SWF refuses a decision
for a rate or limit cause (:data:`RATE_CAUSES`), the call waits on a durable timer and sends
it again; an activity that fails is retried the same way, by its :class:`RetryPolicy`.
Cancelling the call cancels whatever is in flight (the command or the wait).

A call settles itself with :meth:`Call._fulfil` / :meth:`Call._reject` (the promise's own
``set_result`` / ``set_exception``): an :class:`ActivityCall` is also the outcome its
commands' events settle, and takes those names for the raw event outcome (the result text to
decode, the failure to judge for a retry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..exceptions import (
    ActivityScheduleError,
    ActivityTaskError,
    CancelledError,
    ChildWorkflowStartError,
    TimerError,
)
from ..payloads._payload import Payloads
from ..workflow._declarations import ActivityType, WorkflowType
from ..workflow._options import RetryPolicy
from ..workflow._promise import _PENDING, Promise
from ._commands import (
    RATE_CAUSES,
    Command,
    CommandBook,
    ScheduleRefused,
    activity_attributes,
    backoff,
)
from ._determinism import seeded_random

__all__ = ["ActivityCall", "Call", "ChildCall", "InputEncoder", "TimerCall", "MAX_TIMER_REISSUES"]

InputEncoder = Callable[[ActivityType, dict[str, Any], str], str]
"""Encodes an activity call's arguments into its ``input``: (activity, arguments, id) -> text."""

MAX_TIMER_REISSUES = 10
"""Times a refused timer is re-sent (at once, under a new id) before the call fails."""


class Call(Promise[Any]):
    """What every call shares: it is the promise of its result, it knows what is in flight,
    and it re-sends what SWF throttled.

    Subclasses say how to send (:meth:`_send`) and what an outcome means (:meth:`_outcome`).
    """

    __slots__ = ("book", "run_id", "current", "throttled")

    _fulfil = Promise.set_result
    _reject = Promise.set_exception

    def __init__(self, book: CommandBook, run_id: str, description: str) -> None:
        super().__init__(description)
        self.book = book
        self.run_id = run_id
        self.throttled = 0
        self.current: Promise[Any] | None = None

    def _send(self) -> None:
        raise NotImplementedError

    def _outcome(self, outcome: Promise[Any]) -> None:
        raise NotImplementedError

    def _track(self, promise: Promise[Any]) -> None:
        self.current = promise
        promise.add_done_callback(self._outcome)

    def _wait_then_resend(self, timer_id: str, delay: float) -> None:
        """Start a durable timer; when it fires, send again (its failure fails the call)."""
        timer = self.book.start_timer(timer_id, delay)
        self.current = timer
        timer.add_done_callback(self._waited)

    def _throttle(self, ident: str, timer_id: str) -> None:
        """Wait a capped, jittered backoff (seeded by the run and ``ident``), then resend."""
        self.throttled += 1
        rng = seeded_random(self.run_id, ident, "throttle")
        self._wait_then_resend(timer_id, backoff(self.throttled, rng))

    def _waited(self, timer: Promise[None]) -> None:
        if self._state:  # settled (cancelled meanwhile): done(), inline
            return
        error = timer.exception()
        if error is not None:
            self._reject(error)
        else:
            self._send()

    def cancel(self) -> bool:
        """Stop retrying and cancel what is in flight: the call raises ``CancelledError``.
        False if it had settled already."""
        if self.done():
            return False
        current = self.current
        self._reject(CancelledError(f"{self.description} cancelled"))
        if current is not None and not current.done():
            current.cancel()
        return True


class TimerCall(Call):
    """A user timer: ``t1``, ``t2``...; a refused one is re-sent at once as ``t1.1``, ``t1.2``."""

    __slots__ = ("timer_id", "delay", "issue")

    def __init__(self, book: CommandBook, run_id: str, timer_id: str, delay: float) -> None:
        super().__init__(book, run_id, f"timer {timer_id}")
        self.timer_id = timer_id
        self.delay = delay
        self.issue = 0
        self._send()

    def _current_id(self) -> str:
        return self.timer_id if self.issue == 0 else f"{self.timer_id}.{self.issue}"

    def _send(self) -> None:
        self._track(self.book.start_timer(self._current_id(), self.delay))

    def _outcome(self, outcome: Promise[Any]) -> None:
        if self.done():
            return
        error = outcome.exception()
        if error is None:
            self._fulfil(None)
        elif not isinstance(error, ScheduleRefused):
            self._reject(error)
        elif error.cause in RATE_CAUSES and self.issue < MAX_TIMER_REISSUES:
            self.issue += 1
            self._send()
        else:
            message = f"SWF refused timer {self._current_id()}: {error.cause}"
            self._reject(TimerError(message, error.cause))


class ActivityCall(Call):
    """One activity call and its attempts: ``5``, then ``5.1``, ``5.2``... after a retry.

    The call is itself its commands' :class:`~._commands.Outcome`: history events settle it
    with :meth:`set_result` (the raw result text, which it decodes) and :meth:`set_exception`
    (which may retry), with no promise in between (the hottest path of replay). ``current``
    is only ever a timer (a retry's or a throttled schedule's wait); ``command`` is the
    attempt in flight, None once the call completed: the command holds the call as its
    outcome, and keeping the link back would leave a reference cycle per activity for the
    garbage collector (which a long replay runs paused: see the decider's ``_PAUSE_GC_FROM``).
    """

    __slots__ = (
        "payloads",
        "activity",
        "base_id",
        "template",
        "input",
        "retry",
        "attempt",
        "schedules",
        "activity_id",
        "command",
        "arguments",
        "encoder",
    )

    def __init__(
        self,
        book: CommandBook,
        run_id: str,
        payloads: Payloads,
        activity: ActivityType,
        base_id: str,
        template: dict[str, Any],
        input_text: str | None,
        retry: RetryPolicy,
        arguments: dict[str, Any] | None = None,
        encoder: InputEncoder | None = None,
    ) -> None:
        # Promise.__init__ and Call.__init__ inlined: this runs once per activity call, the
        # hottest path of replay (and the description is built only when shown)
        self._state = _PENDING
        self._value = None
        self._callbacks = None
        self._cancel_hook = None
        self.observed = False
        self.book = book
        self.run_id = run_id
        self.throttled = 0
        self.current = None
        self.payloads = payloads
        self.activity = activity
        self.base_id = base_id
        self.template = template
        """The call-independent decision attributes (shared by every call of its kind)."""
        self.input = input_text
        self.retry = retry
        self.attempt = 1
        self.schedules = 1  # _send() for the first attempt, inlined
        self.activity_id = base_id
        self.arguments = arguments
        self.encoder = encoder
        """With ``arguments``: what encodes them into the ``input`` the call lacks (None) when
        replay made it without encoding it (see ``WorkflowRuntime.schedule_activity`` and
        :meth:`decision_attributes`)."""
        self.command: Command | None = book.schedule_activity(
            activity, base_id, template, input_text, self
        )

    @property
    def description(self) -> str:
        """The call, as errors and warnings name it: ``activity noop (3)``."""
        return f"activity {self.activity.name} ({self.base_id})"

    def _send(self) -> None:
        """Schedule the next attempt (the first is scheduled by ``__init__``)."""
        schedules = self.schedules
        activity_id = f"{self.base_id}.{schedules}"
        self.activity_id = activity_id
        self.schedules = schedules + 1
        self.current = None
        self.command = self.book.schedule_activity(
            self.activity, activity_id, self.template, self.input, self
        )

    def decision_attributes(self, activity_id: str, recorded: Any = None) -> dict[str, Any]:
        """The ``ScheduleActivityTask`` attributes of attempt ``activity_id``, for a call made
        without encoding its input. The input is kept for later attempts: ``recorded``, the
        input history recorded for the attempt (the text the live run encoded), else the
        arguments encoded now."""
        text = self.input
        if text is None:
            if type(recorded) is str:
                text = recorded
            else:
                assert self.encoder is not None and self.arguments is not None
                text = self.encoder(self.activity, self.arguments, self.base_id)
            self.input = text
            self.arguments = self.encoder = None
        return activity_attributes(self.template, activity_id, text)

    def cancel(self) -> bool:
        """Stop retrying and cancel the attempt in flight or the wait before the next one.
        False if the call had settled already."""
        if self.done():
            return False
        self._reject(CancelledError(f"{self.description} cancelled"))
        current = self.current
        command = self.command
        if current is not None:
            if not current.done():
                current.cancel()
        elif command is not None and command.state != "closed":
            self.book.cancel(command)
        return True

    def set_result(self, value: Any) -> None:
        """The attempt completed with the raw result text ``value`` (an event's outcome, not
        the promise's: see the module docstring)."""
        self.command = None  # closed: see the class docstring
        if self._state:  # settled (cancelled meanwhile): done(), inline
            return
        activity = self.activity
        what = f"result of activity {activity.name} ({self.activity_id})"
        try:
            decoded = self.payloads.decode(value, activity.result, what)
        except Exception as exc:  # noqa: BLE001 - raised where the workflow awaits
            self._reject(exc)
        else:
            self._fulfil(decoded)

    def set_exception(self, error: BaseException) -> None:
        """The attempt failed, timed out, was cancelled or refused by SWF (an event's outcome,
        not the promise's: see the module docstring)."""
        command = self.command
        if command is not None:  # settled: nothing left to cancel (a refusal left it open)
            command.state = "closed"
        if self.done():
            return
        activity = self.activity
        if isinstance(error, ScheduleRefused):
            activity_id = self.activity_id
            if error.cause in RATE_CAUSES:
                self._throttle(activity_id, f"{activity_id}.wait")
            else:
                self._reject(
                    ActivityScheduleError(
                        _schedule_error_message(activity, activity_id, error.cause),
                        error.cause,
                        activity_id,
                        activity.name,
                    )
                )
        elif isinstance(error, ActivityTaskError):
            error.attempt = self.attempt
            activity_id = self.activity_id
            try:  # the policy's own functions run here, under the determinism guard
                if not self.retry.should_retry(error):
                    self._reject(error)
                    return
                rng = seeded_random(self.run_id, activity_id, "retry")
                delay = self.retry.delay_after(error, rng)
            except Exception as exc:  # noqa: BLE001 - raised where the workflow awaits
                exc.__context__ = error  # the traceback shows the failure being judged
                self._reject(exc)
                return
            self.attempt += 1
            if command is not None:  # a replayed call's input: what history recorded it with
                command.complete()
            self._wait_then_resend(f"{activity_id}.retry", delay)
        else:
            self._reject(error)


class ChildCall(Call):
    """A child workflow start; a throttled one is re-sent under the same workflow id."""

    __slots__ = ("payloads", "workflow", "workflow_id", "attributes")

    def __init__(
        self,
        book: CommandBook,
        run_id: str,
        payloads: Payloads,
        workflow: WorkflowType,
        attributes: dict[str, Any],
    ) -> None:
        workflow_id = attributes["workflowId"]
        super().__init__(book, run_id, f"child {workflow.name} ({workflow_id})")
        self.payloads = payloads
        self.workflow = workflow
        self.workflow_id = workflow_id
        self.attributes = attributes
        self._send()

    def _send(self) -> None:
        self._track(self.book.start_child(self.workflow, self.attributes))

    def _outcome(self, outcome: Promise[Any]) -> None:
        if self.done():
            return
        error = outcome.exception()
        workflow, workflow_id = self.workflow, self.workflow_id
        if error is None:
            what = f"result of child workflow {workflow.name} ({workflow_id})"
            try:
                value = self.payloads.decode(outcome.result(), workflow.result, what)
            except Exception as exc:  # noqa: BLE001 - raised where the workflow awaits
                self._reject(exc)
            else:
                self._fulfil(value)
        elif not isinstance(error, ScheduleRefused):
            self._reject(error)
        elif error.cause in RATE_CAUSES:
            self._throttle(workflow_id, f"{workflow_id}.wait{self.throttled + 1}")
        else:
            self._reject(
                ChildWorkflowStartError(
                    f"SWF refused to start child workflow {workflow.name} "
                    f"({workflow_id}): {error.cause}",
                    cause=error.cause,
                    workflow_id=workflow_id,
                    workflow_name=workflow.name,
                )
            )


def _schedule_error_message(activity: ActivityType, activity_id: str, cause: str) -> str:
    hints = {
        "ACTIVITY_TYPE_DOES_NOT_EXIST": "register it (executor.register(...)) in this domain",
        "ACTIVITY_TYPE_DEPRECATED": "undeprecate it or bump the version in the code",
        "ACTIVITY_ID_ALREADY_IN_USE": "another open activity of this run uses the id",
        "OPERATION_NOT_PERMITTED": "check the decider's IAM permissions",
    }
    hint = hints.get(cause) or (
        "give that timeout or task list in @activity_task or at registration"
        if cause.startswith("DEFAULT_")
        else "see SWF's ScheduleActivityTaskFailed causes"
    )
    return (
        f"SWF refused to schedule activity {activity.name} {activity.version} "
        f"({activity_id}): {cause}; {hint}"
    )
