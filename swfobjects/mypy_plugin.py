"""The mypy plugin: typed client stubs and executor calls.

Enable it in the project's mypy configuration::

    [mypy]
    plugins = swfobjects.mypy_plugin

What it adds, for code that mypy checks:

- ``self.greeter.greet(name)`` on ``greeter = Greeter.client()`` has the type of
  ``Greeter.greet`` without ``self`` and returns ``Promise[R]`` for ``-> R``; a child workflow
  stub's entry (``self.child.run(order)``) returns ``Promise[R]`` for ``async def run(...) ->
  R``. A name that is not an ``@activity_task`` (``@decision_task``) of the class is an
  ``attr-defined`` error naming the ones it has.
- ``executor.start(Hello, ...)`` is ``WorkflowHandle[R]`` and ``executor.run(Hello, ...)`` is
  ``R`` whatever the entry method is called, and the workflow's arguments are checked against
  its entry method.

Why a plugin: Python's type system cannot say "the methods of ``C``, each returning a Promise"
(there are no mapped types), so without it the attribute style types through
``_Client.__getattr__`` as ``Callable[..., Promise[Any]]``; ``client.call(Greeter.greet, name)``
is fully typed with or without it. This module imports mypy, so only mypy loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from mypy.checker import TypeChecker
from mypy.errorcodes import ATTR_DEFINED
from mypy.nodes import ARG_POS, CallExpr, Decorator, Expression, RefExpr, TypeInfo
from mypy.plugin import AttributeContext, MethodContext, Plugin
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Type,
    TypeOfAny,
    TypeType,
    get_proper_type,
)

__all__ = ["SwfObjectsPlugin", "plugin"]

_STUBS = "swfobjects.workflow._stubs"
_CLIENTS = frozenset({f"{_STUBS}.ActivityClient", f"{_STUBS}.WorkflowClient"})
"""The classes whose ``__getattr__`` gives the attribute style."""
_ACTIVITY_TASK = frozenset(
    {
        "swfobjects.workflow._functions.activity_task",  # what ``swfobjects`` exports
        "swfobjects.workflow._declarations.activity_task",  # the method marker behind it
    }
)
_DECISION_TASK = frozenset(
    {
        "swfobjects.workflow._functions.decision_task",
        "swfobjects.workflow._declarations.decision_task",
    }
)
_DECORATORS = {
    f"{_STUBS}.ActivityClient": _ACTIVITY_TASK,
    f"{_STUBS}.WorkflowClient": _DECISION_TASK,
}
_EXECUTOR = "swfobjects.client._executor.ExecutorBase"
_START_OPTIONS = frozenset(
    {
        "workflow_id",
        "task_list",
        "tags",
        "execution_start_to_close_timeout",
        "task_start_to_close_timeout",
        "child_policy",
    }
)
"""Keyword arguments of ``ExecutorBase.start`` that are options, not the workflow's input."""


class SwfObjectsPlugin(Plugin):
    """Types the attribute style of client stubs and the executors' ``start``/``run``."""

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        # Called for every attribute reached through a client's __getattr__.
        owner, _, name = fullname.rpartition(".")
        if owner in _CLIENTS:
            return partial(_stub_method_type, name)
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        # Named after the class of the instance (SerialExecutor.run...), so look at its bases.
        owner, _, name = fullname.rpartition(".")
        if name not in ("start", "run"):
            return None
        symbol = self.lookup_fully_qualified(owner)
        if symbol is None or not isinstance(symbol.node, TypeInfo):
            return None
        if not symbol.node.has_base(_EXECUTOR):
            return None
        return partial(_start_type, name == "start")


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class (every mypy version that has plugins)."""
    return SwfObjectsPlugin


def _declared(info: TypeInfo, decorator: frozenset[str]) -> dict[str, Decorator]:
    """The methods of ``info`` (and its bases) marked with ``decorator`` (any of its full
    names), by name."""
    found: dict[str, Decorator] = {}
    for base in reversed(info.mro):
        for name, symbol in base.names.items():
            node = symbol.node
            if isinstance(node, Decorator) and any(
                _refers_to(expr, decorator) for expr in node.original_decorators
            ):
                found[name] = node
            else:
                found.pop(name, None)  # overridden without the decorator
    return found


def _refers_to(expr: Expression, fullnames: frozenset[str]) -> bool:
    if isinstance(expr, CallExpr):  # @activity_task(start_to_close_timeout=...)
        expr = expr.callee
    return isinstance(expr, RefExpr) and expr.fullname in fullnames


def _unbound_result(method: Decorator) -> CallableType | None:
    """The method's signature without ``self``, returning what awaiting the call gives."""
    signature = method.func.type
    if not isinstance(signature, CallableType) or not signature.arg_types:
        return None
    result = get_proper_type(signature.ret_type)
    if (
        method.func.is_coroutine
        and isinstance(result, Instance)
        and result.type.fullname == "typing.Coroutine"
    ):
        result = get_proper_type(result.args[2])
    return signature.copy_modified(
        arg_types=signature.arg_types[1:],
        arg_kinds=signature.arg_kinds[1:],
        arg_names=signature.arg_names[1:],
        ret_type=result,
    )


