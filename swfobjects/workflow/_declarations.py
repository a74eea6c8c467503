"""Declarations: decorators, type descriptions and the registry of known types.

``@activity_task`` and ``@decision_task`` only record options on the function; the metaclasses
in ``_classes`` turn a class and its marked methods into immutable :class:`ActivityType` /
:class:`WorkflowType` descriptions. No I/O happens here.
"""

from __future__ import annotations

import inspect
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from marshmallow import Schema

from ..exceptions import DeclarationError
from ..payloads._codecs import ArgumentsCodec, Codec, codec_for
from ..swf.limits import MAX_NAME, MAX_VERSION
from ..swf.names import name_problem
from ._options import CHILD_POLICIES, RetryPolicy, Timeout, timeout_value

__all__ = [
    "activity_task",
    "decision_task",
    "ActivityTaskOptions",
    "DecisionTaskOptions",
    "ActivityType",
    "WorkflowType",
    "REGISTRY",
    "Registry",
    "result_codec",
    "check_name",
    "is_method",
]

F = TypeVar("F", bound=Callable[..., Any])

_UNSET: Any = object()
"""Marks an option the user did not give (``None`` means "no timeout")."""


def _given(value: Any) -> bool:
    return value is not _UNSET


@dataclass(frozen=True)
class ActivityTaskOptions:
    """What ``@activity_task(...)`` recorded; unset options come from the class or defaults."""

    name: str | None = None
    version: str | None = None
    task_list: str | None = None
    schedule_to_start_timeout: Timeout = _UNSET
    schedule_to_close_timeout: Timeout = _UNSET
    start_to_close_timeout: Timeout = _UNSET
    heartbeat_timeout: Timeout = _UNSET
    task_priority: int | None = None
    retry: RetryPolicy | None = None
    serializer: Any = None
    description: str | None = None
    data_store: Any = None
    input_data_store: Any = None
    result_data_store: Any = None
    manual_completion: bool = False


@dataclass(frozen=True)
class DecisionTaskOptions:
    """What ``@decision_task(...)`` recorded."""

    name: str | None = None
    version: str | None = None
    task_list: str | None = None
    execution_start_to_close_timeout: Timeout = _UNSET
    task_start_to_close_timeout: Timeout = _UNSET
    child_policy: str | None = None
    task_priority: int | None = None
    serializer: Any = None
    description: str | None = None
    data_store: Any = None
    input_data_store: Any = None
    result_data_store: Any = None


@overload
def activity_task(fn: F) -> F: ...
@overload
def activity_task(
    fn: None = None,
    *,
    name: str | None = None,
    version: str | None = None,
    task_list: str | None = None,
    schedule_to_start_timeout: Timeout = _UNSET,
    schedule_to_close_timeout: Timeout = _UNSET,
    start_to_close_timeout: Timeout = _UNSET,
    heartbeat_timeout: Timeout = _UNSET,
    task_priority: int | None = None,
    retry: RetryPolicy | None = None,
    serializer: Any = None,
    description: str | None = None,
    data_store: Any = None,
    input_data_store: Any = None,
    result_data_store: Any = None,
    manual_completion: bool = False,
) -> Callable[[F], F]: ...
def activity_task(fn: Any = None, **options: Any) -> Any:
    """Mark a method of an :class:`ActivityWorker` subclass as an SWF activity.

    The public ``activity_task`` (``swfobjects.workflow._functions``) calls this for methods
    and builds an activity of its own for plain functions.

    Usable bare (``@activity_task``) or with options; timeouts are seconds, ``timedelta`` or
    ``None`` for no timeout. ``retry`` is the default :class:`RetryPolicy` for every call;
    ``serializer`` is a marshmallow ``Schema`` (class or instance) for the result.
    ``manual_completion=True``: the method hands ``self.activity_task.task_token`` to someone
    else and returns without answering; ``executor.complete_activity(token, result)`` answers
    later (its return annotation is the result type that call must give).

    >>> class Greeter(ActivityWorker, task_list="greetings"):      # doctest: +SKIP
    ...     @activity_task(start_to_close_timeout=30)
    ...     def greet(self, name: str) -> str:
    ...         return f"Hello, {name}!"
    """
    opts = ActivityTaskOptions(**options)
    if not isinstance(opts.manual_completion, bool):
        raise DeclarationError(
            f"@activity_task(manual_completion=...) takes True or False, not "
            f"{opts.manual_completion!r}"
        )

    def mark(function: F) -> F:
        if inspect.iscoroutinefunction(function):
            raise DeclarationError(
                f"@activity_task {function.__qualname__} must be a plain (sync) function: "
                "activities run in worker threads; only workflows are async"
            )
        function.__swf_activity__ = opts  # type: ignore[attr-defined]
        return function

    return mark(fn) if fn is not None else mark


