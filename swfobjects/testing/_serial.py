"""``SerialExecutor``: whole workflows in one process and one thread, no AWS needed.

It drives the in-memory SWF model through the same boto3-shaped calls, the same decision
handler (replay decider + sticky cache) and the same activity runner as the SWF executor, so
what passes here exercises the code that runs in production. Activities run inline. Time is
the real clock (``time.time``, which freezegun controls) plus an offset that jumps ahead when
only timers are pending (``skip_time=True``, the default).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sized
from typing import Any, Literal

from ..client._executor import ExecutorBase
from ..client._handle import WorkflowHandle, latest_run
from ..client._registration import activity_registration, workflow_registration
from ..exceptions import WorkflowStuckError
from ..model import InProcessClient, SwfFault, SwfModel, fault_to_client_error
from ..payloads._payload import Payloads, PayloadStore
from ..payloads.storage._offload import as_payload_store
from ..payloads.storage._stores import DataStore
from ..replay._decider import Unawaited
from ..replay._pending import describe_pending
from ..swf.client import InProcessSWFClient, TaskKind
from ..swf.limits import Quotas
from ..worker._activities import ActivityRunner, task_heartbeat
from ..worker._decisions import DecisionHandler, collect_decision_task, poll_request
from ..worker._interceptors import Interceptor, checked_interceptors
from ..workflow._declarations import REGISTRY, ActivityType, WorkflowType
from ..workflow._functions import WorkflowFunction

__all__ = ["SerialExecutor"]

log = logging.getLogger("swfobjects.serial")

_YOUNG_OBJECTS = 100_000
"""Allocations between the young-generation collections of a run with ``pause_gc``."""

_IDENTITY = "serial"
"""The poller identity SWF records for the SerialExecutor's tasks."""

Work = Callable[[dict[str, Any], dict[str, Any]], "tuple[str, dict[str, Any]] | None"]
"""Handles a polled task (given the task and the poll request); returns the answering
operation and its parameters (None: the task is answered later, by manual completion)."""


