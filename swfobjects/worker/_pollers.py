"""The long-poll loops that serve SWF tasks: deciders and activity workers, in threads.

:class:`DecisionWorker` polls decision task lists, reads every history page, decides with the
same :class:`DecisionHandler` (pure replay decider + sticky cache) the SerialExecutor uses, and
answers. :class:`ActivityWorkerRunner` polls activity task lists, runs each task with the
shared :class:`ActivityRunner`, heartbeats, and answers. :class:`Workers` groups both.

Failure policy, the part that must be right:

* an empty poll (``taskToken`` empty or missing) is just polled again;
* a decider error, ``NonDeterminismError`` or ``HistoryError`` (a malformed history) is logged
  with workflow id, run id, event id (and field) and the decision task is *not* answered: SWF
  has no call to fail a decision task, so it times out and SWF schedules it again, and
  deploying a fix resumes the run. The run's cached replay state is dropped, so the next
  attempt replays the full history. The worker keeps polling; a library error is logged as
  one line naming the cause, anything else with its traceback;
* every SWF call retries throttling and 5xx (:mod:`._retrying`); an answer that still cannot be
  delivered is logged as an error and SWF's timeouts hand the task to another worker;
* ``stop()`` (or SIGINT/SIGTERM under :meth:`run`) stops polling; tasks in hand are finished and
  answered first. A long poll already in flight ends when SWF answers it (up to 60 s), and a task
  it brings is still processed. With ``graceful_shutdown_timeout``, that wait is bounded: when it
  passes, activities in hand are asked to cancel (their heartbeat returns True) and
  ``run()``/``join()`` return without them (:mod:`._limits`).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..exceptions import HistoryError, SwfObjectsError, UnknownActivityTypeError
from ..payloads._payload import Payloads, PayloadStore
from ..payloads.storage._offload import as_payload_store
from ..payloads.storage._stores import DataStore
from ..replay._decider import Unawaited
from ..swf.client import SWFClient
from ..swf.limits import MAX_NAME
from ..workflow._options import NO_TIMEOUT
from ._activities import ActivityRunner, Heartbeat, task_heartbeat
from ._decisions import DecisionHandler, collect_decision_task, poll_request
from ._history_parser import install as install_history_parser
from ._interceptors import Interceptor, checked_interceptors
from ._limits import ActivityLimits
from ._retrying import Backoff, RetryingClient, error_code

__all__ = ["ActivityWorkerRunner", "DecisionWorker", "Workers", "default_identity"]

log = logging.getLogger("swfobjects.workers")

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def default_identity() -> str:
    """``host:pid``, what SWF shows as the poller identity."""
    return f"{socket.gethostname()}:{os.getpid()}"[:MAX_NAME]


def _method(operation: str) -> str:
    return _SNAKE.sub("_", operation).lower()


class _PollLoop:
    """Threads that poll task lists until stopped (shared by both worker kinds)."""

    kind = "poller"

    def __init__(
        self,
        client: SWFClient,
        domain: str,
        task_lists: Iterable[str],
        threads: int,
        identity: str | None,
        backoff: Backoff | None,
    ) -> None:
        if threads < 1:
            raise ValueError(f"{self.kind} threads must be at least 1, got {threads}")
        self.domain = domain
        self.task_lists = sorted(set(task_lists))
        self.threads = threads
        self.identity = (identity or default_identity())[:MAX_NAME]
        self.stopping = threading.Event()
        self.client = RetryingClient(client, backoff, stop=self.stopping)
        self.handled = 0
        self.errors = 0
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._in_hand = 0
        self.graceful_shutdown_timeout: float | None = None
        self.shutdown_expired = threading.Event()
        self._shutdown_timer: threading.Timer | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.domain} {self.task_lists}>"

    @property
    def in_hand(self) -> int:
        """Tasks being worked on right now."""
        return self._in_hand

    def poll_once(self, task_list: str) -> bool:
        """Poll ``task_list`` once and handle what comes back; True if a task was handled."""
        raise NotImplementedError

    def _loop(self, task_list: str) -> None:
        """Poll until stopped; after a failure, pause as :class:`RetryingClient` does.

        The client has already retried what is retryable, so a failure here outlasted that
        budget (or is not retryable, such as missing permissions): back off with the same
        capped, jittered exponential delays, growing while failures repeat.
        """
        failures = 0
        while not self.stopping.is_set():
            try:
                self.poll_once(task_list)
                failures = 0
            except Exception:
                self.errors += 1
                log.exception("%s on %r: poll failed; polling again shortly", self.kind, task_list)
                self.stopping.wait(self.client.backoff.delay(failures))
                failures += 1

    @contextmanager
    def _holding(self) -> Iterator[None]:
        with self._lock:
            self._in_hand += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_hand -= 1
                self.handled += 1

    def start(self) -> None:
        """Start the polling threads (daemon threads; returns at once)."""
        if self._threads:
            raise RuntimeError(f"{self!r} was already started")
        if not self.task_lists:
            raise ValueError(f"{self.kind}: no task list to poll")
        for task_list in self.task_lists:
            for n in range(self.threads):
                thread = threading.Thread(
                    target=self._loop,
                    args=(task_list,),
                    name=f"swfobjects-{self.kind}-{task_list}-{n}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()

    def stop(self) -> None:
        """Stop polling; tasks in hand are still finished and answered (within
        ``graceful_shutdown_timeout``, if set)."""
        self.stopping.set()
        timeout = self.graceful_shutdown_timeout
        with self._lock:
            if timeout is None or self._shutdown_timer is not None:
                return
            self._shutdown_timer = threading.Timer(timeout, self._shutdown_expires)
            self._shutdown_timer.daemon = True
        self._shutdown_timer.start()

    def _shutdown_expires(self) -> None:
        self.shutdown_expired.set()
        if self._in_hand:
            log.warning(
                "%s: graceful shutdown timeout (%s s) passed with %d task(s) in hand; they are "
                "asked to cancel and abandoned (SWF's timeouts hand them to another worker)",
                self.kind,
                self.graceful_shutdown_timeout,
                self._in_hand,
            )

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the threads to end; True if they all did within ``timeout`` (or the
        graceful shutdown timeout passed: tasks still in hand are abandoned)."""
        deadline = None if timeout is None else _monotonic() + timeout
        expired = self.shutdown_expired
        step = None if self.graceful_shutdown_timeout is None else 0.05
        for thread in self._threads:
            while thread.is_alive() and not expired.is_set():
                remaining = None if deadline is None else max(0.0, deadline - _monotonic())
                if remaining == 0.0:
                    break
                thread.join(remaining if step is None else min(step, remaining or step))
        return expired.is_set() or not any(thread.is_alive() for thread in self._threads)

    def run(self) -> None:
        """Poll until :meth:`stop`, SIGINT or SIGTERM; then finish the tasks in hand."""
        _run_until_stopped([self])