def _stub_method_type(name: str, ctx: AttributeContext) -> Type:
    client = get_proper_type(ctx.type)
    if not isinstance(client, Instance) or client.type.get(name) is not None:
        return ctx.default_attr_type  # a real attribute (_owner...): mypy calls us for those too
    for base in client.type.mro:
        decorator = _DECORATORS.get(base.fullname)
        if decorator is not None:
            break
    else:
        return ctx.default_attr_type
    owner = get_proper_type(_type_argument(client, base))
    if not isinstance(owner, Instance):
        return ctx.default_attr_type  # ActivityClient[Any] and the like: stay unchecked
    methods = _declared(owner.type, decorator)
    method = methods.get(name)
    if method is None:
        marker = next(iter(decorator)).rpartition(".")[2]
        ctx.api.fail(
            f'"{owner.type.name}" has no @{marker} "{name}" '
            f"(it has: {', '.join(sorted(methods)) or 'none'})",
            ctx.context,
            code=ATTR_DEFINED,
        )
        return AnyType(TypeOfAny.from_error)
    signature = _unbound_result(method)
    if signature is None:
        return ctx.default_attr_type
    # __getattr__'s declared type is Callable[..., Promise[Any]]: reuse its Promise.
    default = get_proper_type(ctx.default_attr_type)
    promise = get_proper_type(default.ret_type) if isinstance(default, CallableType) else None
    if not isinstance(promise, Instance):
        return ctx.default_attr_type
    return signature.copy_modified(ret_type=promise.copy_modified(args=[signature.ret_type]))


def _type_argument(instance: Instance, base: TypeInfo) -> Type:
    from mypy.maptype import map_instance_to_supertype

    mapped = map_instance_to_supertype(instance, base)
    return mapped.args[0] if mapped.args else AnyType(TypeOfAny.special_form)


def _workflow_info(argument: Type) -> TypeInfo | None:
    proper = get_proper_type(argument)
    if isinstance(proper, CallableType) and proper.is_type_obj():
        return proper.type_object()
    if isinstance(proper, TypeType):
        item = get_proper_type(proper.item)
        if isinstance(item, Instance):
            return item.type
    return None


def _start_type(handle: bool, ctx: MethodContext) -> Type:
    """``start``: ``WorkflowHandle[R]``; ``run``: ``R``; the input checked against the entry."""
    call = ctx.context
    if not (isinstance(call, CallExpr) and call.args and call.arg_kinds[0] == ARG_POS):
        return ctx.default_return_type
    info = _workflow_info(ctx.api.get_expression_type(call.args[0]))
    entries = list(_declared(info, _DECISION_TASK).values()) if info else []
    signature = _unbound_result(entries[0]) if len(entries) == 1 else None
    if signature is None or not isinstance(ctx.api, TypeChecker):
        return ctx.default_return_type
    inputs = [
        (arg, kind, name)
        for arg, kind, name in zip(
            call.args[1:], call.arg_kinds[1:], call.arg_names[1:], strict=True
        )
        if name not in _START_OPTIONS
    ]
    result, _ = ctx.api.expr_checker.check_call(
        signature,
        [arg for arg, _, _ in inputs],
        [kind for _, kind, _ in inputs],
        call,
        [name for _, _, name in inputs],
    )
    if not handle:
        return result
    default = get_proper_type(ctx.default_return_type)  # WorkflowHandle[...] of the overload
    return default.copy_modified(args=[result]) if isinstance(default, Instance) else default
