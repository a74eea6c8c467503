"""Running one activity task: find the code, decode the input, call it, answer SWF.

Shared by every executor: the SerialExecutor calls it inline, the SWF executor from its
activity poller threads. It never lets an exception escape without answering the task. The
``self.heartbeat()`` an activity calls is :func:`task_heartbeat` for both, so a heartbeat that
works (or fails) in tests does the same on SWF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from ..exceptions import CancelledError, PayloadTooLargeError, UnknownActivityTypeError
from ..payloads._failures import encode_failure
from ..payloads._headers import split_headers
from ..payloads._payload import Payloads
from ..swf.client import SWFClient
from ..swf.limits import MAX_DATA, MAX_HEARTBEAT_DETAILS
from ..workflow._context import activity_var
from ..workflow._declarations import REGISTRY, ActivityType, Registry
from ._manual import manual_token
from ._retrying import error_code

__all__ = [
    "ActivityExecution",
    "ActivityHook",
    "ActivityRunner",
    "ActivityTaskInfo",
    "Heartbeat",
    "task_heartbeat",
]

log = logging.getLogger("swfobjects.activity")


@dataclass(frozen=True)
class ActivityTaskInfo:
    """What an activity can know about the task it runs."""

    activity_id: str
    activity_name: str
    activity_version: str
    workflow_id: str
    run_id: str
    started_event_id: int
    task_token: str


@dataclass(frozen=True)
class ActivityExecution:
    """An activity attempt, as interceptors' ``execute_activity`` hooks see it."""

    info: ActivityTaskInfo
    headers: Mapping[str, str]
    """What the caller's ``outgoing_call`` hooks added (see ``payloads._headers``)."""
    attempt: int
    """1 for the first schedule of an activity call, 2 for the next (a retry, or a re-send
    after SWF throttled the schedule), and so on."""


class ActivityHook(Protocol):
    """What the runner needs from an interceptor (``swfobjects.worker.Interceptor``)."""

    def execute_activity(self, activity: ActivityExecution, call_next: Callable[[], Any]) -> Any:
        """Around an activity attempt; returns the result to report."""


Heartbeat = Callable[[Any], bool]
"""``heartbeat(details)``: record a heartbeat; True when the task should stop (cancellation
requested, or the task is no longer open)."""


def task_heartbeat(
    client: SWFClient,
    payloads: Payloads,
    task: dict[str, Any],
    recorded: Callable[[], None] | None = None,
) -> Heartbeat:
    """The heartbeat of an activity task, the same for every executor.

    Details are encoded like any payload (the executor's data store applies as it does to
    other payloads) and must then fit SWF's limit on heartbeat details: larger details raise
    :class:`PayloadTooLargeError` in the activity, before any call, instead of being cut
    (which would send invalid JSON) or refused by SWF with a less helpful message. A task SWF
    no longer knows (timed out, cancelled) reads as a cancellation request, so the activity
    can stop. ``recorded`` is called after each heartbeat SWF accepted.

    Made for every task and used by few: a ``partial`` (no closure cells, no function object).
    """
    return partial(_record_heartbeat, client, payloads, task, recorded)


def _record_heartbeat(
    client: SWFClient,
    payloads: Payloads,
    task: dict[str, Any],
    recorded: Callable[[], None] | None,
    details: Any = None,
) -> bool:
    """One heartbeat of :func:`task_heartbeat`."""
    params: dict[str, Any] = {"taskToken": task["taskToken"]}
    if details is not None:
        text = payloads.encode_data(details, "heartbeat details")
        if len(text) > MAX_HEARTBEAT_DETAILS:
            raise _heartbeat_too_large(len(text))
        params["details"] = text
    try:
        response = client.record_activity_task_heartbeat(**params)
    except Exception as error:
        if error_code(error) == "UnknownResourceFault":
            log.warning(
                "heartbeat for activity %s: the task is no longer open (timed out or "
                "cancelled); reporting cancellation to the activity",
                task.get("activityId", "?"),
            )
            return True
        raise
    if recorded is not None:
        recorded()
    return bool(response.get("cancelRequested"))


def _scope(task: dict[str, Any]) -> dict[str, str]:
    """The payload scope of an activity task's result or failure: its workflow execution."""
    execution = task.get("workflowExecution") or {}
    return {"workflow_id": execution.get("workflowId", ""), "run_id": execution.get("runId", "")}


def _heartbeat_too_large(size: int) -> PayloadTooLargeError:
    """The error for oversized heartbeat details, with advice that fits heartbeats."""
    error = PayloadTooLargeError("heartbeat details", size, MAX_HEARTBEAT_DETAILS)
    error.args = (
        f"heartbeat details are {size:,} characters encoded, over SWF's limit of "
        f"{MAX_HEARTBEAT_DETAILS:,} for RecordActivityTaskHeartbeat; heartbeat a small progress "
        "marker (a count, an offset, a key) and keep bulky state in the activity's result or "
        "in your own storage",
    )
    return error


class _RunningTask:
    """The task an activity runs, for ``self.heartbeat()``; its info is built on first use.

    A manual-completion activity sees a wrapped token (see ``_manual``) that names its type.
    """

    __slots__ = ("task", "_heartbeat", "_info", "_manual")

    def __init__(
        self, task: dict[str, Any], heartbeat: Heartbeat, manual: ActivityType | None = None
    ) -> None:
        self.task = task
        self._heartbeat = heartbeat
        self._info: ActivityTaskInfo | None = None
        self._manual = manual

    @property
    def info(self) -> ActivityTaskInfo:
        if self._info is None:
            task = self.task
            execution = task.get("workflowExecution") or {}
            self._info = ActivityTaskInfo(
                activity_id=task.get("activityId", ""),
                activity_name=task["activityType"]["name"],
                activity_version=task["activityType"]["version"],
                workflow_id=execution.get("workflowId", ""),
                run_id=execution.get("runId", ""),
                started_event_id=task.get("startedEventId", 0),
                task_token=task["taskToken"]
                if self._manual is None
                else manual_token(self._manual, task),
            )
        return self._info

    def heartbeat(self, details: Any) -> bool:
        return self._heartbeat(details)


