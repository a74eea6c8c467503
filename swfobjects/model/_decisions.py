"""How the SWF model carries out ``RespondDecisionTaskCompleted``.

Each decision either records its success event (``ActivityTaskScheduled``...) or the matching
``*Failed`` event with SWF's cause; malformed decisions are refused as a whole with a
``ValidationException`` before anything is recorded, as SWF does (its ``*Failed`` causes have
no member for a malformed timeout, name or shape: its request validation refuses the whole
call, naming ``decisions.N.member...``). Decisions only drive the
collaborators below them: the executions (events, close, children), the registry (types), the
task queues (activity tasks) and the due heap (activity timeouts, timers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..swf._memo import Memo
from ..swf._shapes import DECISION_KEYS
from ..swf.limits import (
    MAX_DATA,
    MAX_FUNCTION_NAME,
    MAX_LAMBDA_TIMEOUT_SECONDS,
    MAX_NAME,
    MAX_REASON,
    MAX_TAG,
    MAX_TAGS,
    MAX_TIMEOUT_SECONDS,
)
from ..swf.names import is_valid_name
from ._due import DueHeap
from ._executions import Executions
from ._params import CHILD_POLICIES, SECONDS, check_new_name, choice
from ._params import priority as _priority
from ._params import text as _text
from ._params import timeout as _timeout
from ._queues import TaskQueues
from ._registry import Registry
from ._runtime import Runtime
from ._state import ActivityTaskState, Execution, Handler, SwfFault, TimerState, TypeRecord

__all__ = ["Decisions", "validate_decisions"]

_Apply = Callable[[Execution, dict[str, Any], int], None]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "ScheduleActivityTask": ("activityType", "activityId"),
    "RequestCancelActivityTask": ("activityId",),
    "CompleteWorkflowExecution": (),
    "FailWorkflowExecution": (),
    "CancelWorkflowExecution": (),
    "ContinueAsNewWorkflowExecution": (),
    "RecordMarker": ("markerName",),
    "StartTimer": ("timerId", "startToFireTimeout"),
    "CancelTimer": ("timerId",),
    "SignalExternalWorkflowExecution": ("workflowId", "signalName"),
    "RequestCancelExternalWorkflowExecution": ("workflowId",),
    "StartChildWorkflowExecution": ("workflowType", "workflowId"),
    "ScheduleLambdaFunction": ("id", "name"),
}
_LIMITS = {
    "input": MAX_DATA,
    "result": MAX_DATA,
    "details": MAX_DATA,
    "control": MAX_DATA,
    "reason": MAX_REASON,
    "activityId": MAX_NAME,
    "timerId": MAX_NAME,
    "markerName": MAX_NAME,
    "workflowId": MAX_NAME,
    "signalName": MAX_NAME,
    "id": MAX_NAME,
    "name": MAX_FUNCTION_NAME,
}
_CHECKED_KEYS: dict[str, tuple[str, ...]] = {
    "ScheduleActivityTask": ("activityId", "input", "control"),
    "RequestCancelActivityTask": ("activityId",),
    "CompleteWorkflowExecution": ("result",),
    "FailWorkflowExecution": ("reason", "details"),
    "CancelWorkflowExecution": ("details",),
    "ContinueAsNewWorkflowExecution": ("input",),
    "RecordMarker": ("markerName", "details"),
    "StartTimer": ("timerId", "control"),
    "CancelTimer": ("timerId",),
    "SignalExternalWorkflowExecution": ("workflowId", "signalName", "input", "control"),
    "RequestCancelExternalWorkflowExecution": ("workflowId", "control"),
    "StartChildWorkflowExecution": ("workflowId", "input", "control"),
    "ScheduleLambdaFunction": ("id", "name", "input", "control"),
}
_CHECKED: dict[str, tuple[tuple[str, int], ...]] = {
    decision_type: tuple((key, _LIMITS[key]) for key in keys)
    for decision_type, keys in _CHECKED_KEYS.items()
}
"""Per decision type, the string attributes whose length SWF limits (checked if present)."""
_NAMED: dict[str, str] = {
    "ScheduleActivityTask": "activityId",
    "StartTimer": "timerId",
    "RecordMarker": "markerName",
    "SignalExternalWorkflowExecution": "signalName",
    "StartChildWorkflowExecution": "workflowId",
}
"""Per decision type, the id or name it creates, which must follow SWF's name rule."""
_TIMEOUTS: dict[str, tuple[tuple[str, bool, int], ...]] = {
    "ScheduleActivityTask": (
        ("scheduleToStartTimeout", True, MAX_TIMEOUT_SECONDS),
        ("scheduleToCloseTimeout", True, MAX_TIMEOUT_SECONDS),
        ("startToCloseTimeout", True, MAX_TIMEOUT_SECONDS),
        ("heartbeatTimeout", True, MAX_TIMEOUT_SECONDS),
    ),
    "StartTimer": (("startToFireTimeout", False, MAX_TIMEOUT_SECONDS),),
    "StartChildWorkflowExecution": (
        ("executionStartToCloseTimeout", True, MAX_TIMEOUT_SECONDS),
        ("taskStartToCloseTimeout", True, MAX_TIMEOUT_SECONDS),
    ),
    "ContinueAsNewWorkflowExecution": (
        ("executionStartToCloseTimeout", True, MAX_TIMEOUT_SECONDS),
        ("taskStartToCloseTimeout", True, MAX_TIMEOUT_SECONDS),
    ),
    "ScheduleLambdaFunction": (("startToCloseTimeout", False, MAX_LAMBDA_TIMEOUT_SECONDS),),
}
"""Per decision type, its timeouts: (attribute, whether ``NONE`` is allowed, most seconds)."""
_TYPE_REFS: dict[str, tuple[str, ...]] = {
    "ScheduleActivityTask": ("activityType",),
    "StartChildWorkflowExecution": ("workflowType",),
}
_VALUES_CHECKED = frozenset(_TIMEOUTS) | frozenset(_TYPE_REFS)
"""The decision types :func:`_check_values` looks at (the others have no such values)."""
_CLOSE = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