@overload
def decision_task(fn: F) -> F: ...
@overload
def decision_task(
    fn: None = None,
    *,
    name: str | None = None,
    version: str | None = None,
    task_list: str | None = None,
    execution_start_to_close_timeout: Timeout = _UNSET,
    task_start_to_close_timeout: Timeout = _UNSET,
    child_policy: str | None = None,
    task_priority: int | None = None,
    serializer: Any = None,
    description: str | None = None,
    data_store: Any = None,
    input_data_store: Any = None,
    result_data_store: Any = None,
) -> Callable[[F], F]: ...
def decision_task(fn: Any = None, **options: Any) -> Any:
    """Mark the ``async def`` entry method of a :class:`Workflow` subclass (the public
    ``decision_task`` in ``_functions`` calls this for methods).

    Exactly one per workflow class. Its arguments are the workflow input, its return value the
    workflow result.
    """
    opts = DecisionTaskOptions(**options)
    if opts.child_policy is not None and opts.child_policy not in CHILD_POLICIES:
        raise DeclarationError(f"child_policy must be one of {CHILD_POLICIES}")

    def mark(function: F) -> F:
        if not inspect.iscoroutinefunction(function):
            raise DeclarationError(
                f"@decision_task {function.__qualname__} must be an `async def` method"
            )
        function.__swf_decision__ = opts  # type: ignore[attr-defined]
        return function

    return mark(fn) if fn is not None else mark


def is_method(function: Any) -> bool:
    """True for a function defined in a class body (its ``__qualname__`` says so), or one
    whose first parameter is ``self`` (written to be put in a class).

    ``Payments.charge`` is a method; ``charge`` and ``test_x.<locals>.charge`` are functions.
    A bound method (``client.charge``) is a function here: it is called without ``self``.
    """
    if not inspect.isfunction(function):
        return False
    parts = function.__qualname__.split(".")
    if len(parts) > 1 and parts[-2] != "<locals>":
        return True
    code = function.__code__
    return code.co_argcount > 0 and code.co_varnames[0] == "self"  # to be put in a class


def check_name(value: str, what: str, limit: int = MAX_NAME) -> str:
    """Validate an SWF name (type names, task lists, ids) and return it."""
    if not isinstance(value, str) or not value:
        raise DeclarationError(f"{what} must be a non-empty string, got {value!r}")
    if len(value) > limit:
        raise DeclarationError(f"{what} is {len(value)} characters; SWF allows {limit}")
    problem = name_problem(value)
    if problem is not None:
        raise DeclarationError(
            f"{what} {value!r} {problem}: SWF refuses names with ':', '/', '|' or control "
            "characters, with whitespace at either end, or the literal 'arn'"
        )
    return value


def result_codec(hint: Any, serializer: Any) -> Codec:
    """The codec for a method's result: its ``serializer`` option, else its return hint."""
    if serializer is None:
        return codec_for(hint)
    if isinstance(serializer, type) and issubclass(serializer, Schema):
        return codec_for(
            typing.Annotated[hint if hint is not inspect.Parameter.empty else Any, serializer]
        )
    if isinstance(serializer, Schema):
        return Codec(typing.Annotated[Any, serializer])
    if hasattr(serializer, "encode") and hasattr(serializer, "decode"):
        return serializer  # type: ignore[no-any-return]
    raise DeclarationError(
        f"serializer must be a marshmallow Schema (class or instance) or a codec with "
        f"encode/decode, got {serializer!r}"
    )


