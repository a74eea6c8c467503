"""``swfobjects local`` deletes closed executions after their domain's retention period, and a
restart (from the journal's rows, or from a compacted snapshot) agrees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from swfobjects.local import LocalSWF
from tests.helpers.local_support import DOMAIN, WORKFLOW, ManualClock, register

DAY = 86_400.0


def _closed(client: Any) -> list[str]:
    infos = client.list_closed_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": 0}
    )["executionInfos"]
    return sorted(info["execution"]["workflowId"] for info in infos)


def _gone(client: Any, workflow_id: str, run_id: str) -> bool:
    try:
        client.get_workflow_execution_history(
            domain=DOMAIN, execution={"workflowId": workflow_id, "runId": run_id}
        )
    except ClientError as error:
        return bool(error.response["Error"]["Code"] == "UnknownResourceFault")
    return False


@pytest.mark.parametrize("compact", [False, True])
def test_purged_executions_stay_gone_after_a_restart(tmp_path: Path, compact: bool) -> None:
    db = tmp_path / "swf.sqlite"
    clock = ManualClock()
    options: dict[str, Any] = {"db": db, "clock": clock, "poll_timeout": 0.2, "tick": 0.02}
    with LocalSWF(**options, compact_every=0) as swf:
        client = swf.client()
        register(client)  # retention: 1 day
        runs = {}
        for workflow_id in ("early", "late"):
            clock.advance(DAY / 2)
            runs[workflow_id] = client.start_workflow_execution(
                domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW
            )["runId"]
            client.terminate_workflow_execution(domain=DOMAIN, workflowId=workflow_id)
        assert _closed(client) == ["early", "late"]
        clock.advance(DAY / 2)  # a day after "early" closed
        swf.advance()
        assert _closed(client) == ["late"]
        assert _gone(client, "early", runs["early"])
        if compact:
            assert swf.engine is not None
            swf.engine.compact()
    with LocalSWF(**options) as swf:
        client = swf.client()
        assert _closed(client) == ["late"] and _gone(client, "early", runs["early"])
        clock.advance(DAY / 2)  # the purge still to come was kept too
        swf.advance()
        assert _closed(client) == [] and _gone(client, "late", runs["late"])
