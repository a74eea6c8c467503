"""Signals into a run, and the conditions workflow code waits on (``wait_for``).

A ``WorkflowExecutionSignaled`` event runs the workflow's ``@signal`` handler as a workflow
task; a signal with no handler, or whose input cannot be decoded, is kept (and logged), never
dropped. Handlers usually change state that a ``wait_for`` predicate reads, so the decider
re-checks the predicates after every scheduler run.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from ..exceptions import CancelledError, SignalError
from ..payloads._payload import Payloads
from ..workflow._declarations import WorkflowType
from ..workflow._promise import Promise
from ._scheduler import Scheduler

__all__ = ["SignalBook"]

log = logging.getLogger("swfobjects.workflow")


class SignalBook:
    """Delivers signals to handlers and settles ``wait_for`` promises.

    ``on_failure`` is told of a handler that raised: the run fails, nothing is lost.
    """

    def __init__(
        self,
        workflow: WorkflowType,
        workflow_id: str,
        payloads: Payloads,
        scheduler: Scheduler,
        on_failure: Callable[[BaseException], None],
    ) -> None:
        self.workflow = workflow
        self.workflow_id = workflow_id
        self.payloads = payloads
        self.scheduler = scheduler
        self.on_failure = on_failure
        self.waiters: list[tuple[Callable[[], bool], Promise[None]]] = []
        self.errors: list[SignalError] = []
        self.unhandled: list[tuple[str, str | None]] = []

    def deliver(self, instance: Any, name: str, input_text: str | None, event_id: int) -> None:
        """Run the ``@signal`` handler of ``instance`` for a ``WorkflowExecutionSignaled``."""
        workflow = self.workflow
        handler = getattr(workflow.workflow_class, "_swf_signals", {}).get(name)
        if handler is None:
            log.warning(
                "workflow %s (%s): signal %r (event %s) has no @signal handler; kept "
                "in self.unhandled_signals",
                workflow.name,
                self.workflow_id,
                name,
                event_id,
            )
            self.unhandled.append((name, input_text))
            return
        method_name, arguments = handler
        try:
            data = self.payloads.decode_data(input_text, f"input of signal {name!r}")
            args, kwargs = arguments.decode(data)
        except Exception as error:  # noqa: BLE001 - reported, never dropped silently
            report = SignalError(
                f"signal {name!r} (event {event_id}) could not be decoded: {error}"
            )
            log.warning("workflow %s (%s): %s", workflow.name, self.workflow_id, report)
            self.errors.append(report)
            return

        async def run() -> None:
            result = getattr(instance, method_name)(*args, **kwargs)
            if inspect.isawaitable(result):
                await result

        self.scheduler.spawn(run(), f"signal {name}").add_done_callback(self._check)

    def _check(self, handled: Promise[None]) -> None:
        error = handled.exception()
        if error is not None:
            self.on_failure(error)

    def wait_for(self, predicate: Callable[[], bool]) -> Promise[None]:
        """A promise settled once ``predicate()`` is true (checked after every step)."""
        code = getattr(predicate, "__code__", None)
        where = f" at {code.co_filename}:{code.co_firstlineno}" if code is not None else ""
        promise: Promise[None] = Promise(f"wait_for{where}")
        if predicate():
            promise.set_result(None)
            return promise
        entry = (predicate, promise)
        self.waiters.append(entry)

        def cancel() -> None:
            if entry in self.waiters:
                self.waiters.remove(entry)
            promise.set_exception(CancelledError("wait_for cancelled"))

        promise._cancel_hook = cancel
        return promise

    def check_waiters(self) -> bool:
        """Settle waiters whose predicate became true; True if any did."""
        if not self.waiters:
            return False
        settled = False
        for entry in list(self.waiters):
            predicate, promise = entry
            if predicate():
                self.waiters.remove(entry)
                promise.set_result(None)
                settled = True
        return settled