class ActivityRunner:
    """Executes activity tasks with the given worker instances.

    Worker classes whose constructor takes no argument are created on demand when
    ``create_missing`` is true (the SerialExecutor's convenience). ``interceptors`` wrap
    each activity call (see ``_interceptors``).
    """

    def __init__(
        self,
        workers: Iterable[Any] = (),
        payloads: Payloads | None = None,
        registry: Registry = REGISTRY,
        create_missing: bool = True,
        interceptors: Iterable[ActivityHook] = (),
    ) -> None:
        self.interceptors = tuple(interceptors)
        self.payloads = payloads or Payloads()
        self.registry = registry
        self.create_missing = create_missing
        self._instances: dict[type, Any] = {}
        self._types: dict[tuple[str, str], tuple[Any, ActivityType]] = {}
        for worker in workers:
            self.add_worker(worker)

    def add_worker(self, worker: Any) -> None:
        """Serve the activities of ``worker`` (an ActivityWorker instance)."""
        activities = getattr(type(worker), "_swf_activities", None)
        if activities is None or isinstance(worker, type):
            raise TypeError(f"{worker!r} is not an ActivityWorker instance")
        self._instances[type(worker)] = worker
        for activity in activities.values():
            self._types[activity.key] = (worker, activity)

    def activity_types(self) -> list[ActivityType]:
        """The activity types served by the explicit workers."""
        return [activity for _, activity in self._types.values()]

    def resolve(self, name: str, version: str) -> tuple[Any, ActivityType]:
        """The worker instance and type for an SWF activity type."""
        found = self._types.get((name, version))
        if found is not None:
            return found
        activity = self.registry.activities.get((name, version))
        if activity is None or not self.create_missing:
            raise UnknownActivityTypeError(
                f"no worker here implements activity {name!r} version {version!r}"
            )
        cls = activity.worker_class
        instance = self._instances.get(cls)
        if instance is None:
            try:
                instance = cls()
            except TypeError as exc:
                raise UnknownActivityTypeError(
                    f"activity {name!r}: {cls.__qualname__} needs constructor arguments ({exc}); "
                    "pass an instance in workers=[...]"
                ) from None
            self._instances[cls] = instance
        self._types[(name, version)] = (instance, activity)
        return instance, activity

    def execute(
        self, task: dict[str, Any], heartbeat: Heartbeat
    ) -> tuple[str, dict[str, Any]] | None:
        """Run the task; returns the respond operation and its parameters, or None when a
        manual-completion activity returned (its token holder answers later)."""
        token = task["taskToken"]
        kind = task["activityType"]
        name = kind["name"]
        what = f"activity {name} ({task.get('activityId', '')})"
        payloads = self.payloads
        try:
            instance, activity = self._types.get((name, kind["version"])) or self.resolve(
                name, kind["version"]
            )
            data = payloads.decode_data(task.get("input"), "input of " + what)
            data, headers = split_headers(data)
            args, kwargs = activity.arguments.decode(data)
            method = getattr(instance, activity.method_name)
            manual = activity if activity.manual_completion else None
            running = _RunningTask(task, heartbeat, manual)
            var_token = activity_var.set(running)
            try:
                if self.interceptors:
                    value = self._intercepted(running, headers, partial(method, *args, **kwargs))
                else:
                    value = method(*args, **kwargs)
            finally:
                activity_var.reset(var_token)
            if manual is not None:
                if value is not None:
                    log.warning(
                        "%s: manual_completion activity returned %r, which is ignored; it is "
                        "answered by executor.complete_activity(token, result) (return None)",
                        what,
                        value,
                    )
                return None
            store = activity.result_store
            result = payloads.encode(
                value,
                activity.result,
                "result of " + what,
                # the scope names where a store files the payload: without one it is unused
                _scope(task) if store is not None or payloads.store is not None else None,
                store,
            )
        except CancelledError as cancelled:
            log.info("%s cancelled: %s", what, cancelled)
            params: dict[str, Any] = {"taskToken": token}
            if cancelled.args:
                params["details"] = str(cancelled.args[0])[:MAX_DATA]
            return "RespondActivityTaskCanceled", params
        except Exception as error:  # noqa: BLE001 - every failure is reported to SWF
            log.info("%s failed: %s: %s", what, type(error).__name__, error)
            reason, details = encode_failure(
                error, self.payloads, f"failure of {what}", _scope(task)
            )
            return "RespondActivityTaskFailed", {
                "taskToken": token,
                "reason": reason,
                "details": details,
            }
        if result == "null":
            return "RespondActivityTaskCompleted", {"taskToken": token}
        return "RespondActivityTaskCompleted", {"taskToken": token, "result": result}

    def _intercepted(
        self, running: _RunningTask, headers: Mapping[str, str], call: Callable[[], Any]
    ) -> Any:
        """``call()`` (the activity method) inside the interceptors' ``execute_activity``,
        the first interceptor outermost."""
        info = running.info
        _, dot, schedules = info.activity_id.rpartition(".")
        attempt = int(schedules) + 1 if dot and schedules.isdigit() else 1
        execution = ActivityExecution(info, headers, attempt)
        for interceptor in reversed(self.interceptors):
            call = partial(interceptor.execute_activity, execution, call)
        return call()
