"""The replay runtime of one workflow run: commands, their promises, and workflow-side logic.

Workflow code talks to a :class:`WorkflowRuntime` (through stubs and ``Workflow`` helpers); it
turns calls into *commands* (future SWF decisions) with deterministic ids and hands back
promises. The decider (``_decider``) settles those promises from history events and asks the
runtime which decisions to send. Activity retries are ordinary coroutines on the workflow's
scheduler, waiting on durable timers: replay rebuilds them from history like user code.

Markers, signals, children and continue-as-new live in ``_runtime_features`` (a mixin).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Coroutine
from typing import Any

from ..exceptions import (
    ActivityScheduleError,
    ActivityTaskError,
    CancelledError,
    DeclarationError,
    TimerError,
)
from ..payloads._payload import Payloads
from ..workflow._declarations import ActivityType, WorkflowType
from ..workflow._options import RetryPolicy, Timeout, seconds_of
from ..workflow._promise import Promise
from ._commands import (
    MAX_TIMER_REISSUES,
    RATE_CAUSES,
    WAKE_TIMER_PREFIX,
    Command,
    ScheduleRefused,
    backoff,
)
from ._runtime_features import FeaturesMixin
from ._scheduler import Scheduler

__all__ = [
    "WorkflowRuntime",
    "Command",
    "ScheduleRefused",
    "RATE_CAUSES",
    "WAKE_TIMER_PREFIX",
    "to_datetime",
]


class WorkflowRuntime(FeaturesMixin):
    """Everything workflow code can ask of the engine during one run's replay."""

    def __init__(
        self, workflow: WorkflowType, payloads: Payloads, workflow_id: str, run_id: str
    ) -> None:
        self.workflow = workflow
        self.payloads = payloads
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.scheduler = Scheduler()
        self.pending: dict[str, Command] = {}
        self.counters = {"activity": 0, "timer": 0, "child": 0, "marker": 0, "signal": 0}
        self.timestamp: Any = 0.0
        self._now_cache: tuple[Any, dt.datetime] | None = None
        self.scope = {"workflow_id": workflow_id, "run_id": run_id}
        self.replaying = False
        self.history_length = 0
        self.cancel_requested = False
        self.fatal: BaseException | None = None
        self.instance: Any = None
        self._random: random.Random | None = None
        self.guard: Any = None
        self._templates: dict[tuple[int, int], Any] = {}
        FeaturesMixin.__init__(self)

    # --- time and randomness ------------------------------------------------------------

    def now(self) -> dt.datetime:
        """Event time of the decision in progress."""
        cached = self._now_cache
        if cached is not None and cached[0] is self.timestamp:
            return cached[1]
        value = to_datetime(self.timestamp)
        self._now_cache = (self.timestamp, value)
        return value

    def rng(self, *parts: object) -> random.Random:
        """A random source seeded by this run and ``parts``: replay draws the same numbers."""
        seed = hashlib.sha256("|".join([self.run_id, *map(str, parts)]).encode()).digest()
        return random.Random(int.from_bytes(seed[:8], "big"))

    def random(self) -> random.Random:
        """The run's own seeded ``random.Random`` (same sequence on every replay)."""
        if self._random is None:
            self._random = self.rng("workflow-random")
        return self._random

    # --- commands -----------------------------------------------------------------------

    def add_command(self, command: Command) -> None:
        """Queue a decision; it is sent with the next response (subject to the caps)."""
        if command.key in self.pending:
            raise DeclarationError(f"duplicate command id {command.key!r}")
        self.pending[command.key] = command

    def drop_pending(self, command: Command) -> bool:
        """Withdraw a command not yet sent (seen in no history); True if it was pending."""
        if self.pending.get(command.key) is command:
            del self.pending[command.key]
            command.state = "closed"
            return True
        return False

    # --- timers -------------------------------------------------------------------------

    def start_timer(self, seconds: Timeout) -> Promise[None]:
        """A user timer: ``t1``, ``t2``... in call order."""
        if seconds is None or isinstance(seconds, str):
            raise TypeError("timer() takes seconds (int/float) or a timedelta")
        try:
            delay = seconds_of(seconds)  # type: ignore[arg-type]
        except TypeError as exc:
            raise TypeError(f"timer(): {exc}") from None
        if delay < 0:
            raise ValueError(f"timer() needs a delay >= 0, got {delay}")
        self.counters["timer"] += 1
        timer_id = f"t{self.counters['timer']}"
        return self.scheduler.spawn_eager(self._timer_attempts(timer_id, delay), timer_id)

    def timer_command(self, timer_id: str, delay: float) -> Promise[None]:
        """Queue a ``StartTimer`` decision and return the promise ``TimerFired`` settles."""
        outcome: Promise[None] = Promise(f"timer {timer_id}")
        decision = {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {
                "timerId": timer_id,
                "startToFireTimeout": str(int(math.ceil(delay))),
            },
        }
        command = Command("T:" + timer_id, "timer", decision, outcome, name=timer_id)
        outcome._cancel_hook = lambda: self._cancel_timer(command)
        self.add_command(command)
        return outcome

    def _cancel_timer(self, command: Command) -> None:
        if self.drop_pending(command):
            command.outcome.set_exception(CancelledError(f"timer {command.name} cancelled"))
        elif command.state == "open":
            self.add_command(
                Command(
                    "CT:" + command.name,
                    "cancel",
                    {
                        "decisionType": "CancelTimer",
                        "cancelTimerDecisionAttributes": {"timerId": command.name},
                    },
                    Promise(),
                )
            )

    async def _timer_attempts(self, timer_id: str, delay: float) -> None:
        issue = 0
        while True:
            current = timer_id if issue == 0 else f"{timer_id}.{issue}"
            try:
                await self.timer_command(current, delay)
                return
            except ScheduleRefused as refused:
                if refused.cause in RATE_CAUSES and issue < MAX_TIMER_REISSUES:
                    issue += 1
                    continue
                raise TimerError(
                    f"SWF refused timer {current}: {refused.cause}", refused.cause
                ) from None

    # --- activities ---------------------------------------------------------------------

    def schedule_activity(
        self, activity: ActivityType, arguments: dict[str, Any], overrides: dict[str, Any]
    ) -> Promise[Any]:
        """Schedule an activity call (with its retries); the promise gives its decoded result."""
        self.counters["activity"] += 1
        activity_id = str(self.counters["activity"])
        what = f"input of activity {activity.name} ({activity_id})"
        text = self.payloads.encode_data(
            activity.arguments.encode(arguments), what, self.scope, activity.input_store
        )
        template, retry = self._activity_template(activity, overrides)
        attributes = dict(template, activityId=activity_id, input=text)
        return ActivityCall(self, activity, activity_id, attributes, retry).result

    def _activity_template(
        self, activity: ActivityType, overrides: dict[str, Any]
    ) -> tuple[dict[str, Any], RetryPolicy]:
        """The call-independent decision attributes for (activity, client options), cached."""
        key = (id(activity), id(overrides))
        cached = self._templates.get(key)
        if cached is not None and cached[0] is activity and cached[1] is overrides:
            return cached[2], cached[3]
        get = overrides.get
        template: dict[str, Any] = {
            "activityType": {"name": activity.name, "version": activity.version},
            "taskList": {"name": get("task_list") or activity.task_list},
            "scheduleToStartTimeout": get(
                "schedule_to_start_timeout", activity.schedule_to_start_timeout
            ),
            "scheduleToCloseTimeout": get(
                "schedule_to_close_timeout", activity.schedule_to_close_timeout
            ),
            "startToCloseTimeout": get("start_to_close_timeout", activity.start_to_close_timeout),
            "heartbeatTimeout": get("heartbeat_timeout", activity.heartbeat_timeout),
        }
        priority = get("task_priority", activity.task_priority)
        if priority is not None:
            template["taskPriority"] = priority
        retry: RetryPolicy = get("retry") or activity.retry
        self._templates[key] = (activity, overrides, template, retry)
        return template, retry

    def activity_command(
        self, activity: ActivityType, activity_id: str, attributes: dict[str, Any]
    ) -> Promise[Any]:
        """Queue one ``ScheduleActivityTask``; its promise gives the raw result text."""
        outcome: Promise[Any] = Promise(f"activity {activity_id}")
        if attributes["activityId"] != activity_id:
            attributes = dict(attributes, activityId=activity_id)
        decision = {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": attributes,
        }
        size = len(attributes["input"]) + 400
        command = Command(
            "A:" + activity_id, "activity", decision, outcome, size, activity.name, activity.version
        )
        outcome._cancel_hook = lambda: self._cancel_activity(command, activity_id)
        self.add_command(command)
        return outcome

    def _cancel_activity(self, command: Command, activity_id: str) -> None:
        if self.drop_pending(command):
            command.outcome.set_exception(CancelledError(f"activity {activity_id} cancelled"))
        elif command.state == "open":
            self.add_command(
                Command(
                    "RCA:" + activity_id,
                    "cancel",
                    {
                        "decisionType": "RequestCancelActivityTask",
                        "requestCancelActivityTaskDecisionAttributes": {"activityId": activity_id},
                    },
                    Promise(),
                )
            )

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> Promise[Any]:
        """Run a coroutine on this workflow's scheduler."""
        return self.scheduler.spawn(coro, name)

    def watch_failure(self, promise: Promise[Any], what: str) -> None:
        """Fail the workflow if ``promise`` (a signal handler, say) fails: nothing is lost."""

        def check(settled: Promise[Any]) -> None:
            error = settled.exception()
            if error is not None and self.fatal is None:
                self.fatal = error

        promise.add_done_callback(check)


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


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def to_datetime(value: Any) -> dt.datetime:
    """An event timestamp (datetime from boto3, epoch seconds from JSON) as aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return _EPOCH + dt.timedelta(seconds=float(value))


class ActivityCall:
    """One activity call and its attempts: schedule, retry after a durable timer, give up.

    A small state machine driven by promise callbacks rather than a coroutine: activity calls
    are the hottest path of replay, and this costs no task, frame or wake-up per attempt.
    Cancelling :attr:`result` cancels whatever is in flight (the activity or the wait).
    """

    __slots__ = (
        "runtime",
        "activity",
        "base_id",
        "attributes",
        "retry",
        "attempt",
        "schedules",
        "throttled",
        "result",
        "current",
        "activity_id",
    )

    def __init__(
        self,
        runtime: WorkflowRuntime,
        activity: ActivityType,
        base_id: str,
        attributes: dict[str, Any],
        retry: RetryPolicy,
    ) -> None:
        self.runtime = runtime
        self.activity = activity
        self.base_id = base_id
        self.attributes = attributes
        self.retry = retry
        self.attempt = 1
        self.schedules = 0
        self.throttled = 0
        self.activity_id = base_id
        self.result: Promise[Any] = Promise(f"activity {activity.name} ({base_id})")
        self.result._cancel_hook = self.cancel
        self.current: Promise[Any] | None = None
        self._schedule()

    def _schedule(self) -> None:
        schedules = self.schedules
        self.activity_id = self.base_id if schedules == 0 else f"{self.base_id}.{schedules}"
        self.schedules = schedules + 1
        self.current = self.runtime.activity_command(
            self.activity, self.activity_id, self.attributes
        )
        self.current.add_done_callback(self._outcome)

    def _outcome(self, outcome: Promise[Any]) -> None:
        result = self.result
        if result.done():
            return
        error = outcome.exception()
        activity, activity_id, runtime = self.activity, self.activity_id, self.runtime
        if error is None:
            what = f"result of activity {activity.name} ({activity_id})"
            try:
                value = runtime.payloads.decode(outcome.result(), activity.result, what)
            except Exception as exc:  # noqa: BLE001 - raised where the workflow awaits
                result.set_exception(exc)
            else:
                result.set_result(value)
        elif isinstance(error, ScheduleRefused):
            if error.cause not in RATE_CAUSES:
                result.set_exception(
                    ActivityScheduleError(
                        _schedule_error_message(activity, activity_id, error.cause),
                        error.cause,
                        activity_id,
                        activity.name,
                    )
                )
                return
            self.throttled += 1
            delay = backoff(self.throttled, runtime.rng(activity_id, "throttle"))
            self._wait(runtime.timer_command(f"{activity_id}.wait", delay))
        elif isinstance(error, ActivityTaskError):
            error.attempt = self.attempt
            if not self.retry.allows(self.attempt, error.type_name):
                result.set_exception(error)
                return
            delay = self.retry.delay(self.attempt, runtime.rng(activity_id, "retry"))
            self.attempt += 1
            self._wait(runtime.timer_command(f"{activity_id}.retry", delay))
        else:
            result.set_exception(error)

    def _wait(self, timer: Promise[None]) -> None:
        self.current = timer
        timer.add_done_callback(self._waited)

    def _waited(self, timer: Promise[None]) -> None:
        if self.result.done():
            return
        error = timer.exception()
        if error is not None:
            self.result.set_exception(error)
        else:
            self._schedule()

    def cancel(self) -> None:
        """Stop retrying and cancel what is in flight; the result raises ``CancelledError``."""
        if self.result.done():
            return
        current = self.current
        self.result.set_exception(
            CancelledError(f"activity {self.activity.name} ({self.base_id}) cancelled")
        )
        if current is not None and not current.done():
            current.cancel()
