"""``SWFExecutor``: the same workflows on Amazon SWF (or any SWF endpoint) through boto3.

The executor is thin on purpose: registration parameters come from :mod:`._registration`,
start requests from :mod:`._starting`, decisions from the shared replay decider, activity runs
from the shared :class:`ActivityRunner`, and the poll loops from :mod:`._pollers`. What it adds
is the boto3 client (long-poll read timeout, retries) and the glue between those parts.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..payloads._payload import Payloads, PayloadStore
from ..payloads.storage._offload import as_payload_store
from ..payloads.storage._stores import DataStore
from ..replay._decider import Unawaited, check_unawaited
from ..replay._pending import waiting_for
from ..swf.client import SWFClient
from ..swf.limits import LONG_POLL_SECONDS, MAX_DESCRIPTION, MAX_TAGS
from ..worker._interceptors import Interceptor, checked_interceptors
from ..worker._limits import shutdown_timeout
from ..worker._pollers import ActivityWorkerRunner, DecisionWorker, Workers, default_identity
from ..worker._retrying import Backoff, RetryingClient, error_code
from ..workflow._declarations import REGISTRY, ActivityType, WorkflowType
from ..workflow._functions import WorkflowFunction
from ._executor import ExecutorBase
from ._handle import WorkflowHandle, latest_run
from ._registration import activity_registration, workflow_registration

__all__ = ["SWFExecutor", "swf_client", "LONG_POLL_READ_TIMEOUT", "START_TAG_PREFIX"]

log = logging.getLogger("swfobjects.swf")

LONG_POLL_READ_TIMEOUT = LONG_POLL_SECONDS + 10
"""Seconds: SWF holds a poll open for up to 60 s, so the socket must wait longer than that."""


START_TAG_PREFIX = "swfobjects-start-"
"""Tag that marks the run one ``SWFExecutor.start()`` call started (a random hex id follows)."""


def swf_client(
    session: Any = None, endpoint_url: str | None = None, region_name: str | None = None
) -> SWFClient:
    """A boto3 SWF client fit for long polls: 70 s read timeout, standard retry mode.

    >>> client = swf_client(region_name="eu-west-1")                      # doctest: +SKIP
    """
    import boto3
    from botocore.config import Config

    config = Config(
        read_timeout=LONG_POLL_READ_TIMEOUT,
        connect_timeout=10,
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=64,
    )
    session = session or boto3.session.Session()
    client: SWFClient = session.client(
        "swf", config=config, endpoint_url=endpoint_url, region_name=region_name
    )
    return client


class SWFExecutor(ExecutorBase):
    """Run workflows on SWF: register types, start executions, run decider/activity workers.

    >>> executor = SWFExecutor("shop")           # boto3 defaults: env, profile  # doctest: +SKIP
    >>> executor.register(Checkout, Payments)                            # doctest: +SKIP
    >>> handle = executor.start(Checkout, order, workflow_id="order-42")  # doctest: +SKIP
    >>> executor.run_workers(Checkout, Payments())   # until SIGINT/SIGTERM  # doctest: +SKIP

    ``client``: a boto3 SWF client (its read timeout should exceed 60 s, see :func:`swf_client`);
    else one is made from ``session`` (or the default session) and ``endpoint_url``.
    ``data_store``: the out-of-band payload store (same seam as the SerialExecutor).
    ``poll_interval``: the longest pause between ``DescribeWorkflowExecution`` calls while a
    handle waits for a result. ``cache_size``: runs whose replay state deciders keep.
    ``check_replay`` (for tests): after every cached decision, replay the full history and
    require the same decisions. ``check_determinism`` (default on): deciders fail a decision
    whose workflow code reads the clock or randomness, sleeps, or uses threads or asyncio
    (``NonDeterministicCallError``; it costs a few percent of a decision); ``False`` turns it
    off. ``unawaited``: a workflow that completes with promises it
    never awaited is a warning naming them (``"warn"``, the default), fails with
    ``WorkflowCodeError`` naming them (``"error"``, as on the SerialExecutor) or passes
    (``"ignore"``). ``interceptors``: hooks for metrics and tracing
    (:class:`~swfobjects.worker.Interceptor`), shown each ``start()`` and given to every worker
    this executor makes; the first in the list is the outermost.
    """

    def __init__(
        self,
        domain: str,
        client: SWFClient | None = None,
        session: Any = None,
        *,
        identity: str | None = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        data_store: DataStore | PayloadStore | None = None,
        backoff: Backoff | None = None,
        poll_interval: float = 2.0,
        cache_size: int = 1000,
        check_replay: bool = False,
        check_determinism: bool = True,
        unawaited: Unawaited = "warn",
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        self.unawaited = check_unawaited(unawaited)
        self.domain = domain
        self.interceptors = checked_interceptors(interceptors)
        self.raw_client: SWFClient = (
            client if client is not None else swf_client(session, endpoint_url, region_name)
        )
        _check_read_timeout(self.raw_client)
        self.backoff = backoff or Backoff()
        self.client = RetryingClient(self.raw_client, self.backoff)
        self.identity = identity or default_identity()
        self.payloads = Payloads(store=as_payload_store(data_store, domain))
        self.poll_interval = poll_interval
        self.cache_size = cache_size
        self.check_replay = check_replay
        self.check_determinism = check_determinism
        self._running: list[Workers] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SWFExecutor domain={self.domain!r}>"

    # --- starting -----------------------------------------------------------------------

    def _start_execution(self, params: dict[str, Any]) -> str:
        """Start, safe to retry: the retrying client may resend a start whose answer was lost.

        SWF then refuses the resend with ``WorkflowExecutionAlreadyStartedFault`` although the
        open run is the caller's own. So the request carries a tag unique to this call
        (:data:`START_TAG_PREFIX` + random hex), and on that fault the open run that carries the
        tag is taken as started by this call. A run without the tag was started by someone else,
        and the fault is raised. With all five tags used by the caller there is no room for the
        marker, and the fault is raised as SWF sent it.
        """
        tags = list(params.get("tagList") or [])
        if len(tags) >= MAX_TAGS:
            return super()._start_execution(params)
        marker = START_TAG_PREFIX + uuid.uuid4().hex
        try:
            return super()._start_execution(dict(params, tagList=[*tags, marker]))
        except Exception as error:
            if error_code(error) != "WorkflowExecutionAlreadyStartedFault":
                raise
            try:
                info = latest_run(self.client, self.domain, params["workflowId"])
            except LookupError:
                raise error from None
            if marker not in (info.get("tagList") or []):
                raise
            log.info(
                "start of %s: the first attempt started run %s; its answer was lost",
                params["workflowId"],
                info["execution"]["runId"],
            )
            return str(info["execution"]["runId"])

    # --- registration -------------------------------------------------------------------

    def register(
        self, *classes: Any, retention_days: int = 1, description: str | None = None
    ) -> list[str]:
        """Register the domain and the types of ``classes`` with their declared defaults.

        Idempotent: existing registrations are kept. Returns one line per existing type whose
        registered defaults differ from the code (each also issued as a ``UserWarning``):
        SWF never changes a registered type, so bump the version to change its defaults.
        """
        params: dict[str, Any] = {
            "name": self.domain,
            "workflowExecutionRetentionPeriodInDays": str(retention_days),
        }
        if description:
            params["description"] = description[:MAX_DESCRIPTION]
        try:
            self.client.register_domain(**params)
        except Exception as error:
            if error_code(error) != "DomainAlreadyExistsFault":
                raise
        differences: list[str] = []
        for item in classes:
            cls = item if isinstance(item, type) else type(item)
            workflow = getattr(cls, "_swf_workflow", None)
            activities = getattr(cls, "_swf_activities", None)
            if workflow is not None and activities is None:
                differences += self._register_workflow(workflow)
            elif activities is not None:
                for activity in activities.values():
                    differences += self._register_activity(activity)
            else:
                raise TypeError(f"{item!r} is neither a Workflow nor an ActivityWorker")
        for line in differences:
            warnings.warn(line, UserWarning, stacklevel=2)
        return differences

    def _register_activity(self, activity: ActivityType) -> list[str]:
        params = activity_registration(activity, self.domain)
        try:
            self.client.register_activity_type(**params)
            return []
        except Exception as error:
            if error_code(error) != "TypeAlreadyExistsFault":
                raise
        found = self.client.describe_activity_type(
            domain=self.domain, activityType={"name": activity.name, "version": activity.version}
        )
        return _differences("activity", activity.key, params, found)

    def _register_workflow(self, workflow: WorkflowType) -> list[str]:
        params = workflow_registration(workflow, self.domain)
        try:
            self.client.register_workflow_type(**params)
            return []
        except Exception as error:
            if error_code(error) != "TypeAlreadyExistsFault":
                raise
        found = self.client.describe_workflow_type(
            domain=self.domain, workflowType={"name": workflow.name, "version": workflow.version}
        )
        return _differences("workflow", workflow.key, params, found)

    # --- starting and handles -----------------------------------------------------------

    def get_handle(
        self, workflow_id: str, run_id: str | None = None, workflow_class: type | None = None
    ) -> WorkflowHandle[Any]:
        """A handle for an execution started elsewhere (its latest run if no ``run_id``).

        The workflow class, needed to decode the result, is found from the execution's type
        in the process registry unless given.
        """
        workflow = getattr(workflow_class, "_swf_workflow", None)
        if not run_id:
            info = latest_run(self.client, self.domain, workflow_id)
            run_id = info["execution"]["runId"]
        else:
            info = self.client.describe_workflow_execution(
                domain=self.domain, execution={"workflowId": workflow_id, "runId": run_id}
            )["executionInfo"]
        if workflow is None:
            kind = info["workflowType"]
            workflow = REGISTRY.workflows.get((kind["name"], kind["version"]))
        return self._handle(workflow_id, run_id, workflow)

    def _wait(self, handle: WorkflowHandle[Any], timeout: float | None) -> None:
        """Poll ``DescribeWorkflowExecution`` until the run closes (or ``timeout`` passes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.05
        while handle.is_open():
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(
                    f"workflow {handle.workflow_id} (run {handle.run_id}) still open after "
                    f"{timeout} s; {waiting_for(handle.pending())}"
                )
            wait = pause if deadline is None else min(pause, max(0.0, deadline - time.monotonic()))
            time.sleep(wait)
            pause = min(self.poll_interval, pause * 1.5)

    # --- workers ------------------------------------------------------------------------

    def decision_worker(
        self,
        *workflows: type,
        task_lists: Iterable[str] | None = None,
        threads: int = 1,
    ) -> DecisionWorker:
        """A decider for ``workflows`` (any registered workflow type can be decided)."""
        return DecisionWorker(
            self.raw_client,
            self.domain,
            workflows,
            task_lists=task_lists,
            threads=threads,
            identity=self.identity,
            data_store=self.payloads.store,
            backoff=self.backoff,
            cache_size=self.cache_size,
            check_replay=self.check_replay,
            check_determinism=self.check_determinism,
            unawaited=self.unawaited,
            interceptors=self.interceptors,
        )

    def activity_worker(
        self,
        *workers: Any,
        task_lists: Iterable[str] | None = None,
        threads: int = 4,
        auto_heartbeat: bool = False,
        create_missing: bool = False,
        max_concurrent_activities: int | None = None,
        max_activities_per_second: float | None = None,
        max_task_list_activities_per_second: float | Mapping[str, float] | None = None,
        graceful_shutdown_timeout: float | None = None,
    ) -> ActivityWorkerRunner:
        """An activity worker runner for ``workers`` (ActivityWorker instances, or classes
        with a no-argument constructor), with the worker limits of
        :class:`~swfobjects.worker.ActivityWorkerRunner`."""
        return ActivityWorkerRunner(
            self.raw_client,
            self.domain,
            [_instance(w) for w in workers],
            task_lists=task_lists,
            threads=threads,
            identity=self.identity,
            data_store=self.payloads.store,
            backoff=self.backoff,
            auto_heartbeat=auto_heartbeat,
            create_missing=create_missing,
            max_concurrent_activities=max_concurrent_activities,
            max_activities_per_second=max_activities_per_second,
            max_task_list_activities_per_second=max_task_list_activities_per_second,
            graceful_shutdown_timeout=graceful_shutdown_timeout,
            interceptors=self.interceptors,
        )

    def workers(
        self,
        *parts: Any,
        decision_threads: int = 1,
        activity_threads: int = 4,
        decision_task_lists: Iterable[str] | None = None,
        activity_task_lists: Iterable[str] | None = None,
        auto_heartbeat: bool = False,
        create_missing: bool = False,
        max_concurrent_activities: int | None = None,
        max_activities_per_second: float | None = None,
        max_task_list_activities_per_second: float | Mapping[str, float] | None = None,
        graceful_shutdown_timeout: float | None = None,
    ) -> Workers:
        """A decider and an activity runner for ``parts`` (not started).

        ``parts``: Workflow classes and ActivityWorker instances (worker classes with a
        no-argument constructor are instantiated), and functions made workflows and
        activities by ``@decision_task`` / ``@activity_task``. The worker limits
        (``max_concurrent_activities``, ``max_activities_per_second``,
        ``max_task_list_activities_per_second``) apply to the activity runner;
        ``graceful_shutdown_timeout`` bounds how long stopping waits for tasks in hand, for
        both.
        """
        workflows: list[Any] = [
            p
            for p in parts
            if (isinstance(p, type) or isinstance(p, WorkflowFunction))
            and hasattr(p, "_swf_workflow")
        ]
        activity_workers = [p for p in parts if hasattr(p, "_swf_activities")]
        unknown = [p for p in parts if p not in workflows and p not in activity_workers]
        if unknown:
            raise TypeError(f"neither Workflow classes nor ActivityWorkers: {unknown!r}")
        decider = None
        if workflows or decision_task_lists:
            decider = self.decision_worker(
                *workflows, task_lists=decision_task_lists, threads=decision_threads
            )
            decider.graceful_shutdown_timeout = shutdown_timeout(graceful_shutdown_timeout)
        runner = None
        if activity_workers or activity_task_lists:
            runner = self.activity_worker(
                *activity_workers,
                task_lists=activity_task_lists,
                threads=activity_threads,
                auto_heartbeat=auto_heartbeat,
                create_missing=create_missing,
                max_concurrent_activities=max_concurrent_activities,
                max_activities_per_second=max_activities_per_second,
                max_task_list_activities_per_second=max_task_list_activities_per_second,
                graceful_shutdown_timeout=graceful_shutdown_timeout,
            )
        return Workers(decider, runner)

    def run_workers(self, *parts: Any, **options: Any) -> None:
        """Poll for ``parts`` until :meth:`stop`, SIGINT or SIGTERM; finish tasks in hand.

        Options as for :meth:`workers` (``decision_threads=1, activity_threads=4``...).
        """
        group = self.workers(*parts, **options)
        with self._lock:
            self._running.append(group)
        try:
            group.run()
        finally:
            with self._lock:
                self._running.remove(group)

    @contextmanager
    def running(self, *parts: Any, **options: Any) -> Iterator[Workers]:
        """Workers for ``parts`` in background threads for the ``with`` block (tests, demos).

        >>> with executor.running(Hello, Greeter()):                    # doctest: +SKIP
        ...     print(executor.run(Hello, "world"))
        """
        group = self.workers(*parts, **options)
        with self._lock:
            self._running.append(group)
        group.start()
        try:
            yield group
        finally:
            group.stop()
            group.join(timeout=90)
            with self._lock:
                self._running.remove(group)

    def stop(self) -> None:
        """Stop every worker group this executor runs (tasks in hand are finished)."""
        with self._lock:
            groups = list(self._running)
        for group in groups:
            group.stop()


def _instance(worker: Any) -> Any:
    if isinstance(worker, type):
        return worker()
    return worker


def _differences(
    kind: str, key: tuple[str, str], wanted: dict[str, Any], found: dict[str, Any]
) -> list[str]:
    """What differs between the defaults in the code and the registered ones."""
    config = found.get("configuration") or {}
    lines = []
    status = (found.get("typeInfo") or {}).get("status")
    if status == "DEPRECATED":
        lines.append(f"{kind} type {key[0]!r} version {key[1]!r} is deprecated in SWF")
    for name, value in wanted.items():
        if not name.startswith("default"):
            continue
        have = config.get(name)
        if have is None and value == "NONE":
            continue
        if have != value:
            lines.append(
                f"{kind} type {key[0]!r} version {key[1]!r}: registered {name} is {have!r} "
                f"but the code declares {value!r}; bump the version to change defaults"
            )
    return lines


def _check_read_timeout(client: SWFClient) -> None:
    """Warn when a client for Amazon SWF would cut its 60 s long polls short."""
    meta = getattr(client, "meta", None)
    read_timeout = getattr(getattr(meta, "config", None), "read_timeout", None)
    endpoint = str(getattr(meta, "endpoint_url", "") or "")
    if (
        "amazonaws." in endpoint
        and isinstance(read_timeout, (int, float))
        and read_timeout < LONG_POLL_READ_TIMEOUT
    ):
        warnings.warn(
            f"the SWF client's read timeout is {read_timeout} s but Amazon SWF's long polls last "
            f"up to {LONG_POLL_SECONDS} s; make the client with swfobjects.swf_client() or "
            f"Config(read_timeout={LONG_POLL_READ_TIMEOUT})",
            UserWarning,
            stacklevel=3,
        )