class SerialExecutor(ExecutorBase):
    """Run workflows in this process, on an in-memory SWF.

    >>> SerialExecutor().run(Hello, "world")           # doctest: +SKIP
    'Hello, world!'

    * ``workers``: ActivityWorker instances (classes with a no-argument constructor are
      created on demand).
    * ``skip_time``: jump the clock to the next timer when nothing else can run; with
      ``skip_time=False`` time only moves when the real (or frozen) clock does, and
      :meth:`run_until_idle` fires the timers that are due.
      Closed executions are kept for the executor's lifetime (unlike SWF, which deletes
      them after the domain's retention period): skipped time would otherwise delete runs
      a test still reads.
    * ``data_store``: where payloads too large for SWF go (see ``swfobjects.storage``).
    * ``check_determinism`` (default on): fail a decision whose workflow code calls the
      clock, ``random`` or ``uuid4`` directly.
    * ``check_replay`` (for tests): after every cached decision, check that a full replay
      decides the same.
    * ``unawaited``: what happens when a workflow completes while promises it started
      (activities, timers, children, signals sent, ``wait_for``) were never awaited:
      ``"warn"`` (default) logs a warning naming them, ``"error"`` fails the workflow with
      ``WorkflowCodeError`` naming them (use it in tests), ``"ignore"`` says nothing.
    * ``pause_gc`` (default on): while it runs tasks, the executor replaces CPython's
      automatic cyclic garbage collection with a young-generation collection every
      ``_YOUNG_OBJECTS`` allocations. The automatic collector also rescans the old generation,
      which here is mostly the growing history every run keeps: that made long runs
      superlinear (a 10,000-activity fan-out paid a quarter of its time to it). Garbage
      without cycles is freed at once as always; the collector is back to normal when
      ``run``/``run_until_idle`` returns.
    * ``quotas``: SWF's quotas to enforce, by name, instead of SWF's defaults (``{"open_timers":
      2}``; see :class:`swfobjects.swf.limits.Quotas`), to test how workflows cope with them.
    * ``interceptors``: hooks for metrics and tracing (:class:`swfobjects.worker.Interceptor`)
      around starts, decision tasks, run start and close, outgoing calls and activities, as
      the SWF executor's workers run them; the first in the list is the outermost.
    """

    def __init__(
        self,
        workers: Iterable[Any] = (),
        *,
        skip_time: bool = True,
        data_store: DataStore | PayloadStore | None = None,
        domain: str = "swfobjects",
        cache_size: int = 1000,
        check_determinism: bool = True,
        check_replay: bool = False,
        pause_gc: bool = True,
        quotas: Mapping[str, int] | Quotas | None = None,
        unawaited: Unawaited = "warn",
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        self.interceptors = checked_interceptors(interceptors)
        self.skip_time = skip_time
        self.pause_gc = pause_gc
        self._gc_paused = False
        self.domain = domain
        self._offset = 0.0
        # retention=False: skipped time would delete closed runs a test still reads
        self.model = SwfModel(clock=self._clock, quotas=quotas, retention=False)
        self._in_process = InProcessClient(self.model)
        self.client: InProcessSWFClient = self._in_process
        self.payloads = Payloads(store=as_payload_store(data_store, domain))
        self.activities = ActivityRunner(workers, self.payloads, interceptors=self.interceptors)
        self.decisions = DecisionHandler(
            (),
            self.payloads,
            cache_size=cache_size,
            strict=check_determinism,
            check_replay=check_replay,
            unawaited=unawaited,
            interceptors=self.interceptors,
        )
        self.client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        self._registered: set[tuple[str, str, str]] = set()
        self._registry_size = (-1, -1)
        self._task_list_cache: dict[str, tuple[int, list[tuple[Sized, dict[str, Any]]]]] = {}
        self._manual: set[str] = set()
        """SWF tokens of manual-completion activity tasks handed out (maybe answered since)."""

    # --- time ---------------------------------------------------------------------------

    def _clock(self) -> float:
        return time.time() + self._offset

    def now(self) -> float:
        """The executor's current time (epoch seconds, including skipped time)."""
        return self._clock()

    # --- registration -------------------------------------------------------------------

    def _sync_types(self) -> None:
        """Register every workflow and activity type defined so far (cheap when unchanged)."""
        size = (len(REGISTRY.activities), len(REGISTRY.workflows))
        if size == self._registry_size:
            return
        self._registry_size = size
        for activity in list(REGISTRY.activities.values()):
            self._register_activity(activity)
        for workflow in list(REGISTRY.workflows.values()):
            self._register_workflow(workflow)

    def _register_activity(self, activity: ActivityType) -> None:
        key = ("activity", *activity.key)
        if key not in self._registered:
            self._registered.add(key)
            self.client.register_activity_type(**activity_registration(activity, self.domain))

    def _register_workflow(self, workflow: WorkflowType) -> None:
        key = ("workflow", *workflow.key)
        if key not in self._registered:
            self._registered.add(key)
            self.client.register_workflow_type(**workflow_registration(workflow, self.domain))

    # --- starting -----------------------------------------------------------------------

    def _before_start(self, workflow_class: type | WorkflowFunction[..., Any]) -> None:
        self._sync_types()
        self.decisions.add_workflow(workflow_class)  # this class, whatever else shares its name

    def _before_start_by_name(self) -> None:
        self._sync_types()

    def get_handle(
        self, workflow_id: str, run_id: str = "", workflow_class: type | None = None
    ) -> WorkflowHandle[Any]:
        """A handle for an execution started earlier (latest run if ``run_id`` is empty)."""
        if not run_id:
            run_id = latest_run(self.client, self.domain, workflow_id)["execution"]["runId"]
        return self._handle(workflow_id, run_id, getattr(workflow_class, "_swf_workflow", None))

    # --- running ------------------------------------------------------------------------

    def _work_once(self) -> bool:
        """Run activity and decision tasks until none is available now; True if any ran."""
        # Bound once here, not per round: the mappings are live views of the model's queues,
        # and the raw call skips the client's fault translation (``_drain`` does it).
        client = self._in_process
        activity_queues = client.task_queues("activity")
        decision_queues = client.task_queues("decision")
        call = client.raw_call()
        drain = self._drain
        run_activity = self._run_activity
        decide = self._decide
        worked = False
        activity_lists = self._task_lists("activity", activity_queues)
        decision_lists = self._task_lists("decision", decision_queues)
        while True:
            ran = False
            if len(activity_lists) != len(activity_queues):  # a task list was added
                activity_lists = self._task_lists("activity", activity_queues)
            for queue, poll in activity_lists:
                if queue and drain(call, queue, "PollForActivityTask", poll, run_activity):
                    ran = True
            if len(decision_lists) != len(decision_queues):
                decision_lists = self._task_lists("decision", decision_queues)
            for queue, poll in decision_lists:
                if queue and drain(call, queue, "PollForDecisionTask", poll, decide):
                    ran = True
            if not ran:
                return worked
            worked = True
            if self._gc_paused and gc.get_count()[0] > _YOUNG_OBJECTS:
                gc.collect(1)  # cycles made by activity code are freed as the run goes

    def _task_lists(
        self, kind: TaskKind, queues: Mapping[tuple[str, str], Sized]
    ) -> list[tuple[Sized, dict[str, Any]]]:
        """(queue, poll request) of every task list in ``queues`` (the client's live
        ``task_queues(kind)``).

        Cached until the model adds a task list (it never removes one); the drains below may
        add some while this list is walked, and the next round picks them up.
        """
        cached = self._task_list_cache.get(kind)
        if cached is not None and cached[0] == len(queues):
            return cached[1]
        pairs = [
            (queue, poll_request(kind, domain, task_list, _IDENTITY))
            for (domain, task_list), queue in list(queues.items())
        ]
        self._task_list_cache[kind] = (len(queues), pairs)
        return pairs

    @staticmethod
    def _drain(
        call: Callable[[str, dict[str, Any]], dict[str, Any]],
        queue: Sized,
        operation: str,
        poll: dict[str, Any],
        work: Work,
    ) -> bool:
        """Poll while ``queue`` has entries and answer each task with ``work(task, poll)``.

        The queue may hold entries the model skips (tasks of closed runs): the poll then comes
        back empty, as SWF's would. An answer to a task that closed meanwhile (stale token) is
        dropped, as SWF does. ``call`` is the client's :meth:`~InProcessClient.raw_call`: it
        takes the request dict as it is (no repacking as keywords: this loop is hot) and
        raises the model's :class:`SwfFault`, which leaves here as the ``ClientError`` the
        client's other methods raise.
        """
        ran = False
        while queue:
            try:
                task = call(operation, poll)
            except SwfFault as fault:
                raise fault_to_client_error(fault, operation) from None
            if not task.get("taskToken"):
                break
            answered = work(task, poll)
            ran = True
            if answered is None:
                continue  # a manual-completion activity: the test answers it later
            answer, params = answered
            try:
                call(answer, params)
            except SwfFault as fault:
                error = fault_to_client_error(fault, answer)
                if fault.code != "UnknownResourceFault":
                    raise error from None
                log.info("%s ignored: %s", answer, error)
        return ran

    def _run_activity(
        self, task: dict[str, Any], poll: dict[str, Any]
    ) -> tuple[str, dict[str, Any]] | None:
        answer = self.activities.execute(task, task_heartbeat(self.client, self.payloads, task))
        if answer is None:
            self._manual.add(task["taskToken"])
        return answer

    def _decide(self, first: dict[str, Any], poll: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        task = collect_decision_task(self.client, first, poll)
        if self._registry_size != (len(REGISTRY.activities), len(REGISTRY.workflows)):
            self._sync_types()  # a workflow may define types as it runs
        return "RespondDecisionTaskCompleted", self.decisions.respond(
            task, self.client, poll["domain"]
        )

    def _waits_for_manual(self) -> bool:
        """True while a manual-completion activity task is open: someone outside will answer,
        so skipping time (to its timeout, say) would decide for them."""
        queues = self.model.queues
        for token in list(self._manual):
            try:
                queues.activity_task(token)
            except SwfFault:
                self._manual.discard(token)  # answered, timed out or closed
        return bool(self._manual)

    def _skip_ahead(self) -> bool:
        """Jump the clock to the next timer/timeout unless only execution timeouts remain."""
        found = self.client.next_due()
        if found is None or found[1] == "execution":
            return False
        delta = found[0] - self._clock()
        if delta > 0:
            self._offset += delta
        self.client.fire_due()
        return True

    def run_until_idle(self, manual: Literal["wait", "skip"] = "wait") -> None:
        """Process everything runnable now: tasks, due timers, and (with ``skip_time``) timers
        that are pending, until only external input (signals) or the real clock can help.

        A manual-completion activity waiting for its answer is external input too: time is
        not skipped while one is open, so a test answers it between two calls
        (``executor.complete_activity(token, result)``). ``manual="skip"`` lets time pass
        anyway, as if no one answered (to test a deadline or an activity timeout).
        """
        if manual not in ("wait", "skip"):
            raise ValueError(f"manual must be 'wait' or 'skip', not {manual!r}")
        paused = self.pause_gc and gc.isenabled()  # a collector the caller disabled stays so
        if paused:
            gc.disable()  # see pause_gc
            self._gc_paused = True
        try:
            fire_due = self.client.fire_due
            while True:
                fire_due()
                if self._work_once():
                    continue
                if fire_due():
                    continue
                if (
                    self.skip_time
                    and (manual == "skip" or not self._manual or not self._waits_for_manual())
                    and self._skip_ahead()
                ):
                    continue
                return
        finally:
            if paused:
                self._gc_paused = False
                gc.enable()

    def _wait(self, handle: WorkflowHandle[Any], timeout: float | None) -> None:
        self.run_until_idle()
        if handle.is_open():
            pending = handle.pending(now=self._clock())
            raise WorkflowStuckError(
                f"workflow {handle.workflow_id} (run {handle.run_id}) is open but nothing can "
                f"move it forward; it waits for:\n{describe_pending(pending)}\n"
                + (
                    "No one has sent the signal (or cancellation) it needs: send it with "
                    "handle.signal(...) before handle.result()"
                    if self.skip_time
                    else "Or a timer the clock has not reached yet: tick the frozen clock, then "
                    "call run_until_idle()"
                ),
                pending=pending,
            )
