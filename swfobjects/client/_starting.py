"""The ``StartWorkflowExecution`` parameters for a workflow call (validated and encoded)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..payloads._headers import with_headers
from ..payloads._payload import Payloads
from ..swf.limits import MAX_TAG, MAX_TAGS
from ..workflow._declarations import WorkflowType, check_name
from ..workflow._stubs import bind_arguments

__all__ = ["start_params", "start_request"]


def start_params(
    workflow: WorkflowType,
    payloads: Payloads,
    domain: str,
    workflow_id: str,
    args: Any,
    kwargs: Any,
    *,
    task_list: str | None = None,
    tags: Iterable[str] = (),
    child_policy: str | None = None,
    execution_start_to_close_timeout: str | None = None,
    task_start_to_close_timeout: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Check the arguments against the entry method and build the request (with the
    ``headers`` interceptors added, see ``payloads._headers``)."""
    check_name(workflow_id, "workflow_id")
    arguments = bind_arguments(workflow, args, kwargs)
    scope = {"workflow_id": workflow_id, "run_id": ""}
    data = workflow.arguments.encode(arguments)
    if headers:
        data = with_headers(data, headers)
    text = payloads.encode_data(
        data,
        f"input of workflow {workflow.name}",
        scope,
        workflow.input_store,
    )
    return start_request(
        workflow,
        domain,
        workflow_id,
        text,
        task_list=task_list,
        tags=tags,
        child_policy=child_policy,
        execution_start_to_close_timeout=execution_start_to_close_timeout,
        task_start_to_close_timeout=task_start_to_close_timeout,
    )


def start_request(
    workflow: WorkflowType,
    domain: str,
    workflow_id: str,
    text: str,
    *,
    task_list: str | None = None,
    tags: Iterable[str] = (),
    child_policy: str | None = None,
    execution_start_to_close_timeout: str | None = None,
    task_start_to_close_timeout: str | None = None,
) -> dict[str, Any]:
    """The ``StartWorkflowExecution`` request for an encoded ``text`` input, tags checked.

    Options given here override the workflow type's; what neither sets is left out, so SWF
    applies the defaults registered with the type (a type known only by name has none here).
    """
    tag_list = list(tags)
    if len(tag_list) > MAX_TAGS:
        raise ValueError(f"SWF allows at most {MAX_TAGS} tags per execution, got {len(tag_list)}")
    for tag in tag_list:
        check_name(tag, "tag", MAX_TAG)
    chosen_list = task_list or workflow.task_list
    params: dict[str, Any] = {
        "domain": domain,
        "workflowId": workflow_id,
        "workflowType": {"name": workflow.name, "version": workflow.version},
        "taskList": None if chosen_list is None else {"name": chosen_list},
        "input": text,
        "executionStartToCloseTimeout": execution_start_to_close_timeout
        or workflow.execution_start_to_close_timeout,
        "taskStartToCloseTimeout": task_start_to_close_timeout
        or workflow.task_start_to_close_timeout,
        "childPolicy": child_policy or workflow.child_policy,
        "taskPriority": workflow.task_priority,
        "tagList": tag_list or None,
    }
    return {key: value for key, value in params.items() if value is not None}
