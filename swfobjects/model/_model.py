"""An in-memory model of Amazon SWF's state machine, speaking SWF's own JSON shapes.

``SwfModel.call("StartWorkflowExecution", {...})`` takes and returns exactly the request and
response dicts of SWF's JSON API (botocore's model), and records exactly SWF's history events.
It is the one implementation of SWF semantics in this project: the SerialExecutor drives it
in-process, and ``swfobjects local`` serves it over HTTP with locking and long polling.

Time comes from an injected clock (epoch seconds). Nothing fires on its own: callers call
:meth:`SwfModel.advance` (the service does it from a background thread, the SerialExecutor
when it is idle), and :meth:`SwfModel.next_due` says when the next timer or timeout is due.
"""

from __future__ import annotations

from typing import Any

from ._clock import ClockMixin
from ._core import MAX_ID, MAX_PAGE, ModelCore, _page_token, _read_page_token, _seconds
from ._registry import TypesMixin
from ._state import ChildState, Execution, SwfFault
from ._tasks import TasksMixin
from ._visibility import QueriesMixin

__all__ = ["SwfModel", "SwfFault", "ModelCore", "_page_token", "_read_page_token"]


class SwfModel(TypesMixin, QueriesMixin, TasksMixin, ClockMixin):
    """SWF's semantics in memory. Not thread-safe: the local service serializes calls.

    >>> model = SwfModel(clock=lambda: 0.0)
    >>> model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    {}
    """

    def _find(self, domain: str, ref: Any) -> Execution:
        if not isinstance(ref, dict) or "workflowId" not in ref:
            raise SwfFault("ValidationException", "execution must have a workflowId")
        run_id = ref.get("runId")
        if run_id:
            execution = self.executions.get((domain, ref["workflowId"], run_id))
        else:
            execution = self.open_by_id.get((domain, ref["workflowId"]))
            if execution is None:
                latest = [
                    e
                    for (d, w, _), e in self.executions.items()
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

    def _open(self, domain: str, workflow_id: str, run_id: str | None) -> Execution:
        execution = self.open_by_id.get((domain, workflow_id))
        if execution is None or (run_id and execution.run_id != run_id):
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]",
            )
        return execution

    # --- starting executions ------------------------------------------------------------

    def op_StartWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        workflow_id = self._name(params, "workflowId")
        execution = self._start(domain, workflow_id, params, parent=None)
        return {"runId": execution.run_id}

    def _start(
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
        record = self.types.get(("workflow", domain, wtype["name"], wtype["version"]))
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
        execution_timeout = self._timeout(
            pick(
                "executionStartToCloseTimeout",
                "defaultExecutionStartToCloseTimeout",
                "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
            ),
            "executionStartToCloseTimeout",
        )
        if execution_timeout == "NONE":
            raise SwfFault("ValidationException", "executionStartToCloseTimeout cannot be NONE")
        task_timeout = self._timeout(
            pick(
                "taskStartToCloseTimeout",
                "defaultTaskStartToCloseTimeout",
                "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
            ),
            "taskStartToCloseTimeout",
        )
        child_policy = pick("childPolicy", "defaultChildPolicy", "DEFAULT_CHILD_POLICY_UNDEFINED")
        tags = params.get("tagList") or []
        if len(tags) > 5 or any(not isinstance(t, str) or len(t) > MAX_ID for t in tags):
            raise SwfFault("ValidationException", "tagList takes at most 5 tags of 256 chars")
        input_text = self._text(params, "input")
        priority = params.get("taskPriority", defaults.get("defaultTaskPriority"))
        execution = Execution(
            domain=domain,
            workflow_id=workflow_id,
            run_id=self.new_id(),
            workflow_type={"name": wtype["name"], "version": wtype["version"]},
            task_list=task_list,
            task_priority=priority,
            child_policy=child_policy,
            execution_timeout=execution_timeout or "NONE",
            task_timeout=task_timeout or "NONE",
            tags=list(tags),
            started_at=self.now(),
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
        self.executions[(domain, workflow_id, execution.run_id)] = execution
        self.open_by_id[(domain, workflow_id)] = execution
        self._append(execution, "WorkflowExecutionStarted", attributes)
        limit = _seconds(execution.execution_timeout)
        if limit is not None:
            self._push_due(execution.started_at + limit, "execution", execution)
        return execution

    # --- signals, cancellation, termination ---------------------------------------------

    def op_SignalWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        execution = self._open(domain, self._name(params, "workflowId"), params.get("runId"))
        attributes: dict[str, Any] = {"signalName": self._name(params, "signalName")}
        signal_input = self._text(params, "input")
        if signal_input is not None:
            attributes["input"] = signal_input
        self._append(execution, "WorkflowExecutionSignaled", attributes)
        self._notify()
        return {}

    def op_RequestCancelWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        execution = self._open(domain, self._name(params, "workflowId"), params.get("runId"))
        self._request_cancel(execution, {})
        self._notify()
        return {}

    def _request_cancel(self, execution: Execution, attributes: dict[str, Any]) -> None:
        execution.cancel_requested = True
        self._append(execution, "WorkflowExecutionCancelRequested", attributes)

    def op_TerminateWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain")).name
        execution = self._open(domain, self._name(params, "workflowId"), params.get("runId"))
        policy = params.get("childPolicy") or execution.child_policy
        self._terminate(
            execution,
            None,
            self._text(params, "reason", MAX_ID),
            self._text(params, "details"),
            policy,
        )
        self._notify()
        return {}

    def _terminate(
        self,
        execution: Execution,
        cause: str | None,
        reason: str | None,
        details: str | None,
        policy: str | None = None,
    ) -> None:
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
        event_id = self._append(execution, event_type, attributes)
        execution.close_status = status
        execution.closed_at = self.now()
        execution.decision_state = "none"
        if execution.decision_token:
            self.tokens.pop(execution.decision_token, None)
            execution.decision_token = None
        for task in list(execution.activities.values()):
            self._close_activity(task)
        execution.timers.clear()
        key = (execution.domain, execution.workflow_id)
        if self.open_by_id.get(key) is execution:
            del self.open_by_id[key]
        self._apply_child_policy(execution, child_policy or execution.child_policy)
        self._report_to_parent(execution, status, attributes)
        self._notify()
        return event_id

    def _apply_child_policy(self, execution: Execution, policy: str) -> None:
        for child in list(execution.children.values()):
            target = self.open_by_id.get((execution.domain, child.workflow_id))
            if target is None or target.run_id != child.run_id:
                continue
            if policy == "TERMINATE":
                self._terminate(target, "CHILD_POLICY_APPLIED", None, None)
            elif policy == "REQUEST_CANCEL":
                self._request_cancel(target, {"cause": "CHILD_POLICY_APPLIED"})

    def _report_to_parent(
        self, execution: Execution, status: str, attributes: dict[str, Any]
    ) -> None:
        if execution.parent is None:
            return
        parent = self.executions.get(
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
        self._append(parent, event_type, report)

    def start_child(self, parent: Execution, params: dict[str, Any], initiated_id: int) -> str:
        """Start a child run for an initiated event; returns "" or SWF's failure cause."""
        try:
            child = self._start(
                parent.domain, params["workflowId"], params, parent=(parent, initiated_id)
            )
        except SwfFault as fault:
            return {
                "UnknownResourceFault": "WORKFLOW_TYPE_DOES_NOT_EXIST",
                "TypeDeprecatedFault": "WORKFLOW_TYPE_DEPRECATED",
                "WorkflowExecutionAlreadyStartedFault": "WORKFLOW_ALREADY_RUNNING",
                "DefaultUndefinedFault": fault.message,
            }.get(fault.code, "OPERATION_NOT_PERMITTED")
        state = ChildState(
            params["workflowId"], initiated_id, dict(child.workflow_type), child.run_id
        )
        parent.children[initiated_id] = state
        state.started_event_id = self._append(
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
            owner = self.executions.get(
                (execution.domain, execution.parent["workflowId"], execution.parent["runId"])
            )
            if owner is not None:
                parent = (owner, execution.parent_initiated_event_id)
        try:
            successor = self._start(
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

    def op_GetWorkflowExecutionHistory(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain"), registered=False).name
        execution = self._find(domain, params.get("execution"))
        page_size = int(params.get("maximumPageSize") or MAX_PAGE)
        if not 1 <= page_size <= MAX_PAGE:
            raise SwfFault("ValidationException", "maximumPageSize must be 1..1000")
        events = execution.events[::-1] if params.get("reverseOrder") else execution.events
        offset = 0
        if params.get("nextPageToken"):
            offset = int(_read_page_token(params["nextPageToken"]).get("o", 0))
        response: dict[str, Any] = {"events": events[offset : offset + page_size]}
        if offset + page_size < len(events):
            response["nextPageToken"] = _page_token({"o": offset + page_size})
        return response

    def op_DescribeWorkflowExecution(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain"), registered=False).name
        execution = self._find(domain, params.get("execution"))
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
