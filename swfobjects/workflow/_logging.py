"""Replay-safe logging: ``self.log`` of workflows and activities, and ``workflow.log``.

Workflow code runs again on every replay, so a plain ``logging.info("charging the card")`` in
it is written once per decision task of the run (and again after every decider restart). The
workflow logger asks the running replay whether the code is being *replayed* (re-run to
rebuild state from history) and is silent then, so each message is emitted once, by the
decision that really ran the line. Records carry ``workflow_id``, ``run_id``,
``workflow_type`` and ``event_id`` (the ``DecisionTaskStarted`` event of that decision) in
``extra``, for formatters and structured log handlers.

Activity code is never replayed; its logger only adds ``activity_id``, ``activity_type``,
``attempt``, ``workflow_id`` and ``run_id``.

>>> class Checkout(Workflow, task_list="checkout"):           # doctest: +SKIP
...     @decision_task
...     async def run(self, order: str) -> None:
...         self.log.info("charging the card of %s", order)   # once, not once per replay
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from ._context import current_activity, current_runtime

__all__ = ["ActivityLogger", "WorkflowLogger", "attempt_of"]


class WorkflowLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A ``LoggerAdapter`` that is silent while workflow code is replayed.

    It reads the running replay at each call (through the seam), so one instance serves every
    run; outside a workflow it raises ``RuntimeError`` like the rest of the workflow API.
    """

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's name
        """False while replaying; else the wrapped logger's answer."""
        if current_runtime("workflow.log").is_replaying:
            return False
        return bool(self.logger.isEnabledFor(level))

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        """Add the execution's ids and the decision's event id to ``extra``."""
        runtime = current_runtime("workflow.log")
        extra = {
            "workflow_id": runtime.workflow_id,
            "run_id": runtime.run_id,
            "workflow_type": runtime.workflow_type,
            "event_id": runtime.decision_event_id,
        }
        given = kwargs.get("extra")
        kwargs["extra"] = extra if not given else {**extra, **given}
        return msg, kwargs


def attempt_of(activity_id: str) -> int:
    """The attempt number of a swfobjects activity id: ``5`` is 1, ``5.2`` (retried twice) 3.

    A retry schedules the same call again under ``<id>.<n>``; ids from other frameworks count
    as first attempts.
    """
    _, dot, suffix = activity_id.rpartition(".")
    return int(suffix) + 1 if dot and suffix.isdigit() else 1


class ActivityLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A ``LoggerAdapter`` adding the running activity task's ids to ``extra``."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's name
        """The wrapped logger's answer; outside an activity task, ``RuntimeError``."""
        current_activity("self.log")
        return bool(self.logger.isEnabledFor(level))

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        """Add activity id, type, attempt and the workflow execution's ids to ``extra``."""
        info = current_activity("self.log").info
        extra = {
            "activity_id": info.activity_id,
            "activity_type": info.activity_name,
            "attempt": attempt_of(info.activity_id),
            "workflow_id": info.workflow_id,
            "run_id": info.run_id,
        }
        given = kwargs.get("extra")
        kwargs["extra"] = extra if not given else {**extra, **given}
        return msg, kwargs
