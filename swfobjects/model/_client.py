"""A boto3-shaped client over the in-memory SWF model.

``InProcessClient(model).poll_for_decision_task(domain=..., taskList=...)`` behaves like
``boto3.client("swf").poll_for_decision_task(...)``: same method names, same keyword
arguments, same response dicts, and faults raised as botocore ``ClientError`` with SWF's error
codes. So the workers that run against Amazon SWF run unchanged in the SerialExecutor.
It satisfies ``swfobjects.swf.SWFClient`` and, with :meth:`InProcessClient.task_queues`,
:meth:`~InProcessClient.next_due` and :meth:`~InProcessClient.fire_due`,
``swfobjects.swf.InProcessSWFClient``: what the SerialExecutor needs beyond SWF's API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sized
from typing import Any

from botocore.exceptions import ClientError

from ..swf.client import TaskKind
from ..swf.wire import problems, validation_message
from ._model import SwfModel
from ._state import SwfFault

__all__ = ["InProcessClient", "fault_to_client_error"]

_CAMEL = re.compile(r"(?:^|_)([a-z])")


def fault_to_client_error(fault: SwfFault, operation: str) -> ClientError:
    """The botocore error a real client would raise for ``fault``."""
    response: Any = {
        "Error": {"Code": fault.code, "Message": fault.message},
        "ResponseMetadata": {"HTTPStatusCode": fault.status},
    }
    return ClientError(response, operation)


class InProcessClient:
    """boto3's SWF client interface, served by a :class:`SwfModel` in this process."""

    def __init__(self, model: SwfModel) -> None:
        self.model = model

    # --- beyond SWF's API: what only an in-process model can answer ------------------------

    def task_queues(self, kind: TaskKind) -> Mapping[tuple[str, str], Sized]:
        """Every ``(domain, task list)`` of ``kind`` with a live view of its queue.

        The model's own mapping, not a copy: the SerialExecutor checks ``len()`` before each
        poll, which must cost nothing. Entries may belong to runs that closed meanwhile (their
        poll comes back empty). Task lists are added as tasks arrive and never removed.
        """
        if kind == "activity":
            return self.model.activity_queues
        return self.model.decision_queues

    def next_due(self) -> tuple[float, str] | None:
        """``(when, kind)`` of the next pending timer or timeout, or None (stale ones dropped)."""
        return self.model.next_due_item()

    def fire_due(self) -> int:
        """Fire every timer and timeout due by the model's clock; returns how many fired."""
        return self.model.advance()

    def raw_call(self) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
        """The model's own :meth:`SwfModel.call`: :meth:`call` without the translation of
        faults, so it raises :class:`SwfFault` (not botocore's ``ClientError``).

        For a caller that binds it once and calls it per task (the SerialExecutor's drain
        loop), and turns the faults it does not handle into ``ClientError`` itself with
        :func:`fault_to_client_error`.
        """
        return self.model.call

    # --- SWF's API -----------------------------------------------------------------------

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Any SWF operation by its API name (``"PollForActivityTask"``) with its request dict.

        The snake_case methods are this call with the request given as keywords. The request
        is checked as SWF's front end checks it (:mod:`swfobjects.swf.wire`) before the model
        sees it; :meth:`raw_call`, the SerialExecutor's per-task path, skips that check (the
        model itself still refuses what would corrupt its state: timeouts, dates, names...).
        """
        errors = problems(operation, request)
        if errors:  # what boto3 and SWF's front end would refuse, the model never sees
            fault = SwfFault("ValidationException", validation_message(errors))
            raise fault_to_client_error(fault, operation)
        try:
            return self.model.call(operation, request)
        except SwfFault as fault:
            raise fault_to_client_error(fault, operation) from None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        operation = _CAMEL.sub(lambda m: m.group(1).upper(), name)
        if operation not in self.model.operations:
            raise AttributeError(f"SWF has no operation {name!r}")
        by_name = self.call

        def call(**params: Any) -> dict[str, Any]:
            return by_name(operation, params)

        call.__name__ = name
        setattr(self, name, call)  # later calls skip __getattr__
        return call
