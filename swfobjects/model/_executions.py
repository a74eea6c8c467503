"""The executions of the SWF model: every run, its history, and its life from start to close
(and, after its domain's retention period, its deletion).

Owns ``runs`` and ``open_by_id`` and is the only writer of history events (:meth:`append`),
so what an event implies happens in one place: a decision-waking event schedules a decision
task, and the event that reaches the ``history_events`` quota (SWF: 25,000) terminates the
run. Below it: the registry (types to start), the task queues (decision tasks, tokens to drop
on close) and the due heap (execution timeouts); it calls none of the collaborators above it.
"""

from __future__ import annotations

from typing import Any

from ..swf._shapes import EVENT_KEYS
from ..swf.limits import MAX_REASON, MAX_TAG, MAX_TAGS
from ..swf.values import retention_seconds
from ._due import DueHeap
from ._paging import paged
from ._params import CHILD_POLICIES, check_new_name, choice
from ._params import name as _name
from ._params import priority as _priority
from ._params import seconds as _seconds
from ._params import text as _text
from ._params import timeout as _timeout
from ._queues import TaskQueues
from ._registry import Registry
from ._runtime import Runtime
from ._state import ChildState, Execution, Handler, SwfFault

__all__ = ["Executions"]

_DECISION_WAKERS = frozenset(
    {
        "WorkflowExecutionStarted",
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
        "TimerFired",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "StartChildWorkflowExecutionFailed",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionFailed",
        "ScheduleActivityTaskFailed",
        "RequestCancelActivityTaskFailed",
        "StartTimerFailed",
        "CancelTimerFailed",
        "RecordMarkerFailed",
        "ScheduleLambdaFunctionFailed",
        "CompleteWorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        "CancelWorkflowExecutionFailed",
        "ContinueAsNewWorkflowExecutionFailed",
        "DecisionTaskTimedOut",
    }
)
"""Events after which the workflow has something to decide: they schedule a decision task."""