def _method_signature(function: Callable[..., Any]) -> tuple[inspect.Signature, dict[str, Any]]:
    signature = inspect.signature(function)
    params = list(signature.parameters.values())[1:]  # drop self
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception as exc:  # noqa: BLE001 - unresolved forward references
        raise DeclarationError(
            f"cannot resolve the type hints of {function.__qualname__}: {exc}"
        ) from None
    return signature.replace(parameters=params), hints


@dataclass(frozen=True)
class ActivityType:
    """Everything known about one activity type, fixed at class creation.

    ``name``/``version`` identify it in SWF; the timeouts are SWF strings (``"NONE"`` for none).
    """

    name: str
    version: str
    task_list: str
    schedule_to_start_timeout: str
    schedule_to_close_timeout: str
    start_to_close_timeout: str
    heartbeat_timeout: str
    task_priority: str | None
    retry: RetryPolicy
    description: str | None
    worker_class: type
    method_name: str
    signature: inspect.Signature = field(compare=False, repr=False)
    arguments: ArgumentsCodec = field(compare=False, repr=False)
    result: Codec = field(compare=False, repr=False)
    input_store: Any = field(default=None, compare=False, repr=False)
    result_store: Any = field(default=None, compare=False, repr=False)
    manual_completion: bool = False
    """The method returns without answering; ``executor.complete_activity`` answers later."""

    @property
    def key(self) -> tuple[str, str]:
        """``(name, version)``: the SWF identity of the type."""
        return (self.name, self.version)


@dataclass(frozen=True)
class WorkflowType:
    """Everything known about one workflow type, fixed at class creation."""

    name: str
    version: str
    task_list: str
    execution_start_to_close_timeout: str
    task_start_to_close_timeout: str
    child_policy: str
    task_priority: str | None
    description: str | None
    workflow_class: type
    method_name: str
    signature: inspect.Signature = field(compare=False, repr=False)
    arguments: ArgumentsCodec = field(compare=False, repr=False)
    result: Codec = field(compare=False, repr=False)
    input_store: Any = field(default=None, compare=False, repr=False)
    result_store: Any = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """``(name, version)``: the SWF identity of the type."""
        return (self.name, self.version)


DEFAULT_ACTIVITY_TIMEOUTS = {
    "schedule_to_start_timeout": None,
    "schedule_to_close_timeout": None,
    "start_to_close_timeout": 300,
    "heartbeat_timeout": None,
}
DEFAULT_WORKFLOW_TIMEOUTS = {
    "execution_start_to_close_timeout": 365 * 24 * 3600,
    "task_start_to_close_timeout": 60,
}


def _stores(opts: Any, class_opts: Mapping[str, Any]) -> dict[str, Any]:
    """Payload-layer adapters for the stores declared for inputs and results (or None).

    Method options win over class options; ``input_data_store``/``result_data_store`` win
    over ``data_store``.
    """
    from ..payloads.storage._offload import declare_store

    out = {}
    for kind in ("input", "result"):
        store = (
            getattr(opts, f"{kind}_data_store")
            or opts.data_store
            or class_opts.get(f"{kind}_data_store")
            or class_opts.get("data_store")
        )
        out[f"{kind}_store"] = declare_store(store) if store is not None else None
    return out


def _pick(name: str, method_opts: Any, class_opts: Mapping[str, Any], default: Any) -> Any:
    value = getattr(method_opts, name)
    if value is not None and _given(value):
        return value
    if value is None and name.endswith("timeout"):
        return None
    if name in class_opts:
        return class_opts[name]
    return default


