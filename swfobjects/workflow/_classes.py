"""The user-facing base classes, ``ActivityWorker`` and ``Workflow``, and their metaclass.

The metaclass reads class options (keywords, else an inner ``class Meta``, else inherited),
builds the immutable type description of every marked method, registers them, and lets
``Cls.client()`` build stubs from them.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import random as random_module
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar, overload

from ..exceptions import DeclarationError, SignalError
from ..payloads._codecs import ArgumentsCodec, encode_any
from ..payloads._payload import Payloads
from ..swf.limits import MAX_HISTORY_EVENTS
from ._by_name import ForeignCode, call_activity, start_child
from ._context import ActivityInfo, TimeoutScope, current_activity, current_runtime
from ._declarations import (
    REGISTRY,
    ActivityType,
    WorkflowType,
    build_activity_type,
    build_workflow_type,
)
from ._logging import ActivityLogger, WorkflowLogger
from ._options import Timeout
from ._promise import Promise
from ._state import StateMethod, state_method
from ._stubs import ActivityCalls, ActivityClient, TypedStub, WorkflowCalls, WorkflowClient

__all__ = ["ActivityWorker", "Workflow", "SwfMeta", "encode_signal_input"]

Self = TypeVar("Self")
ActivityStub = TypeVar("ActivityStub", bound=ActivityCalls[Any])
WorkflowStub = TypeVar("WorkflowStub", bound=WorkflowCalls[Any])


def encode_signal_input(
    payloads: Payloads, name: str, args: Any, kwargs: Any, workflow_class: type | None
) -> str | None:
    """The input of signal ``name``: encoded for the target's handler when its class is known."""
    if workflow_class is ForeignCode:  # started by name: its handlers are unknown here
        workflow_class = None
    handlers = getattr(workflow_class, "_swf_signals", None) or {}
    handler = handlers.get(name)
    if workflow_class is not None and handler is None:
        raise SignalError(f"{workflow_class.__qualname__} has no @signal handler named {name!r}")
    if handler is not None:
        _method_name, arguments = handler
        signature = arguments.signature
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"signal {name}(): {exc}") from None
        return payloads.encode_data(arguments.encode(bound.arguments), f"input of signal {name}")
    if args:
        raise TypeError(
            f"signal {name!r}: pass keyword arguments, or give workflow_class so positional "
            "arguments can be matched to the handler's parameters"
        )
    return payloads.encode_data(encode_any(kwargs), f"input of signal {name}")


_CLASS_OPTIONS = frozenset(
    {
        "name",
        "version",
        "task_list",
        "schedule_to_start_timeout",
        "schedule_to_close_timeout",
        "start_to_close_timeout",
        "heartbeat_timeout",
        "execution_start_to_close_timeout",
        "task_start_to_close_timeout",
        "child_policy",
        "task_priority",
        "retry",
        "data_store",
        "input_data_store",
        "result_data_store",
    }
)