class DecisionWorker(_PollLoop):
    """Polls decision task lists and answers them with the replay decider.

    >>> worker = DecisionWorker(boto3.client("swf"), "shop", [Checkout])  # doctest: +SKIP
    >>> worker.run()                                  # until SIGINT/SIGTERM  # doctest: +SKIP

    ``task_lists`` defaults to the task lists of the given workflow classes; any workflow type
    in the process registry can be decided (the classes only say where to poll).
    ``check_determinism`` (default on) fails a decision whose workflow code reads the clock or
    randomness, sleeps, or uses threads or asyncio; ``False`` turns the check off.
    ``unawaited``: when a run completes with promises it never awaited, ``"warn"`` (default:
    a warning naming them), ``"error"`` (fail the workflow with ``WorkflowCodeError`` naming
    them, as ``SerialExecutor(unawaited="error")`` does) or ``"ignore"``.
    ``fast_history`` (default on) makes a boto3 ``client`` parse history events with
    :mod:`._history_parser` (same dicts as botocore, several times less CPU); other clients are
    left alone.
    ``interceptors``: :class:`Interceptor` hooks around decision tasks, run start and close,
    and the calls workflow code makes (the first in the list outermost).
    """

    kind = "decider"

    def __init__(
        self,
        client: SWFClient,
        domain: str,
        workflows: Iterable[type] = (),
        *,
        task_lists: Iterable[str] | None = None,
        threads: int = 1,
        identity: str | None = None,
        data_store: DataStore | PayloadStore | None = None,
        backoff: Backoff | None = None,
        cache_size: int = 1000,
        check_replay: bool = False,
        check_determinism: bool = True,
        unawaited: Unawaited = "warn",
        fast_history: bool = True,
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        if fast_history:
            install_history_parser(client)
        self.handler = DecisionHandler(
            workflows,
            Payloads(store=as_payload_store(data_store, domain)),
            cache_size=cache_size,
            strict=check_determinism,
            check_replay=check_replay,
            unawaited=unawaited,
            interceptors=interceptors,
        )
        if task_lists is None:
            task_lists = [w.task_list for w in self.handler.workflow_types()]
        super().__init__(client, domain, task_lists, threads, identity, backoff)
        self.failed_decisions = 0

    def poll_once(self, task_list: str) -> bool:
        """One poll: collect every page, decide, answer (or log and let the task time out)."""
        poll = poll_request(
            "decision",
            self.domain,
            task_list,
            self.identity,
            since_previous=self.handler.cache_size > 0,
        )
        first = self.client.poll_for_decision_task(**poll)
        if not first.get("taskToken"):
            return False
        with self._holding():
            self._handle(first, poll)
        return True

    def _handle(self, first: dict[str, Any], poll: dict[str, Any]) -> None:
        """Collect, decide, answer; every failure is logged and leaves the task to time out."""
        execution = first.get("workflowExecution")
        if not isinstance(execution, dict):
            execution = {}
        workflow_id = str(execution.get("workflowId", "?"))
        run_id = str(execution.get("runId", "?"))
        try:
            task = collect_decision_task(self.client, first, poll)
        except Exception as error:
            log.error(
                "decision task of workflow %s run %s: reading the history failed (%s: %s); "
                "the task will time out and be retried",
                workflow_id,
                run_id,
                type(error).__name__,
                error,
            )
            return
        try:
            response = self.handler.respond(task, self.client, self.domain)
        except Exception as error:
            self.failed_decisions += 1
            self.handler.forget(run_id)
            event_id = getattr(error, "event_id", None) or task.get("startedEventId")
            field = getattr(error, "field", None)
            fix = (
                "the history itself is malformed: check what produced or altered it"
                if isinstance(error, HistoryError)
                else "deploy a fix to resume"
            )
            log.error(
                "decider failed for workflow %s run %s at event %s%s: %s: %s; the decision "
                "task is left to time out so SWF schedules it again (%s)",
                workflow_id,
                run_id,
                event_id,
                f" (field {field})" if field else "",
                type(error).__name__,
                error,
                fix,
                exc_info=not isinstance(error, SwfObjectsError),
            )
            return
        try:
            self.client.respond_decision_task_completed(**response)
        except Exception as error:
            self.handler.forget(run_id)
            _log_respond_error("decision task", workflow_id, run_id, error)


class ActivityWorkerRunner(_PollLoop):
    """Polls activity task lists and runs the tasks with the given worker instances.

    >>> runner = ActivityWorkerRunner(boto3.client("swf"), "shop", [Payments()])  # doctest: +SKIP
    >>> runner.run()                                                 # doctest: +SKIP

    ``threads`` pollers run per task list, each running its task inline (so at most
    ``threads`` tasks of a task list run at once). With ``auto_heartbeat=True``, activities
    whose type declares a heartbeat timeout are heartbeated every third of that timeout while
    they run, for code that cannot call ``self.heartbeat()`` itself.

    Limits (see :mod:`._limits`): ``max_concurrent_activities`` across all task lists,
    ``max_activities_per_second`` for the worker, ``max_task_list_activities_per_second`` per
    task list (one rate, or a mapping by task list), and ``graceful_shutdown_timeout``.
    ``interceptors``: :class:`Interceptor` hooks around each activity attempt.
    """

    kind = "activity-worker"

    def __init__(
        self,
        client: SWFClient,
        domain: str,
        workers: Iterable[Any] = (),
        *,
        task_lists: Iterable[str] | None = None,
        threads: int = 4,
        identity: str | None = None,
        data_store: DataStore | PayloadStore | None = None,
        backoff: Backoff | None = None,
        auto_heartbeat: bool = False,
        create_missing: bool = False,
        max_concurrent_activities: int | None = None,
        max_activities_per_second: float | None = None,
        max_task_list_activities_per_second: float | Mapping[str, float] | None = None,
        graceful_shutdown_timeout: float | None = None,
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        limits = ActivityLimits(
            max_concurrent_activities,
            max_activities_per_second,
            max_task_list_activities_per_second,
            graceful_shutdown_timeout,
        )
        self.payloads = Payloads(store=as_payload_store(data_store, domain))
        self.runner = ActivityRunner(
            workers,
            self.payloads,
            create_missing=create_missing,
            interceptors=checked_interceptors(interceptors),
        )
        self.auto_heartbeat = auto_heartbeat
        if task_lists is None:
            task_lists = [a.task_list for a in self.runner.activity_types()]
        super().__init__(client, domain, task_lists, threads, identity, backoff)
        self.limits: ActivityLimits | None = limits if limits.limited else None
        self.graceful_shutdown_timeout = graceful_shutdown_timeout
        self.heartbeats = 0

    def poll_once(self, task_list: str) -> bool:
        """One poll (once the limits allow one): run the task, answer it (completed or
        failed)."""
        limits = self.limits
        if limits is None:
            return self._poll_and_run(task_list, None)
        if not limits.acquire(self.stopping):
            return False
        try:
            return self._poll_and_run(task_list, limits)
        finally:
            limits.done()

    def _poll_and_run(self, task_list: str, limits: ActivityLimits | None) -> bool:
        task = self.client.poll_for_activity_task(
            **poll_request("activity", self.domain, task_list, self.identity)
        )
        if not task.get("taskToken"):
            return False
        with self._holding():
            if limits is not None:
                limits.pace(task_list)
            heartbeat = task_heartbeat(self.client, self.payloads, task, self._recorded)
            if self.graceful_shutdown_timeout is not None:
                heartbeat = _cancelled_on(self.shutdown_expired, heartbeat)
            with self._auto_heartbeat(task, heartbeat):
                answer = self.runner.execute(task, heartbeat)
            if answer is None:
                return True  # manual completion: the token's holder answers
            operation, params = answer
            execution = task.get("workflowExecution") or {}
            try:
                getattr(self.client, _method(operation))(**params)
            except Exception as error:
                _log_respond_error(
                    f"activity task {task.get('activityId', '?')} ({task['activityType']['name']})",
                    execution.get("workflowId", "?"),
                    execution.get("runId", "?"),
                    error,
                )
        return True

    def _recorded(self) -> None:
        self.heartbeats += 1

    @contextmanager
    def _auto_heartbeat(self, task: dict[str, Any], heartbeat: Heartbeat) -> Iterator[None]:
        interval = self._heartbeat_interval(task) if self.auto_heartbeat else None
        if interval is None:
            yield
            return
        done = threading.Event()

        def beat() -> None:
            while not done.wait(interval):
                try:
                    if heartbeat(None):
                        return
                except Exception as error:
                    log.warning("automatic heartbeat failed: %s: %s", type(error).__name__, error)

        thread = threading.Thread(target=beat, name="swfobjects-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def _heartbeat_interval(self, task: dict[str, Any]) -> float | None:
        kind = task["activityType"]
        try:
            _, activity = self.runner.resolve(kind["name"], kind["version"])
        except UnknownActivityTypeError:
            return None
        if activity.heartbeat_timeout == NO_TIMEOUT:
            return None
        return max(1.0, int(activity.heartbeat_timeout) / 3)


class Workers:
    """A decider and an activity worker runner run together (either may be absent).

    >>> workers = Workers(DecisionWorker(...), ActivityWorkerRunner(...))  # doctest: +SKIP
    >>> with workers:                  # started in background threads  # doctest: +SKIP
    ...     handle.result()
    """

    def __init__(self, *loops: DecisionWorker | ActivityWorkerRunner | None) -> None:
        self.loops: list[_PollLoop] = [loop for loop in loops if loop is not None]

    def start(self) -> None:
        """Start every loop's threads."""
        for loop in self.loops:
            loop.start()

    def stop(self) -> None:
        """Stop polling everywhere (tasks in hand are finished)."""
        for loop in self.loops:
            loop.stop()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for every loop to end; True if all did within ``timeout``."""
        deadline = None if timeout is None else _monotonic() + timeout
        ok = True
        for loop in self.loops:
            remaining = None if deadline is None else max(0.0, deadline - _monotonic())
            ok = loop.join(remaining) and ok
        return ok

    def run(self) -> None:
        """Poll until :meth:`stop`, SIGINT or SIGTERM; then finish the tasks in hand."""
        _run_until_stopped(self.loops)

    def __enter__(self) -> Workers:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
        self.join(timeout=90)


def _monotonic() -> float:
    return time.monotonic()


def _run_until_stopped(loops: list[_PollLoop]) -> None:
    """Start ``loops``, wait until they stop; SIGINT/SIGTERM stop them (main thread only)."""
    previous: dict[int, Any] = {}

    def on_signal(signum: int, frame: Any) -> None:
        if all(loop.stopping.is_set() for loop in loops):
            log.warning("signal %d again: exiting without waiting for the tasks in hand", signum)
            raise KeyboardInterrupt
        log.warning("signal %d: stopping; finishing the tasks in hand (again to force)", signum)
        for loop in loops:
            loop.stop()

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        for loop in loops:
            loop.start()
        while not all(loop.join(timeout=0.5) for loop in loops):
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _cancelled_on(expired: threading.Event, heartbeat: Heartbeat) -> Heartbeat:
    """``heartbeat``, reporting cancellation once the graceful shutdown timeout has passed."""

    def beat(details: Any) -> bool:
        if expired.is_set():
            return True
        return heartbeat(details)

    return beat


def _log_respond_error(what: str, workflow_id: str, run_id: str, error: BaseException) -> None:
    if error_code(error) == "UnknownResourceFault":
        log.warning(
            "%s of workflow %s run %s: SWF no longer accepts the answer (the task timed out, "
            "was cancelled or was answered elsewhere): %s",
            what,
            workflow_id,
            run_id,
            error,
        )
        return
    log.error(
        "%s of workflow %s run %s: the answer could not be delivered (%s: %s); SWF's timeout "
        "will hand the task to another worker",
        what,
        workflow_id,
        run_id,
        type(error).__name__,
        error,
    )
