"""Runtime features beyond activities and timers: children, markers, signals, cancellation
scopes, continue-as-new and versioning. A mixin of ``WorkflowRuntime``.

Markers (``@nondeterministic``, ``@cached``, ``patched``) are looked up by name in
``self.markers``, which the decider fills from *every* ``MarkerRecorded`` event it is given
before replaying, so a replayed call finds its recorded value even though the marker event
comes after the decision that made the call.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from ..exceptions import CancelledError, ChildWorkflowStartError, SignalError
from ..payloads._codecs import Codec, dumps, encode_any
from ..payloads._failures import qualified_name
from ..workflow._declarations import WorkflowType
from ..workflow._options import seconds_of
from ..workflow._promise import Promise
from ._commands import RATE_CAUSES, Command, ScheduleRefused, backoff

if TYPE_CHECKING:
    from ._runtime import WorkflowRuntime

__all__ = ["FeaturesMixin", "ContinueAsNew", "TimeoutScope"]

log = logging.getLogger("swfobjects.workflow")


class ContinueAsNew(BaseException):
    """Internal: unwinds the workflow to close the run with ``ContinueAsNewWorkflowExecution``."""

    def __init__(self, input_text: str) -> None:
        super().__init__("continue as new")
        self.input_text = input_text


class TimeoutScope:
    """``async with self.timeout(seconds):`` cancels its body when the time is up.

    The body sees ``CancelledError`` at its await point (an awaited activity is asked to
    cancel); the scope then raises ``TimeoutError``.
    """

    def __init__(self, runtime: WorkflowRuntime, seconds: float) -> None:
        self.runtime = runtime
        self.seconds = seconds
        self.fired = False
        self._timer: Promise[None] | None = None

    async def __aenter__(self) -> TimeoutScope:
        runtime = self.runtime
        task = runtime.scheduler.current
        self._timer = runtime.start_timer(self.seconds)

        def fire(timer: Promise[None]) -> None:
            if not timer.failed() and task is not None:
                self.fired = True
                runtime.scheduler.cancel(task)

        self._timer.add_done_callback(fire)
        return self

    async def __aexit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        if self.fired and isinstance(error, CancelledError):
            raise TimeoutError(f"timed out after {self.seconds:g} s") from None
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        return False


class FeaturesMixin:
    """Children, markers, signals, continue-as-new and patches for ``WorkflowRuntime``."""

    def __init__(self) -> None:
        self.markers: dict[str, str | None] = {}
        self.marker_seeds: dict[str, str | None] = {}
        self.consumed_markers: set[str] = set()
        self.patches: dict[str, bool] = {}
        self.waiters: list[tuple[Callable[[], bool], Promise[None]]] = []
        self.signal_errors: list[SignalError] = []
        self.unhandled_signals: list[tuple[str, str | None]] = []

    # --- markers ------------------------------------------------------------------------

    def _marker_command(self: Any, name: str, details: str | None) -> None:
        attributes: dict[str, Any] = {"markerName": name}
        if details is not None:
            attributes["details"] = details
        decision = {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": attributes}
        self.add_command(
            Command("M:" + name, "marker", decision, Promise(), len(details or "") + 200, name)
        )

    def marker_value(
        self: Any, name: str, compute: Callable[[], Any], codec: Codec, what: str
    ) -> Any:
        """The recorded value of marker ``name``, computing and recording it the first time."""
        if name not in self.markers and name in self.marker_seeds:
            details = self.marker_seeds[name]
            self.markers[name] = details
            self._marker_command(name, details)
        elif name not in self.markers:
            try:
                guard = self.guard
                if guard is None:
                    value = compute()
                else:
                    with guard.paused():
                        value = compute()
                body: dict[str, Any] = {"value": codec.encode(value, what)}
            except Exception as error:  # noqa: BLE001 - recorded, re-raised on every replay
                body = {"error": {"type": qualified_name(type(error)), "message": str(error)}}
            details = self.payloads.encode_data(body, what, self.scope)
            self.markers[name] = details
            self._marker_command(name, details)
        self.consumed_markers.add(name)
        data = self.payloads.decode_data(self.markers[name], what) or {}
        if "error" in data:
            raise _rebuild_error(data["error"])
        return codec.decode(data.get("value"), what)

    def nondeterministic_name(self: Any, method: str) -> str:
        """Marker name of the next ``@nondeterministic`` call: one per call site and order."""
        self.counters["marker"] += 1
        return f"nd.{self.counters['marker']}.{method}"[:256]

    @staticmethod
    def cached_name(method: str, args: Any, kwargs: Any) -> str:
        """Marker name of a ``@cached`` call: one per distinct arguments."""
        digest = hashlib.sha256(dumps(encode_any([list(args), kwargs])).encode()).hexdigest()
        return f"cache.{method}.{digest[:24]}"[:256]

    def patched(self: Any, change_id: str) -> bool:
        """True for executions that run (or ran) the new code path of ``change_id``."""
        if change_id in self.patches:
            return bool(self.patches[change_id])
        name = f"patch.{change_id}"[:256]
        if name in self.markers:
            result = True
            self.consumed_markers.add(name)
        elif not self.replaying:
            result = True
            self.markers[name] = None
            self.consumed_markers.add(name)
            self._marker_command(name, None)
        else:
            result = False
        self.patches[change_id] = result
        return result

    # --- children -----------------------------------------------------------------------

    def start_child(
        self: Any, workflow: WorkflowType, arguments: dict[str, Any], overrides: dict[str, Any]
    ) -> Promise[Any]:
        """Start a child workflow; the promise gives its decoded result."""
        self.counters["child"] += 1
        number = self.counters["child"]
        workflow_id = overrides.get("workflow_id") or f"{self.run_id or self.workflow_id}-{number}"
        what = f"input of child workflow {workflow.name} ({workflow_id})"
        text = self.payloads.encode_data(
            workflow.arguments.encode(arguments), what, self.scope, workflow.input_store
        )
        attributes: dict[str, Any] = {
            "workflowType": {"name": workflow.name, "version": workflow.version},
            "workflowId": workflow_id,
            "input": text,
            "taskList": {"name": overrides.get("task_list") or workflow.task_list},
            "executionStartToCloseTimeout": overrides.get(
                "execution_start_to_close_timeout", workflow.execution_start_to_close_timeout
            ),
            "taskStartToCloseTimeout": overrides.get(
                "task_start_to_close_timeout", workflow.task_start_to_close_timeout
            ),
            "childPolicy": overrides.get("child_policy") or workflow.child_policy,
        }
        if overrides.get("tags"):
            attributes["tagList"] = list(overrides["tags"])
        priority = overrides.get("task_priority", workflow.task_priority)
        if priority is not None:
            attributes["taskPriority"] = priority
        coro = self._child_attempts(workflow, workflow_id, attributes)
        return self.scheduler.spawn_eager(coro, f"child {workflow.name} ({workflow_id})")  # type: ignore[no-any-return]

    def child_command(
        self: Any, workflow: WorkflowType, attributes: dict[str, Any]
    ) -> Promise[Any]:
        """Queue one ``StartChildWorkflowExecution``; its promise gives the raw result."""
        workflow_id = attributes["workflowId"]
        outcome: Promise[Any] = Promise(f"child {workflow_id}")
        decision = {
            "decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": attributes,
        }
        command = Command(
            "C:" + workflow_id,
            "child",
            decision,
            outcome,
            len(attributes["input"]) + 400,
            workflow.name,
            workflow.version,
            extra={"run_id": ""},
        )
        outcome._cancel_hook = lambda: self._cancel_child(command, workflow_id)
        self.add_command(command)
        return outcome

    def _cancel_child(self: Any, command: Command, workflow_id: str) -> None:
        if self.drop_pending(command):
            command.outcome.set_exception(CancelledError(f"child {workflow_id} cancelled"))
        elif command.state == "open":
            attributes = {"workflowId": workflow_id}
            if command.extra.get("run_id"):
                attributes["runId"] = command.extra["run_id"]
            self.add_command(
                Command(
                    "RCE:" + workflow_id,
                    "cancel",
                    {
                        "decisionType": "RequestCancelExternalWorkflowExecution",
                        "requestCancelExternalWorkflowExecutionDecisionAttributes": attributes,
                    },
                    Promise(),
                )
            )

    async def _child_attempts(
        self: Any, workflow: WorkflowType, workflow_id: str, attributes: dict[str, Any]
    ) -> Any:
        throttled = 0
        while True:
            try:
                raw = await self.child_command(workflow, attributes)
            except ScheduleRefused as refused:
                if refused.cause not in RATE_CAUSES:
                    raise ChildWorkflowStartError(
                        f"SWF refused to start child workflow {workflow.name} "
                        f"({workflow_id}): {refused.cause}",
                        cause=refused.cause,
                        workflow_id=workflow_id,
                        workflow_name=workflow.name,
                    ) from None
                throttled += 1
                await self.timer_command(
                    f"{workflow_id}.wait{throttled}",
                    backoff(throttled, self.rng(workflow_id, "throttle")),
                )
                continue
            what = f"result of child workflow {workflow.name} ({workflow_id})"
            return self.payloads.decode(raw, workflow.result, what)

    # --- signals ------------------------------------------------------------------------

    def deliver_signal(self: Any, name: str, input_text: str | None, event_id: int) -> None:
        """Run the ``@signal`` handler for a ``WorkflowExecutionSignaled`` event."""
        handler = getattr(self.workflow.workflow_class, "_swf_signals", {}).get(name)
        if handler is None:
            log.warning(
                "workflow %s (%s): signal %r (event %s) has no @signal handler; kept "
                "in self.unhandled_signals",
                self.workflow.name,
                self.workflow_id,
                name,
                event_id,
            )
            self.unhandled_signals.append((name, input_text))
            return
        method_name, arguments = handler
        try:
            data = self.payloads.decode_data(input_text, f"input of signal {name!r}")
            args, kwargs = arguments.decode(data)
        except Exception as error:  # noqa: BLE001 - reported, never dropped silently
            report = SignalError(
                f"signal {name!r} (event {event_id}) could not be decoded: {error}"
            )
            log.warning("workflow %s (%s): %s", self.workflow.name, self.workflow_id, report)
            self.signal_errors.append(report)
            return

        async def run() -> None:
            result = getattr(self.instance, method_name)(*args, **kwargs)
            if inspect.isawaitable(result):
                await result

        self.watch_failure(self.spawn(run(), f"signal {name}"), f"signal {name}")

    def wait_for(self: Any, predicate: Callable[[], bool]) -> Promise[None]:
        """A promise settled once ``predicate()`` is true (checked after every step)."""
        promise: Promise[None] = Promise("wait_for")
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

    def signal_external(
        self: Any, workflow_id: str, name: str, input_text: str | None, run_id: str | None = None
    ) -> Promise[None]:
        """Signal another execution (``SignalExternalWorkflowExecution``)."""
        self.counters["signal"] += 1
        control = f"s{self.counters['signal']}"
        attributes: dict[str, Any] = {
            "workflowId": workflow_id,
            "signalName": name,
            "control": control,
        }
        if run_id:
            attributes["runId"] = run_id
        if input_text is not None:
            attributes["input"] = input_text
        outcome: Promise[None] = Promise(f"signal {name} to {workflow_id}")
        decision = {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": attributes,
        }
        self.add_command(
            Command("S:" + control, "signal", decision, outcome, len(input_text or "") + 300, name)
        )
        return outcome

    # --- closing ------------------------------------------------------------------------

    def continue_as_new(self: Any, args: Any, kwargs: Any) -> NoReturn:
        """Close this run and start the next one with new input."""
        from ..workflow._stubs import _cached_hints, check_arguments

        workflow = self.workflow
        arguments = check_arguments(
            f"{workflow.name}.continue_as_new",
            workflow.signature,
            _cached_hints(workflow),
            args,
            kwargs,
        )
        text = self.payloads.encode_data(
            workflow.arguments.encode(arguments),
            f"continue-as-new input of {workflow.name}",
            self.scope,
            workflow.input_store,
        )
        raise ContinueAsNew(text)

    def timeout(self: Any, seconds: Any) -> TimeoutScope:
        """An ``async with`` scope that cancels its body after ``seconds``."""
        return TimeoutScope(self, seconds_of(seconds))


def _rebuild_error(data: dict[str, Any]) -> BaseException:
    """The exception a marker recorded, rebuilt the same way on every run."""
    import builtins

    type_name = str(data.get("type", "Exception"))
    message = str(data.get("message", ""))
    cls = getattr(builtins, type_name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:  # noqa: BLE001 - odd constructors
            pass
    return RuntimeError(f"{type_name}: {message}")