_PLAIN_ACTIVITY_KEYS = frozenset(
    {
        "activityType",
        "activityId",
        "taskList",
        "scheduleToStartTimeout",
        "scheduleToCloseTimeout",
        "startToCloseTimeout",
        "heartbeatTimeout",
        "input",
        "control",
    }
)
"""The attributes :func:`_plain_activity` knows how to check (no priority, tags or policy)."""


def _plain_seconds(value: Any) -> bool:
    """True for a timeout of digits within SWF's maximum."""
    return (
        type(value) is str
        and value.isdigit()
        and value.isascii()
        and int(value) <= MAX_TIMEOUT_SECONDS
    )


def _plain_timeout(value: Any) -> bool:
    """True for a timeout :func:`_plain_activity` accepts: absent, ``NONE`` or plain seconds."""
    return value is None or value == "NONE" or _plain_seconds(value)


_PLAIN_TIMEOUT: Memo[Any, bool] = Memo(_plain_timeout, 64)
"""``_PLAIN_TIMEOUT[value]``: :func:`_plain_timeout`, remembered. A decider sends the same few
timeouts with every activity, and one lookup costs a fraction of the calls that check a
string's digits and value. Sound because the verdict depends only on the value, and a value
is found only under one equal to it: for a ``str``, that text (any value equal to a ``str``
is one, or a subclass the check treats alike)."""


def _plain_activity(attrs: dict[str, Any]) -> bool:
    """True when a ``ScheduleActivityTask``'s attributes pass every check the general path
    below makes, written out for the shape the decider sends: this runs for every scheduled
    activity, and the general path's tables, loops and helper calls cost it twice as much.
    False only means "not sure": the general path then decides, and names the problem.
    """
    if not attrs.keys() <= _PLAIN_ACTIVITY_KEYS:
        return False
    get = attrs.get
    activity_id = get("activityId")
    kind = get("activityType")
    task_list = get("taskList", _SOME_TASK_LIST)
    if not (
        type(activity_id) is str
        and len(activity_id) <= MAX_NAME
        and is_valid_name(activity_id)  # refuses "" too
        and type(kind) is dict
        and type(task_list) is dict
    ):
        return False
    name, version, list_name = kind.get("name"), kind.get("version"), task_list.get("name")
    text, control = get("input"), get("control")
    if not (
        type(name) is str
        and name
        and type(version) is str
        and version
        and type(list_name) is str
        and list_name
        and (text is None or (type(text) is str and len(text) <= MAX_DATA))
        and (control is None or (type(control) is str and len(control) <= MAX_DATA))
    ):
        return False
    plain = _PLAIN_TIMEOUT  # all four allow NONE, with the same maximum
    try:
        return (
            plain[get("scheduleToStartTimeout")]
            and plain[get("scheduleToCloseTimeout")]
            and plain[get("startToCloseTimeout")]
            and plain[get("heartbeatTimeout")]
        )
    except TypeError:  # unhashable: not a timeout
        return False