def build_activity_type(
    cls: type, method_name: str, function: Callable[..., Any], class_opts: Mapping[str, Any]
) -> ActivityType:
    """The :class:`ActivityType` for one ``@activity_task`` method of ``cls``."""
    opts: ActivityTaskOptions = function.__swf_activity__  # type: ignore[attr-defined]
    name = check_name(opts.name or f"{cls.__name__}.{method_name}", "activity name")
    version = check_name(
        str(opts.version or class_opts.get("version", "1.0")), "version", MAX_VERSION
    )
    task_list = check_name(
        opts.task_list or class_opts.get("task_list") or cls.__name__, "task list"
    )
    timeouts = {
        key: timeout_value(_pick(key, opts, class_opts, default), f"{name} {key}")
        for key, default in DEFAULT_ACTIVITY_TIMEOUTS.items()
    }
    retry = opts.retry or class_opts.get("retry") or RetryPolicy(max_attempts=1)
    if not isinstance(retry, RetryPolicy):
        raise DeclarationError(f"{name}: retry must be a RetryPolicy, got {retry!r}")
    priority = (
        opts.task_priority if opts.task_priority is not None else class_opts.get("task_priority")
    )
    signature, hints = _method_signature(function)
    return ActivityType(
        name=name,
        version=version,
        task_list=task_list,
        task_priority=None if priority is None else str(priority),
        retry=retry,
        description=opts.description or inspect.getdoc(function),
        worker_class=cls,
        method_name=method_name,
        signature=signature,
        arguments=ArgumentsCodec(signature, hints, f"activity {name}"),
        result=result_codec(hints.get("return", Any), opts.serializer),
        **timeouts,
        **_stores(opts, class_opts),
        manual_completion=opts.manual_completion,
    )


def build_workflow_type(
    cls: type, method_name: str, function: Callable[..., Any], class_opts: Mapping[str, Any]
) -> WorkflowType:
    """The :class:`WorkflowType` for the ``@decision_task`` method of ``cls``."""
    opts: DecisionTaskOptions = function.__swf_decision__  # type: ignore[attr-defined]
    name = check_name(opts.name or class_opts.get("name") or cls.__name__, "workflow name")
    version = check_name(
        str(opts.version or class_opts.get("version", "1.0")), "version", MAX_VERSION
    )
    task_list = check_name(
        opts.task_list or class_opts.get("task_list") or cls.__name__, "task list"
    )
    timeouts = {
        key: timeout_value(_pick(key, opts, class_opts, default), f"{name} {key}")
        for key, default in DEFAULT_WORKFLOW_TIMEOUTS.items()
    }
    child_policy = opts.child_policy or class_opts.get("child_policy") or "TERMINATE"
    if child_policy not in CHILD_POLICIES:
        raise DeclarationError(f"{name}: child_policy must be one of {CHILD_POLICIES}")
    priority = (
        opts.task_priority if opts.task_priority is not None else class_opts.get("task_priority")
    )
    signature, hints = _method_signature(function)
    return WorkflowType(
        name=name,
        version=version,
        task_list=task_list,
        child_policy=child_policy,
        task_priority=None if priority is None else str(priority),
        description=opts.description or inspect.getdoc(function),
        workflow_class=cls,
        method_name=method_name,
        signature=signature,
        arguments=ArgumentsCodec(signature, hints, f"workflow {name}"),
        result=result_codec(hints.get("return", Any), opts.serializer),
        **timeouts,
        **_stores(opts, class_opts),
    )


class Registry:
    """Every activity and workflow type defined in this process, by ``(name, version)``.

    Executors use it to find the code for a type named in an SWF task. A later definition of
    the same type replaces an earlier one (re-imports, notebooks); a clash between different
    modules warns.
    """

    def __init__(self) -> None:
        self.activities: dict[tuple[str, str], ActivityType] = {}
        self.workflows: dict[tuple[str, str], WorkflowType] = {}

    def _add(self, table: dict[tuple[str, str], Any], item: Any, owner: type) -> None:
        old = table.get(item.key)
        if old is not None:
            old_owner = getattr(old, "worker_class", None) or old.workflow_class
            if (old_owner.__module__, old_owner.__qualname__) != (
                owner.__module__,
                owner.__qualname__,
            ):
                warnings.warn(
                    f"SWF type {item.key[0]!r} version {item.key[1]!r} is defined by both "
                    f"{old_owner.__module__}.{old_owner.__qualname__} and "
                    f"{owner.__module__}.{owner.__qualname__}; the later one wins",
                    stacklevel=4,
                )
        table[item.key] = item

    def add_activity(self, activity: ActivityType) -> None:
        """Record an activity type."""
        self._add(self.activities, activity, activity.worker_class)

    def add_workflow(self, workflow: WorkflowType) -> None:
        """Record a workflow type."""
        self._add(self.workflows, workflow, workflow.workflow_class)


REGISTRY = Registry()
"""The process-wide registry filled by the metaclasses."""
