"""Plain functions as activities and workflows: what ``@activity_task`` / ``@decision_task`` make
of a function that is not a method.

The decorators take methods of :class:`ActivityWorker` / :class:`Workflow` subclasses (marked
here and described by the metaclass), and module-level functions, including ones you cannot
edit: ``charge = activity_task(task_list="payments")(vendor.charge)``. A function becomes a
one-method class built for it (``ActivityFunction`` / ``WorkflowFunction``), so registries,
workers, executors and stubs treat it exactly like a class, and the decorated name is an
instance of that class:

* called from workflow code, an activity function schedules the activity and returns a
  :class:`Promise` (like a stub method); a workflow function starts a child workflow;
* called anywhere else it is the plain function, so existing callers keep working;
* ``.func`` is the plain function, ``.with_options(...)`` gives per-call-site options (as
  ``Worker.client(...)`` does), and the object goes wherever a worker or a workflow class does:
  ``SerialExecutor(workers=[charge])``, ``executor.register(checkout, charge)``,
  ``executor.run_workers(checkout, charge)``, ``SerialExecutor().run(checkout, order)``.

What type checkers see: a decorated function is ``ActivityFunction[P, R]`` whose call returns
``Promise[R]`` (the workflow view, where the result matters; outside a workflow use ``.func``
for a call typed ``R``), and a workflow function is ``WorkflowFunction[P, R]``, whose call
returns ``Promise[R]`` too. A decorated method keeps its own type. The overloads tell the two
apart by the first parameter: a callable whose first parameter is an ``ActivityWorker`` (or
``Workflow``) is a method. Checkers cannot see the difference between "in a workflow" and
"elsewhere" at a call, hence ``.func``.

A function's type is named ``module.function`` (``name=`` to choose), its task list defaults
to that name, its version to ``"1.0"``. Run as a script, the module is ``__main__``: give
``name=`` when workers run the same function imported under its module name.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from ..exceptions import DeclarationError
from . import _declarations
from ._classes import ActivityWorker, SwfMeta, Workflow
from ._context import runtime_var
from ._declarations import (
    ActivityTaskOptions,
    ActivityType,
    DecisionTaskOptions,
    is_method,
)
from ._options import RetryPolicy, Timeout
from ._promise import Promise
from ._stubs import ActivityClient, WorkflowClient

__all__ = [
    "ActivityFunction",
    "WorkflowFunction",
    "activity_task",
    "decision_task",
    "is_method",
]

P = ParamSpec("P")
Q = ParamSpec("Q")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])
W = TypeVar("W", bound=ActivityWorker)
V = TypeVar("V", bound=Workflow)

_UNSET: Any = _declarations._UNSET


def _function_name(function: Any, given: str | None, decorator: str) -> str:
    if given:
        return given
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not module or not qualname:
        raise DeclarationError(
            f"{decorator} cannot name {function!r} (it has no __module__/__qualname__); "
            "give name=..."
        )
    return f"{module}.{qualname}"


def _as_method(function: Callable[..., Any], body: Callable[..., Any]) -> Any:
    """``body`` dressed as a method of the built class: ``function``'s signature after ``self``,
    its hints (through ``__wrapped__``), name and docstring."""
    signature = inspect.signature(function)
    method: Any = functools.wraps(function)(body)
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = signature.replace(
        parameters=[self_param, *signature.parameters.values()]
    )
    return method


class ActivityFunction(ActivityWorker, Generic[P, R]):
    """A plain function made an activity by ``@activity_task(...)``.

    Calling it inside a workflow schedules the activity (arguments checked at once) and returns
    a :class:`Promise` of its result; calling it anywhere else runs the function.

    >>> @activity_task(task_list="math", start_to_close_timeout=30)  # doctest: +SKIP
    ... def add(a: int, b: int) -> int:
    ...     return a + b
    >>> add(1, 2)                         # outside a workflow: the function  # doctest: +SKIP
    3
    """

    _swf_base = True
    _swf_function: Callable[..., Any]
    _swf_activity: ActivityType

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        cls = type(self)
        self._overrides = dict(overrides or {})
        self._client = ActivityClient(cls, cls._swf_activities, self._overrides)

    @property
    def func(self) -> Callable[P, R]:
        """The plain function (typed as such: a call returns ``R``)."""
        return type(self)._swf_function

    @property
    def activity_type(self) -> ActivityType:
        """The activity type this function declares."""
        return type(self)._swf_activity

    def with_options(
        self,
        *,
        task_list: str = _UNSET,
        schedule_to_start_timeout: Timeout = _UNSET,
        schedule_to_close_timeout: Timeout = _UNSET,
        start_to_close_timeout: Timeout = _UNSET,
        heartbeat_timeout: Timeout = _UNSET,
        task_priority: int | None = _UNSET,
        retry: RetryPolicy = _UNSET,
    ) -> ActivityFunction[P, R]:
        """This activity with other options for calls through the copy (not registered ones)."""
        given = {key: value for key, value in locals().items() if value is not _UNSET}
        given.pop("self")
        return type(self)({**self._overrides, **given})

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Promise[R]:
        if runtime_var.get() is None:
            return cast(Promise[R], type(self)._swf_function(*args, **kwargs))
        return self._client._invoke(self.activity_type, args, kwargs)

    def __repr__(self) -> str:
        activity = self.activity_type
        return f"<activity function {activity.name} {activity.version}>"


class WorkflowFunction(Workflow, Generic[P, R]):
    """A plain ``async def`` made a workflow by ``@decision_task(...)``.

    Executors take it where they take a workflow class. Called inside another workflow it
    starts a child and returns a :class:`Promise` of its result; anywhere else it is the plain
    function (a call gives its coroutine). Its body reaches the running workflow through the
    module-level API: ``swfobjects.workflow.timer()``, ``.now()``, ``.random()``...
    """

    _swf_base = True
    _swf_function: Callable[..., Coroutine[Any, Any, Any]]

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._overrides = dict(overrides or {})

    @property
    def func(self) -> Callable[P, Coroutine[Any, Any, R]]:
        """The plain ``async`` function."""
        return type(self)._swf_function

    def with_options(
        self,
        *,
        task_list: str = _UNSET,
        execution_start_to_close_timeout: Timeout = _UNSET,
        task_start_to_close_timeout: Timeout = _UNSET,
        child_policy: str = _UNSET,
        task_priority: int | None = _UNSET,
        workflow_id: str = _UNSET,
        tags: list[str] = _UNSET,
    ) -> WorkflowFunction[P, R]:
        """This workflow with options for children started through the copy."""
        given = {key: value for key, value in locals().items() if value is not _UNSET}
        given.pop("self")
        return type(self)({**self._overrides, **given})

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Promise[R]:
        cls = type(self)
        if runtime_var.get() is None:
            return cast(Promise[R], cls._swf_function(*args, **kwargs))
        workflow = cls._swf_workflow
        client = WorkflowClient(cls, {workflow.method_name: workflow}, self._overrides)
        return client._invoke(workflow, args, kwargs)

    def __repr__(self) -> str:
        workflow = self.workflow_type()
        return f"<workflow function {workflow.name} {workflow.version}>"


def _refuse_twice(function: Any, decorator: str) -> None:
    if isinstance(function, (ActivityFunction, WorkflowFunction)):
        raise DeclarationError(
            f"{decorator} applied to {function!r}, which is already one; decorate the plain "
            "function once (its .func), with all the options"
        )


def _activity_function(function: Any, opts: ActivityTaskOptions) -> ActivityFunction[Any, Any]:
    _refuse_twice(function, "@activity_task")
    if inspect.iscoroutinefunction(function):
        raise DeclarationError(
            f"@activity_task {getattr(function, '__qualname__', function)} must be a plain "
            "(sync) function: activities run in worker threads; for an async workflow use "
            "@decision_task"
        )
    if not callable(function) or isinstance(function, type):
        raise DeclarationError(
            f"@activity_task takes a function or a method, got {function!r}; for a class, "
            "subclass ActivityWorker and mark its methods"
        )
    name = _function_name(function, opts.name, "@activity_task")

    def invoke(self: Any, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    method = _as_method(function, invoke)
    method.__swf_activity__ = dataclasses.replace(opts, name=name, task_list=opts.task_list or name)
    cls = SwfMeta(
        getattr(function, "__name__", "activity"),
        (ActivityFunction,),
        {
            "invoke": method,
            "_swf_function": staticmethod(function),
            "__module__": getattr(function, "__module__", __name__),
            "__qualname__": getattr(function, "__qualname__", name),
            "__doc__": getattr(function, "__doc__", None),
        },
    )
    cls._swf_activity = cls._swf_activities["invoke"]  # type: ignore[attr-defined]
    return cast(ActivityFunction[Any, Any], cls())


def _workflow_function(function: Any, opts: DecisionTaskOptions) -> WorkflowFunction[Any, Any]:
    _refuse_twice(function, "@decision_task")
    if not inspect.iscoroutinefunction(function):
        raise DeclarationError(
            f"@decision_task {getattr(function, '__qualname__', function)} must be an "
            "`async def` (a workflow's body awaits activities and timers); for a plain "
            "function that does the work, use @activity_task"
        )
    name = _function_name(function, opts.name, "@decision_task")

    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await function(*args, **kwargs)

    method = _as_method(function, run)
    method.__swf_decision__ = dataclasses.replace(opts, name=name, task_list=opts.task_list or name)
    cls = SwfMeta(
        getattr(function, "__name__", "workflow"),
        (WorkflowFunction,),
        {
            "run": method,
            "_swf_function": staticmethod(function),
            "__module__": getattr(function, "__module__", __name__),
            "__qualname__": getattr(function, "__qualname__", name),
            "__doc__": getattr(function, "__doc__", None),
        },
    )
    return cast(WorkflowFunction[Any, Any], cls())


def _not_inline(method: F) -> F:
    """An activity method that refuses to run inside workflow code.

    Called there directly (``Payments().charge(...)``, or a method of a class that is not an
    ActivityWorker) it would run in the decider, on every replay, instead of being scheduled.
    """

    @functools.wraps(method)
    def activity_method(*args: Any, **kwargs: Any) -> Any:
        if runtime_var.get() is not None:
            raise DeclarationError(
                f"activity method {method.__qualname__} was called directly in workflow code, "
                "where it would run inline in the decider on every replay; call it through a "
                "stub (Worker.client().method(...)) so it is scheduled, or make it an "
                "ActivityWorker method or a module-level @activity_task function"
            )
        return method(*args, **kwargs)

    return cast(F, activity_method)


class ActivityDecorator(Protocol):
    """What ``activity_task(...)`` returns: it keeps a method's type, types a function."""

    @overload
    def __call__(self, fn: Callable[Concatenate[W, Q], R]) -> Callable[Concatenate[W, Q], R]: ...
    @overload
    def __call__(self, fn: Callable[P, R]) -> ActivityFunction[P, R]: ...