_SOME_TASK_LIST = {"name": "-"}
"""Stands in for an absent ``taskList`` in :func:`_plain_activity` (absent is fine)."""


def validate_decisions(decisions: list[Any]) -> None:
    """Refuse malformed decisions with SWF's ``ValidationException`` (nothing recorded)."""
    for index, decision in enumerate(decisions):
        if (
            type(decision) is dict
            and decision.get("decisionType") == "ScheduleActivityTask"
            and type(attrs := decision.get("scheduleActivityTaskDecisionAttributes")) is dict
            and _plain_activity(attrs)
        ):
            continue  # the common case, checked at once
        if not isinstance(decision, dict):
            raise SwfFault("ValidationException", f"{_where(index)} must be an object")
        decision_type = decision.get("decisionType")
        if decision_type not in _REQUIRED:
            raise SwfFault(
                "ValidationException",
                f"{_where(index)}.decisionType: unknown decision type {decision_type!r}",
            )
        attrs_key = DECISION_KEYS[decision_type]
        attrs = decision.get(attrs_key)
        if attrs is None:
            attrs = {}
        if not isinstance(attrs, dict):
            raise SwfFault("ValidationException", f"{_where(index)}: attributes must be an object")
        for key in _REQUIRED[decision_type]:
            if not attrs.get(key):
                raise SwfFault(
                    "ValidationException",
                    f"{_where(index)}.{attrs_key}.{key}: required for {decision_type}",
                )
        for key, limit in _CHECKED[decision_type]:
            value = attrs.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or len(value) > limit:
                raise SwfFault(
                    "ValidationException",
                    f"1 validation error detected: Value at '{_where(index)}."
                    f"{attrs_key}.{key}' failed to satisfy constraint: Member "
                    f"must have length less than or equal to {limit}",
                )
        named = _NAMED.get(decision_type)
        if named is not None and not is_valid_name(attrs[named]):
            check_new_name(attrs[named], f"{_where(index)}.{attrs_key}.{named}")
        if decision_type in _VALUES_CHECKED:
            _check_values(decision_type, attrs, index, attrs_key)


def _check_values(decision_type: str, attrs: dict[str, Any], index: int, attrs_key: str) -> None:
    """Timeouts, priorities, enums and nested shapes of one decision, as SWF checks them.

    Refused here, the whole response changes nothing; let through, a timeout like ``"nan"``
    or ``"²"`` would reach ``float()`` or the due heap after events were recorded.
    """
    get = attrs.get
    for key, allow_none, maximum in _TIMEOUTS.get(decision_type, ()):
        value = get(key)
        if value is None or (value == "NONE" and allow_none):
            continue
        if type(value) is str and value.isascii() and value.isdigit() and int(value) <= maximum:
            continue  # swf.values.is_timeout, inline: this runs for every scheduled activity
        _timeout(value, _path(index, attrs_key, key), allow_none=allow_none, maximum=maximum)
    if attrs.get("taskPriority") is not None:
        _priority(attrs["taskPriority"], _path(index, attrs_key, "taskPriority"))
    if attrs.get("childPolicy") is not None:
        choice(attrs, "childPolicy", CHILD_POLICIES)
    for key in _TYPE_REFS.get(decision_type, ()):
        ref = attrs.get(key)
        if not _is_ref(ref, ("name", "version")):
            _refuse_ref(_path(index, attrs_key, key), ("name", "version"))
    task_list = attrs.get("taskList")
    if task_list is not None and not _is_ref(task_list, ("name",)):
        _refuse_ref(_path(index, attrs_key, "taskList"), ("name",))
    tags = attrs.get("tagList")
    if tags is not None and (
        not isinstance(tags, list)
        or len(tags) > MAX_TAGS
        or not all(isinstance(tag, str) and len(tag) <= MAX_TAG for tag in tags)
    ):
        raise SwfFault(
            "ValidationException",
            f"{_path(index, attrs_key, 'tagList')}: at most {MAX_TAGS} strings of at most "
            f"{MAX_TAG} characters",
        )