class Executions:
    """StartWorkflowExecution, signals, cancel and terminate requests, history, description;
    and the lifecycle the other collaborators drive (append, close, children, continue)."""

    __slots__ = (
        "runs",
        "open_by_id",
        "retention",
        "_runtime",
        "_registry",
        "_queues",
        "_due",
        "_listeners",
    )

    def __init__(
        self, runtime: Runtime, registry: Registry, queues: TaskQueues, due: DueHeap
    ) -> None:
        self._runtime = runtime
        self._registry = registry
        self._queues = queues
        self._due = due
        self._listeners = runtime.listeners  # notified inline where it is hot
        self.runs: dict[tuple[str, str, str], Execution] = {}
        self.open_by_id: dict[tuple[str, str], Execution] = {}
        self.retention = True
        """Delete closed runs after their domain's retention period, as SWF does (off: kept
        for ever, for the SerialExecutor, whose clock skips ahead)."""

    def operations(self) -> dict[str, Handler]:
        """The SWF operations this collaborator serves, by name."""
        return {
            "StartWorkflowExecution": self.start_workflow_execution,
            "SignalWorkflowExecution": self.signal_workflow_execution,
            "RequestCancelWorkflowExecution": self.request_cancel_workflow_execution,
            "TerminateWorkflowExecution": self.terminate_workflow_execution,
            "GetWorkflowExecutionHistory": self.get_workflow_execution_history,
            "DescribeWorkflowExecution": self.describe_workflow_execution,
        }

    # --- events -------------------------------------------------------------------------

    def append(self, execution: Execution, event_type: str, attributes: dict[str, Any]) -> int:
        """Record an event in the history of ``execution``; returns its event id.

        A decision-waking event schedules a decision task; the event before the last one SWF
        allows terminates the run (the terminated event is the last).
        """
        events = execution.events
        event_id = len(events) + 1
        runtime = self._runtime
        now = runtime.call_now
        events.append(
            {
                "eventTimestamp": now if now is not None else float(runtime.clock()),
                "eventType": event_type,
                "eventId": event_id,
                EVENT_KEYS[event_type]: attributes,
            }
        )
        if execution.close_status is not None:
            return event_id
        if event_type in _DECISION_WAKERS:  # a decision task, or one needed after this one
            state = execution.decision_state
            if state == "started":
                execution.decision_needed = True
            elif state == "none":
                self.schedule_decision(execution)  # appends (and checks) its own event
        if (
            event_id >= runtime.quotas.history_events - 1  # the terminated event is the last one
            and execution.close_status is None
            and event_type != "WorkflowExecutionTerminated"
        ):
            self.terminate(execution, "EVENT_LIMIT_EXCEEDED", None, None)
        return event_id

    def schedule_decision(self, execution: Execution) -> None:
        """Record ``DecisionTaskScheduled`` and queue the decision task."""
        execution.decision_state = "scheduled"
        execution.decision_needed = False
        runtime = self._runtime
        now = runtime.call_now  # runtime.now(), inline: once per decision task
        execution.decision_scheduled_at = now if now is not None else runtime.now()
        attributes: dict[str, Any] = {
            "taskList": {"name": execution.task_list},
            "startToCloseTimeout": execution.task_timeout,
        }
        if execution.task_priority is not None:
            attributes["taskPriority"] = execution.task_priority
        event_id = self.append(execution, "DecisionTaskScheduled", attributes)
        execution.decision_scheduled_id = event_id
        self._queues.add_decision(execution, event_id)
        for listener in self._listeners:  # runtime.notify(), inline
            listener()

    # --- finding executions -------------------------------------------------------------

    def find(self, domain: str, ref: Any) -> Execution:
        """The run ``ref`` names (``{"workflowId", "runId"?}``): without a run id, the open
        run, else the latest one."""
        if not isinstance(ref, dict) or "workflowId" not in ref:
            raise SwfFault("ValidationException", "execution must have a workflowId")
        run_id = ref.get("runId")
        if run_id:
            execution = self.runs.get((domain, ref["workflowId"], run_id))
        else:
            execution = self.open_by_id.get((domain, ref["workflowId"]))
            if execution is None:
                latest = [
                    e
                    for (d, w, _), e in self.runs.items()
                    if d == domain and w == ref["workflowId"]
                ]
                execution = max(latest, key=lambda e: e.started_at) if latest else None
        if execution is None:
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown execution: WorkflowExecution=[workflowId={ref['workflowId']}, "
                f"runId={run_id}]",
            )
        return execution

    def find_open(self, domain: str, workflow_id: str, run_id: str | None) -> Execution:
        """The open run of ``workflow_id`` (checked against ``run_id`` if given)."""
        execution = self.open_by_id.get((domain, workflow_id))
        if execution is None or (run_id and execution.run_id != run_id):
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]",
            )
        return execution

    # --- starting executions ------------------------------------------------------------

    def start_workflow_execution(self, params: dict[str, Any]) -> dict[str, Any]:
        # the request's own values first, as SWF checks a request before looking anything up
        _timeout(params.get("executionStartToCloseTimeout"), "executionStartToCloseTimeout")
        _timeout(params.get("taskStartToCloseTimeout"), "taskStartToCloseTimeout")
        _priority(params.get("taskPriority"), "taskPriority")
        choice(params, "childPolicy", CHILD_POLICIES)
        domain = self._registry.domain(params.get("domain")).name
        workflow_id = check_new_name(_name(params, "workflowId"), "workflowId")
        task_list = params.get("taskList")
        if isinstance(task_list, dict) and isinstance(task_list.get("name"), str):
            check_new_name(task_list["name"], "taskList.name")
        execution = self.start(domain, workflow_id, params, parent=None)
        return {"runId": execution.run_id}

    def start(
        self,
        domain: str,
        workflow_id: str,
        params: dict[str, Any],
        parent: tuple[Execution, int] | None,
        continued: str | None = None,
    ) -> Execution:
        """Start a run, or raise SwfFault(code) describing why SWF would refuse."""
        wtype = params.get("workflowType")
        if not isinstance(wtype, dict) or "name" not in wtype or "version" not in wtype:
            raise SwfFault("ValidationException", "workflowType needs name and version")
        record = self._registry.types.get(("workflow", domain, wtype["name"], wtype["version"]))
        if record is None:
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown type: WorkflowType=[name={wtype['name']}, version={wtype['version']}]",
            )
        if record.status != "REGISTERED":
            raise SwfFault("TypeDeprecatedFault", f"WorkflowType is deprecated: {wtype}")
        if (domain, workflow_id) in self.open_by_id:
            raise SwfFault(
                "WorkflowExecutionAlreadyStartedFault",
                f"Workflow execution already started: {workflow_id}",
            )
        defaults = record.defaults

        def pick(key: str, default_key: str, fault: str) -> Any:
            value = params.get(key)
            if value is None:
                value = defaults.get(default_key)
            if value is None:
                raise SwfFault("DefaultUndefinedFault", fault)
            return value

        task_list = pick("taskList", "defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED")["name"]
        execution_timeout = _timeout(
            pick(
                "executionStartToCloseTimeout",
                "defaultExecutionStartToCloseTimeout",
                "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
            ),
            "executionStartToCloseTimeout",
        )
        if execution_timeout == "NONE":
            raise SwfFault("ValidationException", "executionStartToCloseTimeout cannot be NONE")
        task_timeout = _timeout(
            pick(
                "taskStartToCloseTimeout",
                "defaultTaskStartToCloseTimeout",
                "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
            ),
            "taskStartToCloseTimeout",
        )
        child_policy = pick("childPolicy", "defaultChildPolicy", "DEFAULT_CHILD_POLICY_UNDEFINED")
        tags = params.get("tagList") or []
        if len(tags) > MAX_TAGS or any(not isinstance(t, str) or len(t) > MAX_TAG for t in tags):
            raise SwfFault(
                "ValidationException",
                f"tagList takes at most {MAX_TAGS} tags of {MAX_TAG} chars",
            )
        input_text = _text(params, "input")
        priority = params.get("taskPriority", defaults.get("defaultTaskPriority"))
        self._check_open_quota(domain)
        execution = Execution(
            domain=domain,
            workflow_id=workflow_id,
            run_id=self._runtime.new_id(),
            workflow_type={"name": wtype["name"], "version": wtype["version"]},
            task_list=task_list,
            task_priority=priority,
            child_policy=child_policy,
            execution_timeout=execution_timeout or "NONE",
            task_timeout=task_timeout or "NONE",
            tags=list(tags),
            started_at=self._runtime.now(),
            lambda_role=params.get("lambdaRole"),
        )
        attributes: dict[str, Any] = {
            "executionStartToCloseTimeout": execution.execution_timeout,
            "taskStartToCloseTimeout": execution.task_timeout,
            "childPolicy": child_policy,
            "taskList": {"name": task_list},
            "workflowType": dict(execution.workflow_type),
        }
        if input_text is not None:
            attributes["input"] = input_text
        if priority is not None:
            attributes["taskPriority"] = priority
        if tags:
            attributes["tagList"] = list(tags)
        if continued:
            attributes["continuedExecutionRunId"] = continued
        if parent is not None:
            execution.parent = parent[0].execution_ref
            execution.parent_initiated_event_id = parent[1]
            attributes["parentWorkflowExecution"] = parent[0].execution_ref
            attributes["parentInitiatedEventId"] = parent[1]
        if execution.lambda_role:
            attributes["lambdaRole"] = execution.lambda_role
        self.runs[(domain, workflow_id, execution.run_id)] = execution
        self.open_by_id[(domain, workflow_id)] = execution
        self.append(execution, "WorkflowExecutionStarted", attributes)
        limit = _seconds(execution.execution_timeout)
        if limit is not None:
            self._due.push(execution.started_at + limit, "execution", execution)
        return execution

    # --- signals, cancellation, termination ---------------------------------------------

    def signal_workflow_execution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._registry.domain(params.get("domain")).name
        execution = self.find_open(domain, _name(params, "workflowId"), params.get("runId"))
        signal_name = check_new_name(_name(params, "signalName"), "signalName")
        attributes: dict[str, Any] = {"signalName": signal_name}
        signal_input = _text(params, "input")
        if signal_input is not None:
            attributes["input"] = signal_input
        self.append(execution, "WorkflowExecutionSignaled", attributes)
        self._runtime.notify()
        return {}

    def request_cancel_workflow_execution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._registry.domain(params.get("domain")).name
        execution = self.find_open(domain, _name(params, "workflowId"), params.get("runId"))
        self.request_cancel(execution, {})
        self._runtime.notify()
        return {}

    def request_cancel(self, execution: Execution, attributes: dict[str, Any]) -> None:
        """Record a cancellation request; the workflow decides what to do with it."""
        execution.cancel_requested = True
        self.append(execution, "WorkflowExecutionCancelRequested", attributes)

    def terminate_workflow_execution(self, params: dict[str, Any]) -> dict[str, Any]:
        choice(params, "childPolicy", CHILD_POLICIES)
        domain = self._registry.domain(params.get("domain")).name
        execution = self.find_open(domain, _name(params, "workflowId"), params.get("runId"))
        policy = params.get("childPolicy") or execution.child_policy
        self.terminate(
            execution,
            None,
            _text(params, "reason", MAX_REASON),
            _text(params, "details"),
            policy,
        )
        self._runtime.notify()
        return {}

    def terminate(
        self,
        execution: Execution,
        cause: str | None,
        reason: str | None,
        details: str | None,
        policy: str | None = None,
    ) -> None:
        """Close the run as TERMINATED (by a request, a child policy or the event limit)."""
        attributes: dict[str, Any] = {"childPolicy": policy or execution.child_policy}
        if reason is not None:
            attributes["reason"] = reason
        if details is not None:
            attributes["details"] = details
        if cause is not None:
            attributes["cause"] = cause
        self.close(
            execution,
            "TERMINATED",
            "WorkflowExecutionTerminated",
            attributes,
            attributes["childPolicy"],
        )

    # --- closing ------------------------------------------------------------------------

    def close(
        self,
        execution: Execution,
        status: str,
        event_type: str,
        attributes: dict[str, Any],
        child_policy: str | None = None,
    ) -> int:
        """Record the close event, drop open work, notify the parent, apply the child policy."""
        event_id = self.append(execution, event_type, attributes)
        execution.close_status = status
        execution.closed_at = self._runtime.now()
        execution.decision_state = "none"
        self._queues.drop_decision_token(execution)
        for task in list(execution.activities.values()):
            self._queues.close_activity(task)
        execution.timers.clear()
        key = (execution.domain, execution.workflow_id)
        if self.open_by_id.get(key) is execution:
            del self.open_by_id[key]
        self._apply_child_policy(execution, child_policy or execution.child_policy)
        self._report_to_parent(execution, status, attributes)
        self.arm_purge(execution)
        self._runtime.notify()
        return event_id

    # --- retention ----------------------------------------------------------------------

    def arm_purge(self, execution: Execution) -> None:
        """Arm the deletion of the closed run ``execution`` at the end of its domain's
        retention period (at once for ``0`` or ``NONE``: SWF keeps no record of it)."""
        if not self.retention or execution.closed_at is None:
            return
        domain = self._registry.domains.get(execution.domain)
        if domain is None:  # cannot happen: domains are never deleted
            return
        self._due.push(
            execution.closed_at + retention_seconds(domain.retention), "purge", execution
        )

    def purge(self, execution: Execution) -> bool:
        """Delete the closed run ``execution`` (its retention period ended): it leaves the
        visibility calls, and its history and description answer ``UnknownResourceFault``,
        as in SWF. False if it is not here (deleted already)."""
        key = (execution.domain, execution.workflow_id, execution.run_id)
        if execution.is_open or self.runs.get(key) is not execution:
            return False
        del self.runs[key]
        return True

    def _apply_child_policy(self, execution: Execution, policy: str) -> None:
        """Terminate or ask to cancel the open children of a closing run, as its policy says."""
        for child in list(execution.children.values()):
            target = self.open_by_id.get((execution.domain, child.workflow_id))
            if target is None or target.run_id != child.run_id:
                continue
            if policy == "TERMINATE":
                self.terminate(target, "CHILD_POLICY_APPLIED", None, None)
            elif policy == "REQUEST_CANCEL":
                self.request_cancel(target, {"cause": "CHILD_POLICY_APPLIED"})

    def _report_to_parent(
        self, execution: Execution, status: str, attributes: dict[str, Any]
    ) -> None:
        """Record the Child* event of a closing child in its open parent's history."""
        if execution.parent is None:
            return
        parent = self.runs.get(
            (execution.domain, execution.parent["workflowId"], execution.parent["runId"])
        )
        if parent is None or not parent.is_open:
            return
        child = parent.children.pop(execution.parent_initiated_event_id, None)
        if child is None:
            return
        event_type = {
            "COMPLETED": "ChildWorkflowExecutionCompleted",
            "FAILED": "ChildWorkflowExecutionFailed",
            "CANCELED": "ChildWorkflowExecutionCanceled",
            "TIMED_OUT": "ChildWorkflowExecutionTimedOut",
            "TERMINATED": "ChildWorkflowExecutionTerminated",
            "CONTINUED_AS_NEW": None,
        }[status]
        if event_type is None:
            return  # the new run reports instead
        report: dict[str, Any] = {
            "workflowExecution": execution.execution_ref,
            "workflowType": dict(execution.workflow_type),
            "initiatedEventId": child.initiated_event_id,
            "startedEventId": child.started_event_id,
        }
        for key in ("result", "reason", "details", "timeoutType"):
            if key in attributes:
                report[key] = attributes[key]
        self.append(parent, event_type, report)

    def _check_open_quota(self, domain: str) -> None:
        """SWF's ``LimitExceededFault`` if ``domain`` has its quota of open executions."""
        limit = self._runtime.quotas.open_executions
        if len(self.open_by_id) < limit:  # the quota is per domain: cheap bound first
            return
        if sum(1 for key in self.open_by_id if key[0] == domain) >= limit:
            raise SwfFault(
                "LimitExceededFault",
                f"Cannot start another execution in domain {domain}: the quota of {limit} open "
                "executions (children included) is reached (--quota open_executions=N)",
            )

    def start_child(self, parent: Execution, params: dict[str, Any], initiated_id: int) -> str:
        """Start a child run for an initiated event; returns "" or SWF's failure cause."""
        try:
            child = self.start(
                parent.domain, params["workflowId"], params, parent=(parent, initiated_id)
            )
        except SwfFault as fault:
            return {
                "UnknownResourceFault": "WORKFLOW_TYPE_DOES_NOT_EXIST",
                "TypeDeprecatedFault": "WORKFLOW_TYPE_DEPRECATED",
                "WorkflowExecutionAlreadyStartedFault": "WORKFLOW_ALREADY_RUNNING",
                "DefaultUndefinedFault": fault.message,
                "LimitExceededFault": "OPEN_WORKFLOWS_LIMIT_EXCEEDED",
            }.get(fault.code, "OPERATION_NOT_PERMITTED")
        state = ChildState(
            params["workflowId"], initiated_id, dict(child.workflow_type), child.run_id
        )
        parent.children[initiated_id] = state
        state.started_event_id = self.append(
            parent,
            "ChildWorkflowExecutionStarted",
            {
                "workflowExecution": child.execution_ref,
                "workflowType": dict(child.workflow_type),
                "initiatedEventId": initiated_id,
            },
        )
        return ""

    def continue_as_new(self, execution: Execution, params: dict[str, Any]) -> str:
        """Start the next run of ``execution``; returns its run id."""
        key = (execution.domain, execution.workflow_id)
        self.open_by_id.pop(key, None)
        parent = None
        if execution.parent is not None:
            owner = self.runs.get(
                (execution.domain, execution.parent["workflowId"], execution.parent["runId"])
            )
            if owner is not None:
                parent = (owner, execution.parent_initiated_event_id)
        try:
            successor = self.start(
                execution.domain,
                execution.workflow_id,
                params,
                parent=parent,
                continued=execution.run_id,
            )
        except SwfFault:
            self.open_by_id[key] = execution
            raise
        if parent is not None:
            child = parent[0].children.get(execution.parent_initiated_event_id)
            if child is not None:
                child.run_id = successor.run_id
        return successor.run_id

    # --- history and description --------------------------------------------------------

    def get_workflow_execution_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """One page of the run's events (oldest first unless ``reverseOrder``)."""
        domain = self._registry.domain(params.get("domain"), registered=False).name
        execution = self.find(domain, params.get("execution"))
        events = execution.events[::-1] if params.get("reverseOrder") else execution.events
        return paged(events, "events", params)

    def describe_workflow_execution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._registry.domain(params.get("domain"), registered=False).name
        execution = self.find(domain, params.get("execution"))
        return self.describe(execution)

    def execution_info(self, execution: Execution) -> dict[str, Any]:
        """SWF's ``WorkflowExecutionInfo`` for a run."""
        info: dict[str, Any] = {
            "execution": execution.execution_ref,
            "workflowType": dict(execution.workflow_type),
            "startTimestamp": execution.started_at,
            "executionStatus": "OPEN" if execution.is_open else "CLOSED",
            "cancelRequested": execution.cancel_requested,
        }
        if execution.tags:
            info["tagList"] = list(execution.tags)
        if execution.parent is not None:
            info["parent"] = dict(execution.parent)
        if not execution.is_open:
            info["closeTimestamp"] = execution.closed_at
            info["closeStatus"] = execution.close_status
        return info

    def describe(self, execution: Execution) -> dict[str, Any]:
        """SWF's ``WorkflowExecutionDetail`` for a run."""
        configuration: dict[str, Any] = {
            "taskStartToCloseTimeout": execution.task_timeout,
            "executionStartToCloseTimeout": execution.execution_timeout,
            "taskList": {"name": execution.task_list},
            "childPolicy": execution.child_policy,
        }
        if execution.task_priority is not None:
            configuration["taskPriority"] = execution.task_priority
        if execution.lambda_role:
            configuration["lambdaRole"] = execution.lambda_role
        detail: dict[str, Any] = {
            "executionInfo": self.execution_info(execution),
            "executionConfiguration": configuration,
            "openCounts": {
                "openActivityTasks": len(execution.activities),
                "openDecisionTasks": int(execution.decision_state != "none"),
                "openTimers": len(execution.timers),
                "openChildWorkflowExecutions": len(execution.children),
                "openLambdaFunctions": 0,
            },
        }
        if execution.latest_activity_at is not None:
            detail["latestActivityTaskTimestamp"] = execution.latest_activity_at
        if execution.latest_context is not None:
            detail["latestExecutionContext"] = execution.latest_context
        return detail
