"""The part of the executors' interface that does not depend on where workflows run."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Protocol, TypeVar, overload

from ..payloads._foreign import ForeignArguments
from ..payloads._payload import Payloads
from ..payloads.storage._offload import delete_payloads
from ..replay._outgoing import OutgoingCall, outgoing_headers
from ..swf.client import SWFClient
from ..swf.limits import MAX_TAGS
from ..worker._interceptors import Interceptor
from ..worker._manual import complete_activity, fail_activity, heartbeat_activity
from ..workflow._by_name import workflow_by_name
from ..workflow._classes import Workflow
from ..workflow._declarations import WorkflowType, check_name
from ..workflow._functions import WorkflowFunction
from ..workflow._options import timeout_value
from ..workflow._promise import Promise
from ..workflow._stubs import TypedStub
from ._handle import WorkflowHandle
from ._starting import start_params, start_request

__all__ = ["ExecutorBase"]

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class _RunsTo(Protocol[R_co]):
    """A workflow class whose entry method is ``async def run(...) -> R``.

    What lets every type checker see ``start(Hello, ...)`` as ``WorkflowHandle[R]`` without a
    plugin; an entry of another name gives ``WorkflowHandle[Any]``. The mypy plugin
    (``swfobjects.mypy_plugin``) finds the ``@decision_task`` whatever its name and checks
    the arguments too.
    """

    def run(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, R_co]: ...


class _EntryOf(Protocol[R]):
    """A generated workflow stub (``swfobjects stubgen``): its ``swf_entry`` is the entry
    method, whatever its name, returning ``Promise[R]``. Through the workflow's ``swf_stub``
    annotation, ``start``/``run`` read ``R`` from it in every type checker."""

    @property
    def swf_entry(self) -> Callable[..., Promise[R]]: ...


class ExecutorBase:
    """What every executor shares: ``start()``, ``run()``, ``delete_payloads()`` and the
    answers to manual-completion activities (``complete_activity()``...).

    An executor provides ``client`` (an :class:`~swfobjects.swf.SWFClient`), ``payloads``,
    ``domain``, a ``_wait(handle, timeout)`` that returns when the run has closed, and may
    prepare in ``_before_start``.
    """

    client: SWFClient
    payloads: Payloads
    domain: str
    interceptors: tuple[Interceptor, ...] = ()
    """Shown each ``start()`` (``outgoing_call``), and given to the executor's workers."""

    def _before_start(self, workflow_class: type | WorkflowFunction[..., Any]) -> None:
        """Hook run before ``StartWorkflowExecution`` (the SerialExecutor registers types)."""

    def _handle(
        self, workflow_id: str, run_id: str, workflow: WorkflowType | None
    ) -> WorkflowHandle[Any]:
        """A handle on this executor's client, payload store and way of waiting."""
        return WorkflowHandle(
            self.client, self.domain, workflow_id, run_id, workflow, self.payloads.store, self._wait
        )

    def _wait(self, handle: WorkflowHandle[Any], timeout: float | None) -> None:
        """Return once ``handle``'s run has closed (or raise why it cannot)."""
        raise NotImplementedError

    @overload
    def start(
        self,
        workflow_class: type[_RunsTo[R]],
        *args: Any,
        workflow_id: str | None = None,
        task_list: str | None = None,
        tags: Iterable[str] = (),
        execution_start_to_close_timeout: Any = None,
        task_start_to_close_timeout: Any = None,
        child_policy: str | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle[R]: ...
    @overload
    def start(
        self,
        workflow_class: type[TypedStub[_EntryOf[R]]],
        *args: Any,
        workflow_id: str | None = None,
        task_list: str | None = None,
        tags: Iterable[str] = (),
        execution_start_to_close_timeout: Any = None,
        task_start_to_close_timeout: Any = None,
        child_policy: str | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle[R]: ...
    @overload
    def start(
        self,
        workflow_class: WorkflowFunction[..., R],
        *args: Any,
        workflow_id: str | None = None,
        task_list: str | None = None,
        tags: Iterable[str] = (),
        execution_start_to_close_timeout: Any = None,
        task_start_to_close_timeout: Any = None,
        child_policy: str | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle[R]: ...
    @overload
    def start(
        self,
        workflow_class: type[Workflow],
        *args: Any,
        workflow_id: str | None = None,
        task_list: str | None = None,
        tags: Iterable[str] = (),
        execution_start_to_close_timeout: Any = None,
        task_start_to_close_timeout: Any = None,
        child_policy: str | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle[Any]: ...
    def start(
        self,
        workflow_class: type | WorkflowFunction[..., Any],
        *args: Any,
        workflow_id: str | None = None,
        task_list: str | None = None,
        tags: Iterable[str] = (),
        execution_start_to_close_timeout: Any = None,
        task_start_to_close_timeout: Any = None,
        child_policy: str | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle[Any]:
        """Start an execution of ``workflow_class`` and return its ``WorkflowHandle``.

        ``args``/``kwargs`` are the workflow's arguments, checked against its entry method and
        encoded by the payload layer before any call to SWF. The default workflow id is
        ``<type name>-<12 random hex digits>``.
        """
        self._before_start(workflow_class)
        workflow: WorkflowType = workflow_class._swf_workflow  # type: ignore[union-attr]
        workflow_id = workflow_id or f"{workflow.name}-{uuid.uuid4().hex[:12]}"
        params = start_params(
            workflow,
            self.payloads,
            self.domain,
            workflow_id,
            args,
            kwargs,
            task_list=task_list,
            tags=tags,
            child_policy=child_policy,
            execution_start_to_close_timeout=None
            if execution_start_to_close_timeout is None
            else timeout_value(execution_start_to_close_timeout),
            task_start_to_close_timeout=None
            if task_start_to_close_timeout is None
            else timeout_value(task_start_to_close_timeout),
            headers=outgoing_headers(
                self.interceptors,
                OutgoingCall("start_workflow", workflow.name, workflow.version, workflow_id),
            )
            if self.interceptors
            else None,
        )
        return self._handle(workflow_id, self._start_execution(params), workflow)

    def start_by_name(
        self,
        name: str,
        version: str,
        /,
        *args: Any,
        kwargs: dict[str, Any] | None = None,
        workflow_id: str | None = None,
        task_list: str | None = None,
        result_type: Any = Any,
        raw: bool = False,
        tags: Iterable[str] = (),
        child_policy: str | None = None,
        task_priority: int | None = None,
        **timeouts: Any,
    ) -> WorkflowHandle[Any]:
        """Start workflow type ``name``/``version`` known only by name (written elsewhere).

        As ``self.start_child(...)`` in a workflow: ``args`` go to SWF as a JSON array, or
        ``kwargs`` (a dict) as a JSON object, or with ``raw=True`` one ``str`` as it is; options
        left out use the defaults registered with the type. ``result_type`` decodes
        ``handle.result()`` (with ``raw=True`` it is the text SWF holds).
        """
        tags = list(tags)
        if len(tags) > MAX_TAGS:  # before any registration: start_request checks them again
            raise ValueError(f"SWF allows at most {MAX_TAGS} tags per execution")
        self._before_start_by_name()
        workflow = workflow_by_name(
            name,
            version,
            task_list=task_list,
            result_type=result_type,
            raw=raw,
            child_policy=child_policy,
            task_priority=task_priority,
            **timeouts,
        )
        codec = workflow.arguments
        assert isinstance(codec, ForeignArguments)  # noqa: S101 - built by workflow_by_name
        workflow_id = check_name(
            workflow_id or f"{workflow.name}-{uuid.uuid4().hex[:12]}", "workflow_id"
        )
        text = self.payloads.encode_data(
            codec.encode(codec.bind(args, kwargs or {})),
            f"input of workflow {name}",
            {"workflow_id": workflow_id, "run_id": ""},
        )
        params = start_request(workflow, self.domain, workflow_id, text, tags=tags)
        return self._handle(workflow_id, self._start_execution(params), workflow)

    def _before_start_by_name(self) -> None:
        """Hook run before a start by name (the SerialExecutor registers types)."""

    def _start_execution(self, params: dict[str, Any]) -> str:
        """Send ``StartWorkflowExecution`` and return the new run id (executors may make it
        safe to retry)."""
        return str(self.client.start_workflow_execution(**params)["runId"])

    @overload
    def run(self, workflow_class: type[_RunsTo[R]], *args: Any, **kwargs: Any) -> R: ...
    @overload
    def run(self, workflow_class: type[TypedStub[_EntryOf[R]]], *args: Any, **kwargs: Any) -> R: ...
    @overload
    def run(self, workflow_class: WorkflowFunction[..., R], *args: Any, **kwargs: Any) -> R: ...
    @overload
    def run(self, workflow_class: type[Workflow], *args: Any, **kwargs: Any) -> Any: ...
    def run(
        self, workflow_class: type | WorkflowFunction[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Start a workflow and wait for its result (or raise its failure).

        ``run(Hello, "x")`` is a ``str`` to type checkers for ``async def run(...) -> str``, as
        is ``run(hello, "x")`` for a workflow function ``async def hello(...) -> str``.
        """
        return self.start(workflow_class, *args, **kwargs).result()

    def complete_activity(self, token: str, result: Any = None) -> None:
        """Answer a manual-completion activity: its workflow gets ``result``.

        ``token`` is what the activity read from ``self.activity_task.task_token``, from any
        process; ``result`` is checked against the activity's declared result type (a
        ``SerializationError`` here, before SWF sees it). A token SWF no longer knows (the task
        timed out, or was answered) raises SWF's ``UnknownResourceFault``.

        >>> executor.complete_activity(token, True)          # doctest: +SKIP
        """
        complete_activity(self.client, self.payloads, token, result)

    def fail_activity(self, token: str, error: BaseException) -> None:
        """Answer a manual-completion activity with a failure: its workflow sees an
        ``ActivityTaskError`` for ``error``, as if the activity had raised it."""
        fail_activity(self.client, self.payloads, token, error)

    def heartbeat_activity(self, token: str, details: Any = None) -> bool:
        """Heartbeat a manual-completion activity (keeps a ``heartbeat_timeout`` from firing);
        True when its workflow asked to cancel it."""
        return heartbeat_activity(self.client, self.payloads, token, details)

    def delete_payloads(self, workflow_id: str, run_id: str = "") -> int:
        """Delete the out-of-band payloads of a closed run (all runs without ``run_id``)."""
        if self.payloads.store is None:
            return 0
        return delete_payloads(self.payloads.store, self.domain, workflow_id, run_id)  # type: ignore[arg-type]