def _is_ref(value: Any, members: tuple[str, ...]) -> bool:
    """True for a type reference or task list: an object whose ``members`` are non-empty
    strings (one or two of them: written out, this runs for every scheduled activity)."""
    if type(value) is not dict:
        return False
    first = value.get(members[0])
    if type(first) is not str or not first:
        return False
    if len(members) == 1:
        return True
    second = value.get(members[1])
    return type(second) is str and bool(second)


def _refuse_ref(where: str, members: tuple[str, ...]) -> None:
    raise SwfFault(
        "ValidationException", f"{where}: an object with {' and '.join(members)} (strings)"
    )


def _where(index: int) -> str:
    """How SWF names the ``index``-th decision in an error (built only when one is raised)."""
    return f"decisions.{index + 1}.member"


def _path(index: int, attrs_key: str, key: str) -> str:
    """The path SWF names in an error about one attribute of the ``index``-th decision."""
    return f"{_where(index)}.{attrs_key}.{key}"


_CLOSE_EVENTS = {
    "CompleteWorkflowExecution": (
        "COMPLETED",
        "WorkflowExecutionCompleted",
        "CompleteWorkflowExecutionFailed",
        ("result",),
    ),
    "FailWorkflowExecution": (
        "FAILED",
        "WorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        ("reason", "details"),
    ),
    "CancelWorkflowExecution": (
        "CANCELED",
        "WorkflowExecutionCanceled",
        "CancelWorkflowExecutionFailed",
        ("details",),
    ),
}


