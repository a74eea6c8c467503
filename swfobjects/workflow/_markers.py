"""Workflow method decorators: ``@signal``, ``@nondeterministic`` and ``@cached``.

``@nondeterministic`` and ``@cached`` methods run real code (a database read, a random pick)
at most once: the result is recorded in the history as a marker and every replay reads it back
instead of running the code again.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar, overload

from ..exceptions import DeclarationError
from ..payloads._codecs import codec_for
from ._context import runtime_var
from ._declarations import check_name, is_method

__all__ = ["signal", "nondeterministic", "cached"]

F = TypeVar("F", bound=Callable[..., Any])


@overload
def signal(fn: F) -> F: ...
@overload
def signal(fn: None = None, *, name: str | None = None) -> Callable[[F], F]: ...
def signal(fn: Any = None, *, name: str | None = None) -> Any:
    """Mark a workflow method as the handler of SWF signal ``name`` (default: method name).

    Handlers run in history order with the signal's decoded input as arguments; they may be
    ``async``. Wait for their effect with ``await self.wait_for(lambda: self.approved)``.
    """

    def mark(function: F) -> F:
        _require_method(function, "@signal", "a signal is delivered to a running workflow")
        signal_name = check_name(name or function.__name__, "signal name")
        function.__swf_signal__ = signal_name  # type: ignore[attr-defined]
        return function

    return mark(fn) if fn is not None else mark


def _require_method(function: Any, decorator: str, why: str) -> None:
    """``DeclarationError`` unless ``function`` is defined in a class body (a workflow's)."""
    if not is_method(function):
        raise DeclarationError(
            f"{decorator} {getattr(function, '__qualname__', function)!r} is not a method: "
            f"{why}, so {decorator} marks a method of a Workflow subclass"
        )


def _recorded(kind: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        _require_method(function, f"@{kind}", "its recorded result belongs to a workflow execution")
        if inspect.iscoroutinefunction(function):
            raise DeclarationError(f"@{kind} {function.__qualname__} must be a plain function")
        hints = typing.get_type_hints(function, include_extras=True)
        codec = codec_for(hints.get("return", Any))
        method = function.__name__

        @functools.wraps(function)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            runtime = runtime_var.get()
            if runtime is None:
                return function(self, *args, **kwargs)
            if kind == "cached":
                name = runtime.cached_name(method, args, kwargs)
            else:
                name = runtime.nondeterministic_name(method)
            return runtime.marker_value(
                name, lambda: function(self, *args, **kwargs), codec, f"@{kind} {method}"
            )

        return wrapper  # type: ignore[return-value]

    return decorate


def nondeterministic(function: F) -> F:
    """Run this workflow method once per call; replays read its recorded result (or error).

    >>> @nondeterministic                                 # doctest: +SKIP
    ... def pick_region(self) -> str:
    ...     return random.choice(REGIONS)
    """
    return _recorded("nondeterministic")(function)


def cached(function: F) -> F:
    """Run this workflow method once per execution for each distinct set of arguments."""
    return _recorded("cached")(function)