def _class_options(
    name: str, bases: tuple[type, ...], namespace: Mapping[str, Any], keywords: Mapping[str, Any]
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for base in reversed(bases):
        inherited = dict(getattr(base, "_swf_options", {}))
        inherited.pop("name", None)  # a type name is never inherited
        options.update(inherited)
    meta = namespace.get("Meta")
    if meta is not None:
        options.update({k: v for k, v in vars(meta).items() if not k.startswith("_")})
    options.update(keywords)
    unknown = set(options) - _CLASS_OPTIONS
    if unknown:
        raise DeclarationError(
            f"class {name}: unknown option(s) {sorted(unknown)}; known: {sorted(_CLASS_OPTIONS)}"
        )
    return options


class SwfMeta(type):
    """Metaclass of :class:`ActivityWorker` and :class:`Workflow`."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **keywords: Any
    ) -> SwfMeta:
        options = _class_options(name, bases, namespace, keywords)
        cls = super().__new__(mcls, name, bases, namespace)
        cls._swf_options = options  # type: ignore[attr-defined]
        if namespace.get("_swf_base"):
            return cls
        if any(
            isinstance(b, SwfMeta) and getattr(b, "_swf_kind", "") == "activity"
            for b in cls.__mro__[1:]
        ):
            _finish_activity_worker(cls, options)
        else:
            _finish_workflow(cls, options)
        return cls

    def __init__(
        cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **keywords: Any
    ) -> None:
        super().__init__(name, bases, namespace)


def _marked(cls: type, attribute: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for key, value in vars(klass).items():
            if callable(value) and hasattr(value, attribute):
                found[key] = value
            elif key in found and not hasattr(value, attribute):
                del found[key]
    return found


def _refuse_marked(cls: Any, attribute: str, decorator: str, advice: str) -> None:
    """No decorator is silently ignored: one that cannot work in ``cls`` is an error."""
    misplaced = sorted(_marked(cls, attribute))
    if misplaced:
        raise DeclarationError(
            f"{cls.__qualname__}.{misplaced[0]}: {decorator} does nothing in "
            f"{'a Workflow' if cls._swf_kind == 'workflow' else 'an ActivityWorker'}; {advice}"
        )


def _finish_activity_worker(cls: Any, options: Mapping[str, Any]) -> None:
    _refuse_marked(
        cls,
        "__swf_decision__",
        "@decision_task",
        "a workflow's entry method belongs in a Workflow subclass",
    )
    _refuse_marked(
        cls, "__swf_signal__", "@signal", "signal handlers belong in a Workflow subclass"
    )
    _refuse_marked(cls, "__swf_state__", "@state", "readable state belongs to a Workflow")
    activities = {}
    for method_name, function in _marked(cls, "__swf_activity__").items():
        activity = build_activity_type(cls, method_name, function, options)
        activities[method_name] = activity
        REGISTRY.add_activity(activity)
    cls._swf_activities = activities


def _finish_workflow(cls: Any, options: Mapping[str, Any]) -> None:
    _refuse_marked(
        cls,
        "__swf_activity__",
        "@activity_task",
        "calling it here would run it inline in the decider, on every replay; move it to an "
        "ActivityWorker subclass (or a module-level function) and call it from the workflow",
    )
    marked = _marked(cls, "__swf_decision__")
    if len(marked) != 1:
        names = ", ".join(sorted(marked)) or "none"
        raise DeclarationError(
            f"workflow {cls.__qualname__} needs exactly one @decision_task async method "
            f"(found: {names})"
        )
    ((method_name, function),) = marked.items()
    workflow = build_workflow_type(cls, method_name, function, options)
    cls._swf_workflow = workflow
    cls._swf_signals = _signal_handlers(cls)
    cls._swf_state = state_method(cls, _marked(cls, "__swf_state__"))
    REGISTRY.add_workflow(workflow)


def _signal_handlers(cls: Any) -> dict[str, tuple[str, ArgumentsCodec]]:
    handlers: dict[str, tuple[str, ArgumentsCodec]] = {}
    for method_name, function in _marked(cls, "__swf_signal__").items():
        signature = inspect.signature(function)
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        hints = typing.get_type_hints(function, include_extras=True)
        name = function.__swf_signal__
        if name in handlers:
            raise DeclarationError(f"{cls.__qualname__}: two @signal handlers named {name!r}")
        handlers[name] = (method_name, ArgumentsCodec(signature, hints, f"signal {name}"))
    return handlers


class ActivityWorker(metaclass=SwfMeta):
    """Base class for activity implementations.

    Subclass it, mark methods with ``@activity_task``; class keywords (or an inner ``Meta``)
    give defaults for every method: ``task_list``, ``version``, the four timeouts, ``retry``.

    >>> class Greeter(ActivityWorker, task_list="greetings", version="1.0"):  # doctest: +SKIP
    ...     @activity_task
    ...     def greet(self, name: str) -> str:
    ...         return f"Hello, {name}!"
    >>> Greeter.client().greet("world")    # inside a workflow: Promise[str]  # doctest: +SKIP
    """

    _swf_base = True
    _swf_kind = "activity"
    _swf_activities: dict[str, ActivityType] = {}
    _swf_options: dict[str, Any] = {}

    @classmethod
    def activity_types(cls) -> list[ActivityType]:
        """The activity types this class declares."""
        return list(cls._swf_activities.values())

    @overload
    @classmethod
    def client(
        cls: type[TypedStub[ActivityStub]], **overrides: Any
    ) -> ActivityStub: ...  # pragma: no cover
    @overload
    @classmethod
    def client(cls: type[Self], **overrides: Any) -> ActivityClient[Self]: ...  # pragma: no cover
    @classmethod
    def client(cls, **overrides: Any) -> ActivityCalls[Any]:
        """A stub to call this worker's activities from a workflow.

        ``overrides``: task_list, schedule_to_start_timeout, schedule_to_close_timeout,
        start_to_close_timeout, heartbeat_timeout, task_priority, retry.
        """
        return ActivityClient(cls, cls._swf_activities, overrides)

    def heartbeat(self, details: Any = None) -> bool:
        """Report progress (``RecordActivityTaskHeartbeat``); True if cancellation was asked."""
        task = current_activity("heartbeat()")
        return task.heartbeat(details)

    @property
    def activity_task(self) -> ActivityInfo:
        """The running task's info (activity id, workflow execution, attempt...)."""
        return current_activity("activity_task").info

    @property
    def log(self) -> logging.LoggerAdapter:  # type: ignore[type-arg]
        """A logger (named for this class's module) whose records carry ``activity_id``,
        ``activity_type``, ``attempt``, ``workflow_id`` and ``run_id`` in ``extra``."""
        return _activity_logger(type(self).__module__)


class Workflow(metaclass=SwfMeta):
    """Base class for workflows: one ``@decision_task`` ``async def`` entry method.

    Workflow code runs again on every decision (replay), so it must be deterministic: use
    ``self.now()`` for time and await stubs, timers and promises only.
    """

    _swf_base = True
    _swf_kind = "workflow"
    _swf_workflow: WorkflowType
    _swf_options: dict[str, Any] = {}
    _swf_state: StateMethod | None = None

    @classmethod
    def workflow_type(cls) -> WorkflowType:
        """This class's workflow type."""
        return cls._swf_workflow

    @overload
    @classmethod
    def client(
        cls: type[TypedStub[WorkflowStub]], **overrides: Any
    ) -> WorkflowStub: ...  # pragma: no cover
    @overload
    @classmethod
    def client(cls: type[Self], **overrides: Any) -> WorkflowClient[Self]: ...  # pragma: no cover
    @classmethod
    def client(cls, **overrides: Any) -> WorkflowCalls[Any]:
        """A stub to start this workflow as a child of another workflow."""
        workflow: WorkflowType = cls._swf_workflow
        return WorkflowClient(cls, {workflow.method_name: workflow}, overrides)

    def timer(self, seconds: Timeout) -> Promise[None]:
        """A durable timer: a promise settled ``seconds`` (or a ``timedelta``) from now."""
        return current_runtime("timer()").start_timer(seconds)

    def now(self) -> dt.datetime:
        """The time of the decision in progress (event time: replay-safe), timezone-aware UTC."""
        return current_runtime("now()").now()

    @property
    def workflow_id(self) -> str:
        """This execution's workflow id."""
        return current_runtime("workflow_id").workflow_id

    def random(self) -> random_module.Random:
        """A ``random.Random`` seeded by this run: the same numbers on every replay."""
        return current_runtime("random()").random()

    def uuid4(self) -> uuid.UUID:
        """A random-looking UUID that replays identically (drawn from ``self.random()``)."""
        return uuid.UUID(int=self.random().getrandbits(128), version=4)

    def wait_for(self, predicate: Callable[[], bool]) -> Promise[None]:
        """A promise settled when ``predicate()`` (over workflow state) becomes true."""
        return current_runtime("wait_for()").wait_for(predicate)

    def timeout(self, seconds: float | dt.timedelta) -> TimeoutScope:
        """``async with self.timeout(60):`` cancels the body after 60 s (``TimeoutError``)."""
        return current_runtime("timeout()").timeout(seconds)

    def continue_as_new(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Close this run and start a new one (same workflow id) with these arguments."""
        current_runtime("continue_as_new()").continue_as_new(args, kwargs)

    @property
    def history_length(self) -> int:
        """Events in this run's history so far (SWF stops an execution at 25,000)."""
        return current_runtime("history_length").history_length

    def should_continue_as_new(self, fraction: float = 0.8) -> bool:
        """True once the history passed ``fraction`` of SWF's 25,000-event limit."""
        return self.history_length >= fraction * MAX_HISTORY_EVENTS

    def patched(self, change_id: str) -> bool:
        """True for executions that take the new code path of ``change_id``.

        New executions get True (a marker is recorded); executions whose history predates
        the change replay with False, so deployed code can change without breaking them.
        """
        return current_runtime("patched()").patched(change_id)

    @property
    def cancel_requested(self) -> bool:
        """True once someone asked to cancel this execution."""
        return current_runtime("cancel_requested").cancel_requested

    @property
    def unhandled_signals(self) -> list[tuple[str, str | None]]:
        """Signals with no ``@signal`` handler, as (name, raw input): kept, not dropped."""
        return current_runtime("unhandled_signals").unhandled_signals

    @property
    def signal_errors(self) -> list[SignalError]:
        """Signals whose input could not be decoded (also logged)."""
        return current_runtime("signal_errors").signal_errors

    def signal_external(
        self,
        workflow_id: str,
        name: str,
        *args: Any,
        run_id: str | None = None,
        workflow_class: type | None = None,
        **kwargs: Any,
    ) -> Promise[None]:
        """Signal another execution; ``workflow_class`` encodes arguments as its handler wants."""
        runtime = current_runtime("signal_external()")
        text = encode_signal_input(runtime.payloads, name, args, kwargs, workflow_class)
        return runtime.signal_external(workflow_id, name, text, run_id)

    @property
    def run_id(self) -> str:
        """This execution's run id."""
        return current_runtime("run_id").run_id

    call_activity = staticmethod(call_activity)
    """``self.call_activity("ProcessOrder", "2.0", *args, task_list=..., result_type=...)``:
    call an activity by SWF name and version (code in another language or codebase); a
    promise like a stub's. See :func:`swfobjects.workflow.call_activity`."""

    start_child = staticmethod(start_child)
    """``self.start_child("OrderFlow", "3", *args, ...)``: start a child workflow by SWF name
    and version; a promise of its result. See :func:`swfobjects.workflow.start_child`."""

    @property
    def log(self) -> logging.LoggerAdapter:  # type: ignore[type-arg]
        """A replay-safe logger (named for this class's module): silent while the decider
        replays history, so each message is written once, by the decision that ran it; records
        carry ``workflow_id``, ``run_id``, ``workflow_type`` and ``event_id`` in ``extra``."""
        return _workflow_logger(type(self).__module__)

    @property
    def is_replaying(self) -> bool:
        """True while this code re-runs a decision already recorded in history.

        Rarely needed (``self.log`` already checks it): side effects belong in activities,
        and branching on it makes the workflow non-deterministic.
        """
        return current_runtime("is_replaying").is_replaying


@functools.cache
def _workflow_logger(name: str) -> WorkflowLogger:
    return WorkflowLogger(logging.getLogger(name))


@functools.cache
def _activity_logger(name: str) -> ActivityLogger:
    return ActivityLogger(logging.getLogger(name))