class DecisionDecorator(Protocol):
    """What ``decision_task(...)`` returns: it keeps a method's type, types a function."""

    @overload
    def __call__(self, fn: Callable[Concatenate[V, Q], R]) -> Callable[Concatenate[V, Q], R]: ...
    @overload
    def __call__(self, fn: Callable[P, Coroutine[Any, Any, R]]) -> WorkflowFunction[P, R]: ...


@overload
def activity_task(fn: Callable[Concatenate[W, Q], R]) -> Callable[Concatenate[W, Q], R]: ...
@overload
def activity_task(fn: Callable[P, R]) -> ActivityFunction[P, R]: ...
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
) -> ActivityDecorator: ...
def activity_task(fn: Any = None, **options: Any) -> Any:
    """Make an SWF activity of a method of an :class:`ActivityWorker` subclass, or of a plain
    function (see :class:`ActivityFunction`).

    Usable bare (``@activity_task``) or with options; timeouts are seconds, ``timedelta`` or
    ``None`` for no timeout. ``retry`` is the default :class:`RetryPolicy` for every call;
    ``serializer`` is a marshmallow ``Schema`` (class or instance) for the result.

    >>> class Greeter(ActivityWorker, task_list="greetings"):      # doctest: +SKIP
    ...     @activity_task(start_to_close_timeout=30)
    ...     def greet(self, name: str) -> str:
    ...         return f"Hello, {name}!"
    >>> charge = activity_task(task_list="payments")(vendor.charge)  # doctest: +SKIP
    """
    opts = ActivityTaskOptions(**options)
    mark_method = _declarations.activity_task(**options)

    def mark(function: Any) -> Any:
        if is_method(function):
            return _not_inline(mark_method(function))
        return _activity_function(function, opts)

    return mark(fn) if fn is not None else mark


@overload
def decision_task(fn: Callable[Concatenate[V, Q], R]) -> Callable[Concatenate[V, Q], R]: ...
@overload
def decision_task(fn: Callable[P, Coroutine[Any, Any, R]]) -> WorkflowFunction[P, R]: ...
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
) -> DecisionDecorator: ...
def decision_task(fn: Any = None, **options: Any) -> Any:
    """Mark the ``async def`` entry method of a :class:`Workflow` subclass, or make a workflow
    of a module-level ``async def`` (see :class:`WorkflowFunction`).

    Exactly one per workflow class. Its arguments are the workflow input, its return value the
    workflow result.
    """
    mark_method = _declarations.decision_task(**options)  # checks the options
    opts = DecisionTaskOptions(**options)

    def mark(function: Any) -> Any:
        if is_method(function):
            return mark_method(function)
        return _workflow_function(function, opts)

    return mark(fn) if fn is not None else mark
