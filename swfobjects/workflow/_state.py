"""``@state``: the one method whose value the world outside a workflow can read.

Flow for Java's ``@GetState``: after each decision the decider calls the marked method and,
when its encoded value changed, sends it as the ``executionContext`` of
``RespondDecisionTaskCompleted``; SWF keeps the latest one (``latestExecutionContext`` of
``DescribeWorkflowExecution``), and ``WorkflowHandle.state()`` decodes it to the declared type.
So a status page reads a workflow's progress without a signal round trip or a database.

>>> class Checkout(Workflow, task_list="checkout"):                 # doctest: +SKIP
...     step = "started"
...     @state
...     def status(self) -> str:
...         return self.step
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..exceptions import DeclarationError
from ..payloads._codecs import Codec, codec_for

__all__ = ["StateMethod", "state", "state_method"]

F = TypeVar("F", bound=Callable[..., Any])


def state(fn: F) -> F:
    """Mark the method of a :class:`Workflow` whose value is the execution's readable state.

    It takes only ``self``, returns any type the payload layer encodes (its return annotation
    is the declared type), and must be cheap and side-effect free: it runs after every
    decision, and a change of its encoded value is what gets sent.
    """
    if inspect.iscoroutinefunction(fn):
        raise DeclarationError(
            f"@state {fn.__qualname__} must be a plain method: it is read after each decision, "
            "when there is nothing to await"
        )
    parameters = list(inspect.signature(fn).parameters.values())
    if len(parameters) != 1 or parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise DeclarationError(
            f"@state {fn.__qualname__} must take only self: SWF asks for the state with no "
            "arguments"
        )
    fn.__swf_state__ = True  # type: ignore[attr-defined]
    return fn


@dataclass(frozen=True)
class StateMethod:
    """A workflow's ``@state`` method: its name and the codec of its declared type."""

    method_name: str
    codec: Codec


def state_method(cls: type, marked: dict[str, Any]) -> StateMethod | None:
    """The :class:`StateMethod` of workflow ``cls`` from its ``@state``-marked methods."""
    if not marked:
        return None
    if len(marked) > 1:
        raise DeclarationError(
            f"workflow {cls.__qualname__} marks {len(marked)} methods @state "
            f"({', '.join(sorted(marked))}); SWF keeps one executionContext per execution, so "
            "return one value (a dataclass) from one method"
        )
    ((method_name, function),) = marked.items()
    hints = typing.get_type_hints(function, include_extras=True)
    if "return" not in hints:
        raise DeclarationError(
            f"@state {cls.__qualname__}.{method_name} needs a return annotation: it is the "
            "type handle.state() decodes to"
        )
    return StateMethod(method_name, codec_for(hints["return"]))
