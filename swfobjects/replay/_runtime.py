"""The replay runtime of one workflow run: what workflow code's calls turn into.

:class:`WorkflowRuntime` implements the seam workflow code sees
(:class:`~swfobjects.workflow._context.WorkflowContext`): stubs, ``Workflow`` helpers and
markers call it, and it turns the calls into *commands* (future SWF decisions) with
deterministic ids, handing back promises. It delegates to collaborators, one job each:
:class:`CommandBook` (queued decisions, cancelling), the calls of ``_calls`` (timers,
activities and children with their throttling and retries: promise-driven state machines, not
coroutines), :class:`MarkerBook` (recorded values, patches) and :class:`SignalBook` (signals,
``wait_for``). The decider (``_decider``) settles the promises from history events.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, NoReturn, TypeVar

from ..exceptions import CancelledError, SignalError
from ..payloads._codecs import Codec
from ..payloads._foreign import ForeignArguments
from ..payloads._headers import with_headers
from ..payloads._payload import Payloads
from ..workflow._declarations import ActivityType, WorkflowType
from ..workflow._options import RetryPolicy, Timeout, seconds_of
from ..workflow._promise import Promise
from ..workflow._stubs import bind_arguments
from ._calls import ActivityCall, ChildCall, InputEncoder, TimerCall
from ._commands import CommandBook, ContinueAsNew
from ._determinism import DeterminismGuard, seeded_random
from ._marker_book import MarkerBook
from ._outgoing import CallKind, OutgoingCall, OutgoingHook, WorkflowRun, outgoing_headers
from ._scheduler import Scheduler
from ._signal_book import SignalBook

__all__ = ["TimeoutScope", "WorkflowRuntime", "to_datetime"]

T = TypeVar("T")


class WorkflowRuntime:
    """Everything workflow code can ask of the engine during one run's replay."""

    def __init__(
        self,
        workflow: WorkflowType,
        payloads: Payloads,
        workflow_id: str,
        run_id: str,
        guard: DeterminismGuard | None = None,
        hooks: tuple[OutgoingHook, ...] = (),
    ) -> None:
        self.workflow = workflow
        self.hooks = hooks
        """Interceptors shown each outgoing call (see ``_outgoing``)."""
        self.headers: Mapping[str, str] = {}
        """The headers the run was started with."""
        self.started_at: Any = 0.0
        """The timestamp of the run's ``WorkflowExecutionStarted`` event."""
        self.payloads = payloads
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.scope = {"workflow_id": workflow_id, "run_id": run_id}
        self.scheduler = Scheduler()
        self.commands = CommandBook()
        self.marker_book = MarkerBook(self.commands, payloads, self.scope, guard)
        self.signals = SignalBook(workflow, workflow_id, payloads, self.scheduler, self.fail)
        self.activities = 0
        self.timers = 0
        self.children = 0
        self.signals_sent = 0
        self.timestamp: Any = 0.0
        self._now_cache: tuple[Any, dt.datetime] | None = None
        self.replaying = False
        self.silent = False
        """True in replays made only to inspect a run (``check_replay``, ``handle.pending()``):
        their workflow logs stay quiet even for the last decision."""
        self.decision_event_id = 0
        self.history_length = 0
        self.cancel_requested = False
        self.fatal: BaseException | None = None
        self.waits: list[tuple[Promise[None], Callable[[], bool], Any]] = []
        """``wait_for`` calls that did not return at once: promise, predicate, event time."""
        self.started: list[Promise[Any]] = []
        """Promises handed to workflow code for activities, timers, children, signals sent and
        ``wait_for``, not yet seen observed: at completion, the ones never observed are
        reported (forgotten awaits). Observed ones are dropped as the list grows, so a long
        run keeps O(unawaited) of them, not one per call."""
        self._prune_at = 64
        self._release_at = 64
        self.instance: Any = None
        self._random: random.Random | None = None
        self._templates: dict[
            tuple[int, int],
            tuple[ActivityType, dict[str, Any], dict[str, Any], RetryPolicy],
        ] = {}
        self._encode_input = self._activity_input  # bound once, not per replayed call

    def unawaited(self) -> list[Promise[Any]]:
        """Promises this run started that workflow code never awaited (nor read, nor combined)."""
        return [promise for promise in self.started if not promise.observed]

    def _track(self, promise: Promise[Any]) -> None:
        started = self.started
        started.append(promise)
        if len(started) >= self._prune_at:
            self._prune()

    def _prune(self) -> None:
        started = self.started
        started[:] = [p for p in started if not p.observed]
        self._prune_at = max(64, 2 * len(started))

    def release_observed(self) -> None:
        """Drop the promises workflow code has observed since they were started, once a
        decision has run (the decider calls this at the end of each feed).

        Pruning when the list grows (:meth:`_track`) keeps it O(unawaited), but a fan-out
        observes its calls all at once (``all_of``) after the last one was added: they stayed
        listed, with their results, until the run ended, and the first collection after a
        long replay (which pauses the collector) traversed every one of them. Amortized like
        the growth rule: it prunes again only once the list doubled what the last pass kept.
        """
        if len(self.started) >= self._release_at:
            self._prune()
            self._release_at = max(64, 2 * len(self.started))

    @property
    def is_replaying(self) -> bool:
        """True while workflow code re-runs a recorded decision (or the replay is silent)."""
        return self.replaying or self.silent

    @property
    def workflow_type(self) -> str:
        """The SWF name of the run's workflow type."""
        return self.workflow.name

    def fail(self, error: BaseException) -> None:
        """Fail the run with ``error`` (the first such error wins)."""
        if self.fatal is None:
            self.fatal = error

    # --- time and randomness ------------------------------------------------------------

    def now(self) -> dt.datetime:
        """Event time of the decision in progress."""
        cached = self._now_cache
        if cached is not None and cached[0] is self.timestamp:
            return cached[1]
        value = to_datetime(self.timestamp)
        self._now_cache = (self.timestamp, value)
        return value

    def random(self) -> random.Random:
        """The run's own seeded ``random.Random`` (same sequence on every replay)."""
        if self._random is None:
            self._random = seeded_random(self.run_id, "workflow-random")
        return self._random

    # --- timers, activities, children ---------------------------------------------------

    def start_timer(self, seconds: Timeout) -> Promise[None]:
        """A user timer: ``t1``, ``t2``... in call order."""
        if seconds is None or isinstance(seconds, str):
            raise TypeError("timer() takes seconds (int/float) or a timedelta")
        try:
            delay = seconds_of(seconds)
        except TypeError as exc:
            raise TypeError(f"timer(): {exc}") from None
        if delay < 0:
            raise ValueError(f"timer() needs a delay >= 0, got {delay}")
        self.timers += 1
        timer_id = f"t{self.timers}"
        call = TimerCall(self.commands, self.run_id, timer_id, delay)
        promise = self.scheduler.spawn_eager(_relay(call), f"timer {timer_id}")
        self._track(promise)
        return promise

    def schedule_activity(
        self, activity: ActivityType, arguments: dict[str, Any], overrides: dict[str, Any]
    ) -> Promise[Any]:
        """Schedule an activity call (with its retries); the promise gives its decoded result.

        A call replayed from history with immutable arguments (str, int, float, bool, None)
        is not encoded now: its decision was sent already, and the ``ActivityTaskScheduled``
        event that recorded it matches it by id and type, not input. Its input is encoded
        only if the decider does need the decision (see :attr:`~._commands.Command.builder`:
        deferred by SWF's caps, or retried): most replayed calls never are, and encoding was
        a tenth of a replay. Arguments that workflow code could mutate after the call (a list,
        a dataclass...) are encoded at once, as the run that made the call live did, so a
        retry or a deferred decision sends what that run would have sent. With interceptors,
        calls are encoded at once too: they are shown every call with its headers.
        """
        self.activities += 1
        activity_id = str(self.activities)
        cached = self._templates.get((id(activity), id(overrides)))
        if cached is not None and cached[0] is activity and cached[1] is overrides:
            template, retry = cached[2], cached[3]
        else:
            template, retry = self._activity_template(activity, overrides)
        lazy: dict[str, Any] | None = None
        if self.replaying and not self.hooks:
            lazy = arguments  # unless one can change after the call (inline: the hot path)
            for value in arguments.values():
                if type(value) not in _IMMUTABLE:
                    lazy = None
                    break
        encoder: InputEncoder | None
        if lazy is not None:
            text = None  # encoded later, if ever, from the arguments
            encoder = self._encode_input
        else:
            text = self._activity_input(activity, arguments, activity_id)
            encoder = None
        call = ActivityCall(
            self.commands,
            self.run_id,
            self.payloads,
            activity,
            activity_id,
            template,
            text,
            retry,
            lazy,
            encoder,
        )
        started = self.started  # _track, inlined: this is the hot path
        started.append(call)
        if len(started) >= self._prune_at:
            self._prune()
        return call

    def _activity_input(
        self, activity: ActivityType, arguments: dict[str, Any], activity_id: str
    ) -> str:
        """The ``input`` text of an activity call: its arguments encoded (with the headers
        interceptors add), offloaded to the store when too large."""
        what = f"input of activity {activity.name} ({activity_id})"
        data = activity.arguments.encode(arguments)
        if self.hooks and not isinstance(activity.arguments, ForeignArguments):
            data = self._with_headers(
                data, "activity", activity.name, activity.version, activity_id
            )
        return self.payloads.encode_data(data, what, self.scope, activity.input_store)

    def _activity_template(
        self, activity: ActivityType, overrides: dict[str, Any]
    ) -> tuple[dict[str, Any], RetryPolicy]:
        """The call-independent decision attributes for (activity, client options), and the
        retry policy; kept in ``_templates`` by the ids of both (which
        :meth:`schedule_activity` reads first: one is made per kind of call, not per call)."""
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
        if None in template.values() or template["taskList"]["name"] is None:
            template = _registered_defaults(template)  # a call by name: SWF fills them in
        retry: RetryPolicy = get("retry") or activity.retry
        self._templates[(id(activity), id(overrides))] = (activity, overrides, template, retry)
        return template, retry

    def run_info(self) -> WorkflowRun:
        """This run as interceptors see it."""
        workflow = self.workflow
        return WorkflowRun(
            workflow.name,
            workflow.version,
            self.workflow_id,
            self.run_id,
            self.headers,
            to_datetime(self.started_at).timestamp(),
        )

    def _headers_for(
        self, kind: CallKind, name: str, version: str, target_id: str
    ) -> dict[str, str]:
        call = OutgoingCall(kind, name, version, target_id, self.run_info(), self.is_replaying)
        return outgoing_headers(self.hooks, call)

    def _with_headers(
        self, data: Any, kind: CallKind, name: str, version: str, target_id: str
    ) -> Any:
        """``data`` (a call's encoded arguments) with the headers the hooks add, if any."""
        headers = self._headers_for(kind, name, version, target_id)
        return with_headers(data, headers) if headers and type(data) is dict else data

    def start_child(
        self, workflow: WorkflowType, arguments: dict[str, Any], overrides: dict[str, Any]
    ) -> Promise[Any]:
        """Start a child workflow; the promise gives its decoded result."""
        self.children += 1
        workflow_id = (
            overrides.get("workflow_id") or f"{self.run_id or self.workflow_id}-{self.children}"
        )
        what = f"input of child workflow {workflow.name} ({workflow_id})"
        data = workflow.arguments.encode(arguments)
        if self.hooks and not isinstance(workflow.arguments, ForeignArguments):
            data = self._with_headers(
                data, "child_workflow", workflow.name, workflow.version, workflow_id
            )
        text = self.payloads.encode_data(data, what, self.scope, workflow.input_store)
        attributes: dict[str, Any] = {
            "workflowType": {"name": workflow.name, "version": workflow.version},
            "workflowId": workflow_id,
            "input": text,
            "taskList": {"name": overrides.get("task_list") or workflow.task_list},
            "executionStartToCloseTimeout": overrides.get(
                "execution_start_to_close_timeout", workflow.execution_start_to_close_timeout
            ),
            "taskStartToCloseTimeout": overrides.get(
                "task_start_to_close_timeout", workflow.task_start_to_close_timeout
            ),
            "childPolicy": overrides.get("child_policy") or workflow.child_policy,
        }
        if overrides.get("tags"):
            attributes["tagList"] = list(overrides["tags"])
        priority = overrides.get("task_priority", workflow.task_priority)
        if priority is not None:
            attributes["taskPriority"] = priority
        if None in attributes.values() or attributes["taskList"]["name"] is None:
            attributes = _registered_defaults(attributes)  # a call by name: SWF fills them in
        call = ChildCall(self.commands, self.run_id, self.payloads, workflow, attributes)
        promise = self.scheduler.spawn_eager(_relay(call), f"child {workflow.name} ({workflow_id})")
        self._track(promise)
        return promise

    def spawn_eager(self, coro: Coroutine[Any, Any, T], name: str) -> Promise[T]:
        """Run ``coro`` as a workflow task, stepping it now up to its first await."""
        return self.scheduler.spawn_eager(coro, name)

    # --- markers ------------------------------------------------------------------------

    @property
    def markers(self) -> dict[str, str | None]:
        """Marker details by name, as recorded in history or by this run."""
        return self.marker_book.values

    @property
    def marker_seeds(self) -> dict[str, str | None]:
        """Marker values known from elsewhere (see :class:`MarkerBook`)."""
        return self.marker_book.seeds

    @marker_seeds.setter
    def marker_seeds(self, seeds: dict[str, str | None]) -> None:
        self.marker_book.seeds = seeds

    def marker_value(self, name: str, compute: Callable[[], T], codec: Codec, what: str) -> T:
        """The recorded value of marker ``name``, computing and recording it the first time."""
        return self.marker_book.value(name, compute, codec, what)

    def nondeterministic_name(self, method: str) -> str:
        """Marker name of the next ``@nondeterministic`` call."""
        return self.marker_book.nondeterministic_name(method)

    def cached_name(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """Marker name of a ``@cached`` call."""
        return MarkerBook.cached_name(method, args, kwargs)

    def patched(self, change_id: str) -> bool:
        """True for executions that run (or ran) the new code path of ``change_id``."""
        return self.marker_book.patched(change_id, self.replaying)

    # --- signals ------------------------------------------------------------------------

    @property
    def unhandled_signals(self) -> list[tuple[str, str | None]]:
        """Signals with no ``@signal`` handler, as (name, raw input)."""
        return self.signals.unhandled

    @property
    def signal_errors(self) -> list[SignalError]:
        """Signals whose input could not be decoded."""
        return self.signals.errors

    def deliver_signal(self, name: str, input_text: str | None, event_id: int) -> None:
        """Run the ``@signal`` handler for a ``WorkflowExecutionSignaled`` event."""
        self.signals.deliver(self.instance, name, input_text, event_id)

    def wait_for(self, predicate: Callable[[], bool]) -> Promise[None]:
        """A promise settled once ``predicate()`` is true (checked after every step)."""
        promise = self.signals.wait_for(predicate)
        self._track(promise)
        if not promise.done():
            waits = self.waits
            waits.append((promise, predicate, self.timestamp))
            if len(waits) >= 64 and len(waits) & (len(waits) - 1) == 0:  # at powers of two
                waits[:] = [wait for wait in waits if not wait[0].done()]
        return promise

    def signal_external(
        self, workflow_id: str, name: str, input_text: str | None, run_id: str | None = None
    ) -> Promise[None]:
        """Signal another execution (``SignalExternalWorkflowExecution``)."""
        self.signals_sent += 1
        control = f"s{self.signals_sent}"
        if self.hooks and self._headers_for("signal", name, "", workflow_id):
            raise TypeError(
                f"an interceptor added headers to signal {name!r} (to {workflow_id}): signals "
                "carry no headers (their receiver has no hook to read them); add headers only "
                "when call.kind is 'activity', 'child_workflow' or 'start_workflow'"
            )
        promise = self.commands.signal_external(control, workflow_id, name, input_text, run_id)
        self._track(promise)
        return promise

    # --- closing and scopes -------------------------------------------------------------

    def continue_as_new(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> NoReturn:
        """Close this run and start the next one with new input."""
        workflow = self.workflow
        arguments = bind_arguments(workflow, args, kwargs, f"{workflow.name}.continue_as_new")
        data = workflow.arguments.encode(arguments)
        if self.headers and type(data) is dict:
            data = with_headers(data, self.headers)  # the next run continues this one's trace
        text = self.payloads.encode_data(
            data,
            f"continue-as-new input of {workflow.name}",
            self.scope,
            workflow.input_store,
        )
        raise ContinueAsNew(text)

    def timeout(self, seconds: float | dt.timedelta) -> TimeoutScope:
        """An ``async with`` scope that cancels its body after ``seconds``."""
        return TimeoutScope(self, seconds_of(seconds))


class TimeoutScope:
    """``async with self.timeout(seconds):`` cancels its body when the time is up.

    The body sees ``CancelledError`` at its await point (an awaited activity is asked to
    cancel); the scope then raises ``TimeoutError``.
    """

    def __init__(self, runtime: WorkflowRuntime, seconds: float) -> None:
        self.runtime = runtime
        self.seconds = seconds
        self.fired = False
        self._timer: Promise[None] | None = None

    async def __aenter__(self) -> TimeoutScope:
        runtime = self.runtime
        scheduler = runtime.scheduler
        task = scheduler.current
        self._timer = runtime.start_timer(self.seconds)

        def fire(timer: Promise[None]) -> None:
            if not timer.failed() and task is not None:
                self.fired = True
                scheduler.cancel(task)

        self._timer.add_done_callback(fire)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self.fired and isinstance(error, CancelledError):
            raise TimeoutError(f"timed out after {self.seconds:g} s") from None
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        return False


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _registered_defaults(attributes: dict[str, Any]) -> dict[str, Any]:
    """Decision attributes without the options a call by name left unset (``None``), so that
    SWF applies the defaults registered with the type."""
    out = {key: value for key, value in attributes.items() if value is not None}
    if out["taskList"]["name"] is None:
        del out["taskList"]
    return out


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})
"""Argument types no workflow code can change after the call (see ``schedule_activity``)."""


def to_datetime(value: Any) -> dt.datetime:
    """An event timestamp (datetime from boto3, epoch seconds from JSON) as aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return _EPOCH + dt.timedelta(seconds=float(value))


async def _relay(outcome: Promise[T]) -> T:
    """Hand a timer's or child's outcome to workflow code one scheduler step after it settles.

    Timers and children settle their awaiting coroutines through a workflow task, activities
    directly (their calls are the hot path). That is the wake-up order histories were recorded
    with: when a timer fires and an activity completes in the same decision task, the
    activity's awaiter runs first whatever the event order. Changing it would make replays of
    existing histories take other branches (``any_of``), so it is kept on purpose.
    """
    return await outcome
