"""The visibility operations of the SWF model, called directly (no HTTP)."""

from __future__ import annotations

import pytest

from swfobjects.model._model import SwfModel
from swfobjects.model._state import SwfFault


@pytest.fixture
def model():
    now = [100.0]
    model = SwfModel(clock=lambda: now[0])
    model.clock_value = now
    model.call("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    for name in ("a", "b"):
        model.call(
            "RegisterWorkflowType",
            {
                "domain": "d",
                "name": name,
                "version": "1",
                "defaultTaskList": {"name": "t"},
                "defaultExecutionStartToCloseTimeout": "100",
                "defaultTaskStartToCloseTimeout": "10",
                "defaultChildPolicy": "TERMINATE",
            },
        )
    return model


def _start(model, workflow_id, name="a", tags=()):
    model.call(
        "StartWorkflowExecution",
        {
            "domain": "d",
            "workflowId": workflow_id,
            "workflowType": {"name": name, "version": "1"},
            "tagList": list(tags),
        },
    )
    model.clock_value[0] += 1


def _ids(response):
    return [i["execution"]["workflowId"] for i in response["executionInfos"]]


def test_type_filter_and_newest_first(model):
    _start(model, "x", "a")
    _start(model, "y", "b")
    _start(model, "z", "a")
    listed = model.call(
        "ListOpenWorkflowExecutions",
        {
            "domain": "d",
            "startTimeFilter": {"oldestDate": 0},
            "typeFilter": {"name": "a"},
        },
    )
    assert _ids(listed) == ["z", "x"]


def test_paging_covers_everything_once(model):
    for i in range(7):
        _start(model, f"w{i}")
    seen, token = [], None
    while True:
        params = {"domain": "d", "startTimeFilter": {"oldestDate": 0}, "maximumPageSize": 3}
        if token:
            params["nextPageToken"] = token
        page = model.call("ListOpenWorkflowExecutions", params)
        seen += _ids(page)
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == [f"w{i}" for i in range(6, -1, -1)]


def test_closed_needs_exactly_one_time_filter(model):
    with pytest.raises(SwfFault, match="exactly one"):
        model.call("CountClosedWorkflowExecutions", {"domain": "d"})
    with pytest.raises(SwfFault, match="exactly one"):
        model.call(
            "CountClosedWorkflowExecutions",
            {
                "domain": "d",
                "startTimeFilter": {"oldestDate": 0},
                "closeTimeFilter": {"oldestDate": 0},
            },
        )


def test_close_time_and_status(model):
    _start(model, "done")
    _start(model, "open")
    model.call("TerminateWorkflowExecution", {"domain": "d", "workflowId": "done"})
    count = model.call(
        "CountClosedWorkflowExecutions",
        {
            "domain": "d",
            "closeTimeFilter": {"oldestDate": model.clock_value[0]},
            "closeStatusFilter": {"status": "TERMINATED"},
        },
    )
    assert count == {"count": 1, "truncated": False}
    later = model.call(
        "CountClosedWorkflowExecutions",
        {
            "domain": "d",
            "closeTimeFilter": {"oldestDate": model.clock_value[0] + 1},
        },
    )
    assert later["count"] == 0


def test_pending_decision_tasks(model):
    _start(model, "p1")
    _start(model, "p2")
    counted = model.call("CountPendingDecisionTasks", {"domain": "d", "taskList": {"name": "t"}})
    assert counted["count"] == 2


def test_tags_limit_and_unknown_resource(model):
    arn = model.call("DescribeDomain", {"name": "d"})["domainInfo"]["arn"]
    many = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    with pytest.raises(SwfFault) as caught:
        model.call("TagResource", {"resourceArn": arn, "tags": many})
    assert caught.value.code == "TooManyTagsFault"  # SWF's fault for over 50 tags
    with pytest.raises(SwfFault) as caught:
        model.call("ListTagsForResource", {"resourceArn": arn + "-nope"})
    assert caught.value.code == "UnknownResourceFault"
