"""Client stubs: what ``Greeter.client()`` returns.

A stub method has the activity's signature; calling it inside a workflow validates the
arguments at once (``TypeError`` naming the argument, before anything is scheduled) and returns
a :class:`Promise` of the result. ``stub.call(Greeter.greet, ...)`` is the same call in a form
every type checker understands: ``Promise[R]`` for a method returning ``R`` (an ``async def``
workflow entry returning ``R`` too), its arguments checked against the method's.

Why two styles: Python's typing cannot say "the methods of ``C``, each returning a Promise", so
to a type checker the attribute style ``stub.greet(...)`` goes through ``__getattr__``
(``Callable[..., Promise[Any]]``: accepted, unchecked). The mypy plugin shipped as
``swfobjects.mypy_plugin`` replaces that with the method's own signature and ``Promise[R]``, and
reports names that are not activities of ``C``. For every other checker, ``swfobjects stubgen``
writes one typed class per worker (``GreeterStub``) and the worker names it in a
``swf_stub: GreeterStub`` annotation (:class:`TypedStub`), which ``client()``'s overloads read.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from ..exceptions import DeclarationError
from ._context import current_runtime, runtime_var
from ._declarations import ActivityType, WorkflowType, check_name
from ._options import RetryPolicy, timeout_value
from ._promise import Promise

__all__ = [
    "ActivityClient",
    "TypedStub",
    "WorkflowClient",
    "bind_arguments",
    "check_arguments",
    "ACTIVITY_OVERRIDES",
]

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C")
Stub = TypeVar("Stub", bound="_Client[Any]")
Stub_co = TypeVar("Stub_co", covariant=True)

ACTIVITY_OVERRIDES = (
    "task_list",
    "schedule_to_start_timeout",
    "schedule_to_close_timeout",
    "start_to_close_timeout",
    "heartbeat_timeout",
    "task_priority",
    "retry",
)
WORKFLOW_OVERRIDES = (
    "task_list",
    "execution_start_to_close_timeout",
    "task_start_to_close_timeout",
    "child_policy",
    "task_priority",
    "workflow_id",
    "tags",
)


def _normalize_overrides(
    overrides: Mapping[str, Any], allowed: tuple[str, ...], what: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in allowed:
            raise TypeError(f"{what}: unknown option {key!r}; options are {', '.join(allowed)}")
        if key.endswith("_timeout"):
            out[key] = timeout_value(value, f"{what} {key}")
        elif key == "task_list":
            out[key] = check_name(value, f"{what} task_list")
        elif key == "retry":
            if not isinstance(value, RetryPolicy):
                raise TypeError(f"{what}: retry must be a RetryPolicy, got {value!r}")
            out[key] = value
        elif key == "task_priority":
            out[key] = None if value is None else str(int(value))
        else:
            out[key] = value
    return out


def _simple_type_ok(value: Any, hint: Any) -> bool:
    """A cheap check for plain-class hints (``str``, ``int``, ``Order``...); others pass."""
    if hint is Any or hint is inspect.Parameter.empty:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_simple_type_ok(value, arg) for arg in typing.get_args(hint))
    if origin is typing.Annotated:
        return _simple_type_ok(value, typing.get_args(hint)[0])
    if hint is None or hint is type(None):
        return value is None
    if origin is not None:
        return isinstance(value, origin) if isinstance(origin, type) else True
    if not isinstance(hint, type):
        return True
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int and isinstance(value, bool):
        return False
    return isinstance(value, hint)


_FAST_SHAPES: dict[int, tuple[inspect.Signature, tuple[str, ...] | None]] = {}


def _positional_names(signature: inspect.Signature) -> tuple[str, ...] | None:
    """Parameter names if every parameter is plain positional-or-keyword, else None."""
    cached = _FAST_SHAPES.get(id(signature))
    if cached is not None and cached[0] is signature:
        return cached[1]
    params = signature.parameters.values()
    names = (
        tuple(p.name for p in params)
        if all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
        else None
    )
    _FAST_SHAPES[id(signature)] = (signature, names)
    return names


def check_arguments(
    what: str, signature: inspect.Signature, hints: Mapping[str, Any], args: Any, kwargs: Any
) -> dict[str, Any]:
    """Bind call arguments to ``signature``; ``TypeError`` naming the bad argument."""
    names = _positional_names(signature)
    if names is not None and not kwargs and len(args) == len(names):
        arguments = dict(zip(names, args, strict=True))  # the common case, without bind()
    else:
        try:
            arguments = dict(signature.bind(*args, **kwargs).arguments)
        except TypeError as exc:
            raise TypeError(f"{what}(): {exc}") from None
    for name, value in arguments.items():
        hint = hints.get(name, Any)
        if type(value) is hint:
            continue
        param = signature.parameters[name]
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if not _simple_type_ok(value, hint):
            expected = getattr(hint, "__name__", None) or str(hint)
            raise TypeError(
                f"{what}(): argument {name!r} must be {expected}, got {type(value).__name__} "
                f"{value!r}"
            )
    return arguments


class TypedStub(Protocol[Stub_co]):
    """A class that names its generated typed stub: ``swf_stub: GreeterStub``.

    ``Greeter.client()`` is then a ``GreeterStub`` to every type checker (its methods typed one
    by one), where it is otherwise an ``ActivityClient[Greeter]`` whose attribute style only
    the mypy plugin can type. ``swfobjects stubgen`` writes the stub classes; the annotation is
    all the class needs (it has no value at run time).
    """

    @property
    def swf_stub(self) -> Stub_co: ...  # pragma: no cover


class _StubMethod:
    __slots__ = ("_client", "_target", "__name__", "__signature__", "__doc__")

    def __init__(self, client: _Client[Any], target: Any) -> None:
        self._client = client
        self._target = target
        self.__name__ = target.method_name
        self.__signature__ = target.signature
        self.__doc__ = target.description

    def __call__(self, *args: Any, **kwargs: Any) -> Promise[Any]:
        return self._client._invoke(self._target, args, kwargs)

    def __repr__(self) -> str:
        return f"<stub {self._target.name}{self.__signature__}>"


class _ActivityStubMethod(_StubMethod):
    # An activity stub method: the hot path of every workflow, so what is fixed per stub
    # method (its client's options, its type's argument check) is looked up once, and a call
    # is one frame before the runtime's. (No docstring, and "__doc__" declared again: a
    # subclass's own ``__doc__`` would hide the slot that shows the activity's description.)

    __slots__ = ("_overrides", "_check", "__doc__")

    _target: ActivityType

    def __init__(self, client: _Client[Any], target: ActivityType) -> None:
        super().__init__(client, target)
        self._overrides = client._overrides
        self._check: _ArgumentCheck | None = None  # worked out at the first call: see there

    def __call__(self, *args: Any, **kwargs: Any) -> Promise[Any]:
        target = self._target
        runtime = runtime_var.get() or current_runtime(f"activity stub {target.name}")
        check = self._check
        if check is None:  # not at class creation: annotations may name later classes
            check = self._check = argument_check(target)
        return runtime.schedule_activity(target, check.bind(args, kwargs), self._overrides)


class _Client(Generic[C]):
    """Shared machinery of activity and workflow clients (no attribute style: see
    :class:`ActivityClient`)."""

    _allowed: tuple[str, ...] = ()
    _stub_method: type[_StubMethod] = _StubMethod

    def __init__(self, owner: type[C], targets: Mapping[str, Any], overrides: Mapping[str, Any]):
        self._owner = owner
        self._targets = dict(targets)
        self._overrides = _normalize_overrides(overrides, self._allowed, owner.__name__)
        stub_method = self._stub_method
        for method_name, target in self._targets.items():
            object.__setattr__(self, method_name, stub_method(self, target))

    def __repr__(self) -> str:
        extra = f" {self._overrides}" if self._overrides else ""
        return f"<{type(self).__name__} for {self._owner.__qualname__}{extra}>"

    def with_options(self: Stub, **overrides: Any) -> Stub:
        """A copy of this client with more per-call-site options."""
        return type(self)(self._owner, self._targets, {**self._overrides, **overrides})

    def _target_of(self, method: Callable[..., Any]) -> Any:
        name = getattr(method, "__name__", None)
        target = self._targets.get(name) if name else None
        if target is None or getattr(target, "method_name", None) != name:
            raise DeclarationError(
                f"{method!r} is not an @activity_task/@decision_task of {self._owner.__qualname__}"
            )
        return target

    def _invoke(self, target: Any, args: Any, kwargs: Any) -> Promise[Any]:
        raise NotImplementedError


def _no_stub_method(client: _Client[Any], name: str) -> AttributeError:
    """The error for a name that is not a stub method of ``client``: it lists those there are."""
    if name.startswith("_"):  # private and dunder lookups (copy, pickle, half-built)
        return AttributeError(name)
    methods = ", ".join(sorted(client.__dict__.get("_targets", ()))) or "none"
    return AttributeError(
        f"{client!r} has no stub method {name!r}: {client._owner.__qualname__} declares "
        f"{methods} (mark the method with @activity_task / @decision_task)"
    )


def target_class(target: ActivityType | WorkflowType) -> type:
    """The class that declared an activity or workflow type."""
    return target.worker_class if isinstance(target, ActivityType) else target.workflow_class


class _ArgumentCheck:
    """How the calls of one activity or workflow type bind and check their arguments, worked
    out once per type (see :func:`bind_arguments`)."""

    __slots__ = ("target", "signature", "hints", "names", "exact")

    def __init__(self, target: ActivityType | WorkflowType) -> None:
        self.target = target
        self.signature = target.signature
        function = getattr(target_class(target), target.method_name)
        self.hints: Mapping[str, Any] = typing.get_type_hints(function, include_extras=True)
        self.names = _positional_names(target.signature)
        """The parameter names, if all are plain positional-or-keyword ones (else None)."""
        self.exact = tuple(self.hints.get(name, Any) for name in self.names or ())
        """Their annotations: an argument whose type is exactly its annotation passes."""

    def bind(self, args: Any, kwargs: Any, what: str | None = None) -> dict[str, Any]:
        """The call's arguments by name, checked (as :func:`check_arguments`; ``what`` names
        the call in errors, default the type's name).

        Every stub call passes here, so the common call (positional arguments whose types
        are exactly their annotations, ``noop(3)`` for ``i: int``) is decided in one loop,
        and only the rest go through :func:`check_arguments`.
        """
        exact = self.exact
        names = self.names
        if not kwargs and len(args) == len(exact) and names is not None:
            # one plain loop that checks and builds the dict: on CPython 3.11 ``dict(zip(...))``
            # (a zip object, a tuple per pair) cost four times this loop for one argument
            arguments = {}
            index = 0
            for value in args:
                if type(value) is not exact[index]:
                    break
                arguments[names[index]] = value
                index += 1
            else:
                return arguments
        return check_arguments(what or self.target.name, self.signature, self.hints, args, kwargs)


_CHECKS: dict[int, _ArgumentCheck] = {}


def argument_check(target: ActivityType | WorkflowType) -> _ArgumentCheck:
    """How calls of ``target`` bind their arguments, worked out once per type."""
    check = _CHECKS.get(id(target))
    if check is None or check.target is not target:
        check = _CHECKS[id(target)] = _ArgumentCheck(target)
    return check


def bind_arguments(
    target: ActivityType | WorkflowType, args: Any, kwargs: Any, what: str | None = None
) -> dict[str, Any]:
    """The call's arguments by name, checked against ``target``'s entry method (see
    :meth:`_ArgumentCheck.bind`)."""
    return argument_check(target).bind(args, kwargs, what)


class ActivityCalls(_Client[C]):
    """An activity client without the attribute style: ``call()`` and ``with_options()``.

    The base of the classes ``swfobjects stubgen`` writes: they declare each stub method, and
    having no ``__getattr__`` a misspelt name is an error to every type checker. At run time
    every client is an :class:`ActivityClient`.
    """

    _allowed = ACTIVITY_OVERRIDES
    _stub_method = _ActivityStubMethod

    def call(
        self, method: Callable[Concatenate[C, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> Promise[R]:
        """Call activity ``method`` (``Greeter.greet``) remotely: ``Promise[R]`` for ``-> R``.

        Typed for every checker: the arguments are checked against ``method``'s, and a method
        of another class than this client's is refused.
        """
        return self._invoke(self._target_of(method), args, kwargs)

    def _invoke(self, target: ActivityType, args: Any, kwargs: Any) -> Promise[Any]:
        stub_method: _StubMethod = self.__dict__[target.method_name]
        return stub_method(*args, **kwargs)


class ActivityClient(ActivityCalls[C]):
    """Stub for the activities of one :class:`ActivityWorker` class.

    ``Payments.client(task_list="eu")`` applies options to every call through it: task_list,
    the four timeouts, task_priority and retry.
    """

    def __getattr__(self, name: str) -> Callable[..., Promise[Any]]:
        """Only reached for a name that is not a stub method: say which ones there are.

        Typed as a stub method so that type checkers without the plugin accept the attribute
        style; the mypy plugin replaces this type with the method's own.
        """
        raise _no_stub_method(self, name)


class WorkflowCalls(_Client[C]):
    """A workflow client without the attribute style (see :class:`ActivityCalls`)."""

    _allowed = WORKFLOW_OVERRIDES

    def call(
        self,
        method: Callable[Concatenate[C, P], Coroutine[Any, Any, R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Promise[R]:
        """Start the child workflow through its entry method (``OrderWorkflow.run``).

        ``Promise[R]`` for ``async def run(...) -> R``, the arguments checked against it.
        """
        return self._invoke(self._target_of(method), args, kwargs)

    def _invoke(self, target: WorkflowType, args: Any, kwargs: Any) -> Promise[Any]:
        runtime = runtime_var.get() or current_runtime(f"workflow stub {target.name}")
        return runtime.start_child(target, bind_arguments(target, args, kwargs), self._overrides)


class WorkflowClient(WorkflowCalls[C]):
    """Stub for a :class:`Workflow` class, used from another workflow to start a child."""

    def __getattr__(self, name: str) -> Callable[..., Promise[Any]]:
        """As :meth:`ActivityClient.__getattr__`."""
        raise _no_stub_method(self, name)
