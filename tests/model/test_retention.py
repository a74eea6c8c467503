"""Retention: a closed execution is deleted when its domain's retention period has passed.

SWF keeps a closed execution's record and history ``workflowExecutionRetentionPeriodInDays``
days after it closed, then deletes them (``0`` and ``NONE``: at once); the model does the same
on its clock, and its snapshots keep the purges still to come.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from swfobjects.model import SwfFault, SwfModel

DAY = 86_400.0
WORKFLOW = {"name": "wf", "version": "1"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _model(clock: Clock, days: str, **options: Any) -> SwfModel:
    model = SwfModel(clock=clock, **options)
    model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": days})
    model.call(
        "RegisterWorkflowType",
        {
            "domain": "d",
            **WORKFLOW,
            "defaultTaskList": {"name": "t"},
            "defaultExecutionStartToCloseTimeout": "31536000",
            "defaultTaskStartToCloseTimeout": "60",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    return model


def _start(model: SwfModel, workflow_id: str) -> str:
    params = {"domain": "d", "workflowId": workflow_id, "workflowType": WORKFLOW}
    return str(model.call("StartWorkflowExecution", params)["runId"])


def _close(model: SwfModel, workflow_id: str) -> None:
    model.call("TerminateWorkflowExecution", {"domain": "d", "workflowId": workflow_id})


def _closed_ids(model: SwfModel) -> list[str]:
    infos = model.call(
        "ListClosedWorkflowExecutions", {"domain": "d", "startTimeFilter": {"oldestDate": 0}}
    )["executionInfos"]
    return sorted(info["execution"]["workflowId"] for info in infos)


def _known(model: SwfModel, workflow_id: str, run_id: str) -> bool:
    execution = {"workflowId": workflow_id, "runId": run_id}
    try:
        model.call("GetWorkflowExecutionHistory", {"domain": "d", "execution": execution})
    except SwfFault as fault:
        assert fault.code == "UnknownResourceFault"
        with pytest.raises(SwfFault, match="UnknownResourceFault"):
            model.call("DescribeWorkflowExecution", {"domain": "d", "execution": execution})
        return False
    return True


def test_a_closed_execution_is_deleted_when_its_retention_period_ends() -> None:
    clock = Clock()
    model = _model(clock, "2")
    old = _start(model, "old")
    _close(model, "old")
    clock.now += DAY
    young = _start(model, "young")
    _close(model, "young")
    still_open = _start(model, "open")
    clock.now += DAY - 1
    model.advance()
    assert _closed_ids(model) == ["old", "young"]
    clock.now += 1  # two days after "old" closed
    assert model.advance() == 1
    assert _closed_ids(model) == ["young"]
    assert not _known(model, "old", old)
    assert _known(model, "young", young) and _known(model, "open", still_open)
    count = model.call(
        "CountClosedWorkflowExecutions", {"domain": "d", "startTimeFilter": {"oldestDate": 0}}
    )
    assert count["count"] == 1
    clock.now += 30 * DAY  # an open execution is never deleted
    model.advance()
    assert _closed_ids(model) == [] and _known(model, "open", still_open)


@pytest.mark.parametrize("retention", ["0", "NONE"])
def test_no_retention_deletes_at_once(retention: str) -> None:
    clock = Clock()
    model = _model(clock, retention)
    run = _start(model, "w")
    _close(model, "w")
    assert model.next_due() == clock.now  # due now: the next call or clock tick deletes it
    assert _closed_ids(model) == []  # a call fires what is due first
    assert not _known(model, "w", run)


def test_the_workflow_id_can_be_reused_and_the_new_run_is_unaffected() -> None:
    clock = Clock()
    model = _model(clock, "1")
    first = _start(model, "w")
    _close(model, "w")
    second = _start(model, "w")
    clock.now += DAY
    model.advance()
    assert not _known(model, "w", first) and _known(model, "w", second)
    history = model.call(
        "GetWorkflowExecutionHistory", {"domain": "d", "execution": {"workflowId": "w"}}
    )
    assert history["events"][0]["eventType"] == "WorkflowExecutionStarted"


def test_without_retention_closed_executions_stay() -> None:
    clock = Clock()
    model = _model(clock, "0", retention=False)
    run = _start(model, "w")
    _close(model, "w")
    clock.now += 100 * DAY
    model.advance()
    assert _closed_ids(model) == ["w"] and _known(model, "w", run)


def test_a_snapshot_keeps_the_purges_to_come() -> None:
    clock = Clock()
    model = _model(clock, "1")
    run = _start(model, "w")
    _close(model, "w")
    restored = SwfModel(clock=clock)
    restored.restore(model.snapshot())
    assert _known(restored, "w", run)
    clock.now += DAY
    assert restored.advance() == 1
    assert not _known(restored, "w", run)


def test_a_snapshot_from_before_retention_arms_its_purges_on_restore() -> None:
    clock = Clock()
    model = _model(clock, "1")
    run = _start(model, "w")
    _close(model, "w")
    data = copy.deepcopy(model.snapshot())
    data["due"]["entries"] = [e for e in data["due"]["entries"] if e[2] != "purge"]
    restored = SwfModel(clock=clock)
    restored.restore(data)
    clock.now += DAY
    restored.advance()
    assert not _known(restored, "w", run)