class Decisions:
    """RespondDecisionTaskCompleted: validate the decisions, then record each one's outcome."""

    __slots__ = (
        "_runtime",
        "_executions",
        "_queues",
        "_due",
        "_types",
        "_listeners",
        "_handlers",
    )

    def __init__(
        self,
        runtime: Runtime,
        registry: Registry,
        executions: Executions,
        queues: TaskQueues,
        due: DueHeap,
    ) -> None:
        self._runtime = runtime
        self._executions = executions
        self._queues = queues
        self._due = due
        self._types: dict[tuple[str, str, str, str], TypeRecord] = registry.types
        self._listeners = runtime.listeners  # notified inline
        self._handlers: dict[str, _Apply] = {
            "ScheduleActivityTask": self._schedule_activity,
            "RequestCancelActivityTask": self._request_cancel_activity,
            "StartTimer": self._start_timer,
            "CancelTimer": self._cancel_timer,
            "RecordMarker": self._record_marker,
            "StartChildWorkflowExecution": self._start_child,
            "SignalExternalWorkflowExecution": self._signal_external,
            "RequestCancelExternalWorkflowExecution": self._cancel_external,
            "ScheduleLambdaFunction": self._schedule_lambda,
        }

    def operations(self) -> dict[str, Handler]:
        """The SWF operations this collaborator serves, by name."""
        return {"RespondDecisionTaskCompleted": self.respond_decision_task_completed}

    def respond_decision_task_completed(self, params: dict[str, Any]) -> dict[str, Any]:
        """Close the started decision task and carry out its decisions, in order."""
        execution = self._queues.decision_task(params.get("taskToken"))
        decisions = params.get("decisions") or []
        if not isinstance(decisions, list):
            raise SwfFault("ValidationException", "decisions must be a list")
        validate_decisions(decisions)
        context = params.get("executionContext")
        if context is not None:  # most decisions send none: no call then
            context = _text(params, "executionContext")
        # SWF's sticky task list: checked as SWF checks it, though the model keeps no sticky
        # routing (its next decision task goes to the execution's own task list)
        sticky = params.get("taskListScheduleToStartTimeout")
        if sticky is not None:
            _timeout(sticky, "taskListScheduleToStartTimeout")
        self._queues.drop_decision_token(execution)
        attributes: dict[str, Any] = {
            "scheduledEventId": execution.decision_scheduled_id,
            "startedEventId": execution.decision_started_id,
        }
        if context is not None:
            attributes["executionContext"] = context
            execution.latest_context = context
        unhandled = execution.decision_needed
        execution.decision_needed = False  # the state stays "started": wakers only mark
        completed_id = self._executions.append(execution, "DecisionTaskCompleted", attributes)
        execution.previous_started_id = execution.decision_started_id
        handlers = self._handlers
        for decision in decisions:  # each decision's outcome, in order
            if execution.close_status is not None:
                break
            decision_type = decision["decisionType"]
            attrs_key = DECISION_KEYS[decision_type]
            attrs = decision.get(attrs_key) or {}  # read, never written or kept by a handler
            if decision_type in _CLOSE:
                self._close(execution, decision_type, attrs, completed_id, unhandled)
            else:
                handlers[decision_type](execution, attrs, completed_id)
        if execution.close_status is None:
            needed = unhandled or execution.decision_needed
            execution.decision_state = "none"
            if needed:
                self._executions.schedule_decision(execution)
        for listener in self._listeners:  # runtime.notify(), inline
            listener()
        return {}

    def _start_timer_at(
        self, execution: Execution, timer_id: str, seconds: float, started_id: int
    ) -> None:
        """Arm a timer."""
        timer = TimerState(timer_id, started_id, self._runtime.now() + seconds)
        execution.timers[timer_id] = timer
        self._due.push(timer.fire_at, "timer", execution, timer)

    def _schedule_activity(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int
    ) -> None:
        kind = attrs["activityType"]
        activity_id = attrs["activityId"]
        record = self._types.get(
            ("activity", execution.domain, kind.get("name"), kind.get("version"))
        )
        cause: str | None = None  # SWF's ScheduleActivityTaskFailed cause, if it refuses
        if record is None:
            cause = "ACTIVITY_TYPE_DOES_NOT_EXIST"
        elif record.status != "REGISTERED":
            cause = "ACTIVITY_TYPE_DEPRECATED"
        elif activity_id in execution.activities:
            cause = "ACTIVITY_ID_ALREADY_IN_USE"
        elif len(execution.activities) >= self._runtime.quotas.open_activities:
            cause = "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
        if cause is not None or record is None:
            self._refuse_activity(execution, kind, activity_id, cause or "", completed_id)
            return
        defaults = record.defaults
        get = attrs.get
        task_list: Any
        to_start: Any
        to_close: Any
        start_to_close: Any
        heartbeat: Any
        task_list = get("taskList") or defaults.get("defaultTaskList")
        to_start = get("scheduleToStartTimeout") or defaults.get(
            "defaultTaskScheduleToStartTimeout"
        )
        to_close = get("scheduleToCloseTimeout") or defaults.get(
            "defaultTaskScheduleToCloseTimeout"
        )
        start_to_close = get("startToCloseTimeout") or defaults.get(
            "defaultTaskStartToCloseTimeout"
        )
        heartbeat = get("heartbeatTimeout") or defaults.get("defaultTaskHeartbeatTimeout")
        if not task_list:
            cause = "DEFAULT_TASK_LIST_UNDEFINED"
        elif to_start is None:
            cause = "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"
        elif to_close is None:
            cause = "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"
        elif start_to_close is None:
            cause = "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"
        elif heartbeat is None:
            cause = "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"
        if cause is not None:
            self._refuse_activity(execution, kind, activity_id, cause, completed_id)
            return
        activity_type = kind.copy()  # an exact dict (checked): a copy is cheaper than dict()
        task_list_name = task_list["name"]
        event: dict[str, Any] = {
            "activityType": activity_type,
            "activityId": activity_id,
            "taskList": {"name": task_list_name},
            "decisionTaskCompletedEventId": completed_id,
            "scheduleToStartTimeout": to_start,
            "scheduleToCloseTimeout": to_close,
            "startToCloseTimeout": start_to_close,
            "heartbeatTimeout": heartbeat,
        }
        text = get("input")
        if text is not None:
            event["input"] = text
        control = get("control")
        if control is not None:
            event["control"] = control
        priority = get("taskPriority", defaults.get("defaultTaskPriority"))
        if priority is not None:
            event["taskPriority"] = priority
        scheduled_id = self._executions.append(execution, "ActivityTaskScheduled", event)
        runtime = self._runtime
        now = runtime.call_now  # runtime.now(), inline: once per activity
        if now is None:
            now = runtime.now()
        task = ActivityTaskState(
            execution,
            activity_id,
            activity_type,
            scheduled_id,
            task_list_name,
            text,
            to_start,
            to_close,
            start_to_close,
            heartbeat,
            priority,
            now,
        )
        self._queues.add_activity(task)  # arm its schedule-to-start/close timeouts:
        if to_start != "NONE":
            self._due.push(
                task.scheduled_at + SECONDS[to_start], "activity", task, "SCHEDULE_TO_START"
            )
        if to_close != "NONE":
            self._due.push(
                task.scheduled_at + SECONDS[to_close], "activity", task, "SCHEDULE_TO_CLOSE"
            )

    def _refuse_activity(
        self,
        execution: Execution,
        kind: dict[str, Any],
        activity_id: str,
        cause: str,
        completed_id: int,
    ) -> None:
        attributes = {
            "activityType": dict(kind),
            "activityId": activity_id,
            "cause": cause,
            "decisionTaskCompletedEventId": completed_id,
        }
        self._executions.append(execution, "ScheduleActivityTaskFailed", attributes)

    def _request_cancel_activity(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int
    ) -> None:
        activity_id = attrs["activityId"]
        task = execution.activities.get(activity_id)
        if task is None:
            self._executions.append(
                execution,
                "RequestCancelActivityTaskFailed",
                {
                    "activityId": activity_id,
                    "cause": "ACTIVITY_ID_UNKNOWN",
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        task.cancel_requested_event_id = self._executions.append(
            execution,
            "ActivityTaskCancelRequested",
            {"decisionTaskCompletedEventId": completed_id, "activityId": activity_id},
        )
        if not task.started_event_id:
            self._queues.close_activity(task)
            self._executions.append(
                execution,
                "ActivityTaskCanceled",
                {
                    "scheduledEventId": task.scheduled_event_id,
                    "startedEventId": 0,
                    "latestCancelRequestedEventId": task.cancel_requested_event_id,
                },
            )

    def _start_timer(self, execution: Execution, attrs: dict[str, Any], completed_id: int) -> None:
        timer_id = attrs["timerId"]
        cause = None
        if timer_id in execution.timers:
            cause = "TIMER_ID_ALREADY_IN_USE"
        elif len(execution.timers) >= self._runtime.quotas.open_timers:
            cause = "OPEN_TIMERS_LIMIT_EXCEEDED"
        if cause is not None:
            self._executions.append(
                execution,
                "StartTimerFailed",
                {
                    "timerId": timer_id,
                    "cause": cause,
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        event: dict[str, Any] = {
            "timerId": timer_id,
            "startToFireTimeout": attrs["startToFireTimeout"],
            "decisionTaskCompletedEventId": completed_id,
        }
        if attrs.get("control") is not None:
            event["control"] = attrs["control"]
        started_id = self._executions.append(execution, "TimerStarted", event)
        self._start_timer_at(execution, timer_id, float(attrs["startToFireTimeout"]), started_id)

    def _cancel_timer(self, execution: Execution, attrs: dict[str, Any], completed_id: int) -> None:
        timer_id = attrs["timerId"]
        timer = execution.timers.pop(timer_id, None)
        if timer is None:
            self._executions.append(
                execution,
                "CancelTimerFailed",
                {
                    "timerId": timer_id,
                    "cause": "TIMER_ID_UNKNOWN",
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        self._executions.append(
            execution,
            "TimerCanceled",
            {
                "timerId": timer_id,
                "startedEventId": timer.started_event_id,
                "decisionTaskCompletedEventId": completed_id,
            },
        )

    def _record_marker(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int
    ) -> None:
        event: dict[str, Any] = {
            "markerName": attrs["markerName"],
            "decisionTaskCompletedEventId": completed_id,
        }
        if attrs.get("details") is not None:
            event["details"] = attrs["details"]
        self._executions.append(execution, "MarkerRecorded", event)

    def _start_child(self, execution: Execution, attrs: dict[str, Any], completed_id: int) -> None:
        record = self._types.get(
            (
                "workflow",
                execution.domain,
                attrs["workflowType"].get("name"),
                attrs["workflowType"].get("version"),
            )
        )
        defaults = record.defaults if record is not None else {}
        event: dict[str, Any] = {
            "workflowId": attrs["workflowId"],
            "workflowType": dict(attrs["workflowType"]),
            "taskList": attrs.get("taskList") or defaults.get("defaultTaskList") or {"name": ""},
            "decisionTaskCompletedEventId": completed_id,
            "childPolicy": attrs.get("childPolicy")
            or defaults.get("defaultChildPolicy")
            or "TERMINATE",
        }
        for key in (
            "control",
            "input",
            "executionStartToCloseTimeout",
            "taskPriority",
            "taskStartToCloseTimeout",
            "tagList",
            "lambdaRole",
        ):
            if attrs.get(key) is not None:
                event[key] = attrs[key]
        cause = None
        if len(execution.children) >= self._runtime.quotas.open_children:
            cause = "OPEN_CHILDREN_LIMIT_EXCEEDED"
        initiated_id = self._executions.append(
            execution, "StartChildWorkflowExecutionInitiated", event
        )
        if cause is None:
            cause = self._executions.start_child(execution, attrs, initiated_id)
        if cause:
            failed: dict[str, Any] = {
                "workflowType": dict(attrs["workflowType"]),
                "cause": cause,
                "workflowId": attrs["workflowId"],
                "initiatedEventId": initiated_id,
                "decisionTaskCompletedEventId": completed_id,
            }
            if attrs.get("control") is not None:
                failed["control"] = attrs["control"]
            self._executions.append(execution, "StartChildWorkflowExecutionFailed", failed)

    def _external(self, execution: Execution, attrs: dict[str, Any]) -> Execution | None:
        """The open run a signal or cancel decision targets, or None."""
        target = self._executions.open_by_id.get((execution.domain, attrs["workflowId"]))
        if target is None or (attrs.get("runId") and target.run_id != attrs["runId"]):
            return None
        return target

    def _unknown_external(
        self,
        execution: Execution,
        event_type: str,
        attrs: dict[str, Any],
        initiated_id: int,
        completed_id: int,
    ) -> None:
        """The ``*Failed`` event for a signal or cancel request to an execution that is not open."""
        failed: dict[str, Any] = {
            "workflowId": attrs["workflowId"],
            "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
            "initiatedEventId": initiated_id,
            "decisionTaskCompletedEventId": completed_id,
        }
        for key in ("runId", "control"):
            if attrs.get(key) is not None:
                failed[key] = attrs[key]
        self._executions.append(execution, event_type, failed)

    def _signal_external(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int
    ) -> None:
        event: dict[str, Any] = {
            "workflowId": attrs["workflowId"],
            "signalName": attrs["signalName"],
            "decisionTaskCompletedEventId": completed_id,
        }
        for key in ("runId", "input", "control"):
            if attrs.get(key) is not None:
                event[key] = attrs[key]
        initiated_id = self._executions.append(
            execution, "SignalExternalWorkflowExecutionInitiated", event
        )
        target = self._external(execution, attrs)
        if target is None:
            self._unknown_external(
                execution,
                "SignalExternalWorkflowExecutionFailed",
                attrs,
                initiated_id,
                completed_id,
            )
            return
        signaled: dict[str, Any] = {
            "signalName": attrs["signalName"],
            "externalWorkflowExecution": execution.execution_ref,
            "externalInitiatedEventId": initiated_id,
        }
        if attrs.get("input") is not None:
            signaled["input"] = attrs["input"]
        self._executions.append(target, "WorkflowExecutionSignaled", signaled)
        self._executions.append(
            execution,
            "ExternalWorkflowExecutionSignaled",
            {
                "workflowExecution": target.execution_ref,
                "initiatedEventId": initiated_id,
            },
        )

    def _cancel_external(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int
    ) -> None:
        event: dict[str, Any] = {
            "workflowId": attrs["workflowId"],
            "decisionTaskCompletedEventId": completed_id,
        }
        for key in ("runId", "control"):
            if attrs.get(key) is not None:
                event[key] = attrs[key]
        initiated_id = self._executions.append(
            execution, "RequestCancelExternalWorkflowExecutionInitiated", event
        )
        target = self._external(execution, attrs)
        if target is None:
            self._unknown_external(
                execution,
                "RequestCancelExternalWorkflowExecutionFailed",
                attrs,
                initiated_id,
                completed_id,
            )
            return
        self._executions.request_cancel(
            target,
            {
                "externalWorkflowExecution": execution.execution_ref,
                "externalInitiatedEventId": initiated_id,
            },
        )
        self._executions.append(
            execution,
            "ExternalWorkflowExecutionCancelRequested",
            {
                "workflowExecution": target.execution_ref,
                "initiatedEventId": initiated_id,
            },
        )

    def _schedule_lambda(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int
    ) -> None:
        # A local service has no Lambda: answer as SWF does in a region without it.
        self._executions.append(
            execution,
            "ScheduleLambdaFunctionFailed",
            {
                "id": attrs["id"],
                "name": attrs["name"],
                "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
                "decisionTaskCompletedEventId": completed_id,
            },
        )

    def _close(
        self,
        execution: Execution,
        decision_type: str,
        attrs: dict[str, Any],
        completed_id: int,
        unhandled: bool,
    ) -> None:
        """Complete, fail or cancel the run, unless events arrived it has not seen."""
        if decision_type == "ContinueAsNewWorkflowExecution":
            self._continue_as_new(execution, attrs, completed_id, unhandled)
            return
        status, event_type, failed_type, keys = _CLOSE_EVENTS[decision_type]
        if unhandled or execution.decision_needed:
            self._executions.append(
                execution,
                failed_type,
                {
                    "cause": "UNHANDLED_DECISION",
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        event: dict[str, Any] = {"decisionTaskCompletedEventId": completed_id}
        for key in keys:
            if attrs.get(key) is not None:
                event[key] = attrs[key]
        self._executions.close(execution, status, event_type, event)

    def _continue_as_new(
        self, execution: Execution, attrs: dict[str, Any], completed_id: int, unhandled: bool
    ) -> None:
        """Close the run as CONTINUED_AS_NEW and start its next run, or record why not."""
        if unhandled or execution.decision_needed:
            self._executions.append(
                execution,
                "ContinueAsNewWorkflowExecutionFailed",
                {
                    "cause": "UNHANDLED_DECISION",
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        params = {
            "workflowType": {
                "name": execution.workflow_type["name"],
                "version": attrs.get("workflowTypeVersion") or execution.workflow_type["version"],
            },
            "taskList": attrs.get("taskList") or {"name": execution.task_list},
            "executionStartToCloseTimeout": attrs.get("executionStartToCloseTimeout")
            or execution.execution_timeout,
            "taskStartToCloseTimeout": attrs.get("taskStartToCloseTimeout")
            or execution.task_timeout,
            "childPolicy": attrs.get("childPolicy") or execution.child_policy,
            "tagList": attrs.get("tagList") if attrs.get("tagList") is not None else execution.tags,
        }
        for key in ("input", "taskPriority", "lambdaRole"):
            if attrs.get(key) is not None:
                params[key] = attrs[key]
        try:
            new_run_id = self._executions.continue_as_new(execution, params)
        except SwfFault as fault:
            cause = {
                "UnknownResourceFault": "WORKFLOW_TYPE_DOES_NOT_EXIST",
                "TypeDeprecatedFault": "WORKFLOW_TYPE_DEPRECATED",
            }.get(
                fault.code,
                fault.message
                if fault.code == "DefaultUndefinedFault"
                else "OPERATION_NOT_PERMITTED",
            )
            self._executions.append(
                execution,
                "ContinueAsNewWorkflowExecutionFailed",
                {
                    "cause": cause,
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        event: dict[str, Any] = {
            "decisionTaskCompletedEventId": completed_id,
            "newExecutionRunId": new_run_id,
            "executionStartToCloseTimeout": params["executionStartToCloseTimeout"],
            "taskList": params["taskList"],
            "taskStartToCloseTimeout": params["taskStartToCloseTimeout"],
            "childPolicy": params["childPolicy"],
            "workflowType": params["workflowType"],
        }
        for key in ("input", "taskPriority", "lambdaRole"):
            if params.get(key) is not None:
                event[key] = params[key]
        if params["tagList"]:
            event["tagList"] = params["tagList"]
        self._executions.close(
            execution, "CONTINUED_AS_NEW", "WorkflowExecutionContinuedAsNew", event
        )
