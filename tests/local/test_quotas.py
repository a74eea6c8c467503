"""SWF's quotas through ``swfobjects local``: boto3 sees SWF's ``LimitExceededFault``, a refused
call is not journaled, the pollers quota bounds idle long polls, and a journal replays under the
quotas it was written with."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._persistence import QUOTAS, Journal, JournalEntry
from tests.helpers.local_support import DOMAIN, WORKFLOW, decision, register


def _journal_length(path: Path) -> int:
    journal = Journal(path)
    try:
        return len(journal)
    finally:
        journal.close()


def test_limit_exceeded_is_swfs_modelled_fault_and_not_journaled(tmp_path: Path) -> None:
    db = tmp_path / "swf.sqlite"
    with LocalSWF(db=db, poll_timeout=0.2, quotas={"domains": 1, "open_executions": 1}) as swf:
        client = swf.client()
        register(client)
        client.start_workflow_execution(domain=DOMAIN, workflowId="a", workflowType=WORKFLOW)
        with pytest.raises(client.exceptions.LimitExceededFault, match="domains"):
            client.register_domain(name="second", workflowExecutionRetentionPeriodInDays="1")
        with pytest.raises(client.exceptions.LimitExceededFault, match="open executions"):
            client.start_workflow_execution(domain=DOMAIN, workflowId="b", workflowType=WORKFLOW)
        open_count = client.count_open_workflow_executions(
            domain=DOMAIN, startTimeFilter={"oldestDate": 0}
        )["count"]
        assert open_count == 1
        assert len(client.list_domains(registrationStatus="REGISTERED")["domainInfos"]) == 1
    journal = Journal(db)
    try:
        operations = [entry.operation for entry in journal.entries()]
    finally:
        journal.close()
    assert "RegisterDomain" in operations and "StartWorkflowExecution" in operations
    assert operations.count("RegisterDomain") == 1  # the refused one is not there
    assert operations.count("StartWorkflowExecution") == 1


@pytest.mark.slow
def test_pollers_quota_refuses_one_idle_poll_too_many() -> None:
    with LocalSWF(poll_timeout=1.0, quotas={"pollers": 2}) as swf:
        register(swf.client())
        waiting = [
            threading.Thread(
                target=swf.client().poll_for_activity_task,
                kwargs={"domain": DOMAIN, "taskList": {"name": "busy"}},
            )
            for _ in range(2)
        ]
        for thread in waiting:
            thread.start()
        client = swf.client()
        deadline = time.monotonic() + 1.0
        engine = swf.engine
        assert engine is not None
        while sum(engine._idle_polls.values()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(client.exceptions.LimitExceededFault, match="2 polls already wait"):
            client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "busy"})
        # another task list, and the other kind of task, have their own count
        other = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "busy"})
        assert "taskToken" not in other
        for thread in waiting:
            thread.join()
        assert engine._idle_polls == {}  # they stopped counting when they answered


def test_journal_replays_under_the_quotas_it_was_written_with(tmp_path: Path) -> None:
    """A timer refused at open_timers=1 stays refused after a restart with SWF's defaults, and
    a domain accepted under the defaults survives a restart with domains=1."""
    db = tmp_path / "swf.sqlite"
    with LocalSWF(db=db, poll_timeout=0.2, quotas={"open_timers": 1}) as swf:
        client = swf.client()
        register(client)
        client.register_domain(name="second", workflowExecutionRetentionPeriodInDays="1")
        run = client.start_workflow_execution(domain=DOMAIN, workflowId="w", workflowType=WORKFLOW)[
            "runId"
        ]
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[
                decision("StartTimer", timerId=f"t{i}", startToFireTimeout="600") for i in range(2)
            ],
        )

    def history() -> list[str]:
        events = client.get_workflow_execution_history(
            domain=DOMAIN, execution={"workflowId": "w", "runId": run}
        )["events"]
        return [e["eventType"] for e in events if "Timer" in e["eventType"]]

    with LocalSWF(db=db, poll_timeout=0.2) as swf:
        client = swf.client()
        assert history() == ["TimerStarted", "StartTimerFailed"]
    journal = Journal(db)
    try:
        quota_rows = [e.body for e in journal.entries() if e.operation == QUOTAS]
    finally:
        journal.close()
    assert len(quota_rows) == 2 and '"open_timers":1' in quota_rows[0]
    length = _journal_length(db)
    with LocalSWF(db=db, poll_timeout=0.2) as swf:  # same quotas as last time: no new row
        client = swf.client()
    assert _journal_length(db) == length
    with LocalSWF(db=db, poll_timeout=0.2, quotas={"domains": 1}) as swf:
        client = swf.client()
        assert history() == ["TimerStarted", "StartTimerFailed"]
        names = {
            d["name"] for d in client.list_domains(registrationStatus="REGISTERED")["domainInfos"]
        }
        assert names == {DOMAIN, "second"}  # over the new quota, yet kept: they were accepted
        with pytest.raises(client.exceptions.LimitExceededFault):
            client.register_domain(name="third", workflowExecutionRetentionPeriodInDays="1")


def test_quotas_survive_a_rebuild_after_a_failed_journal_write(tmp_path: Path) -> None:
    import sqlite3

    from swfobjects.local._engine import Engine
    from swfobjects.model import SwfFault

    class FailingJournal(Journal):
        fail = False

        def append(self, entry: JournalEntry) -> None:
            if self.fail:
                raise sqlite3.OperationalError("database or disk is full")
            super().append(entry)

    journal = FailingJournal(tmp_path / "j.sqlite")
    engine = Engine(clock=lambda: 1000.0, journal=journal, poll_timeout=0, quotas={"domains": 1})
    register = {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"}
    journal.fail = True
    with pytest.raises(SwfFault, match="nothing was changed"):
        engine.call("RegisterDomain", register)  # the model is rebuilt from the journal
    journal.fail = False
    assert engine.model.quotas.domains == 1
    engine.call("RegisterDomain", register)
    with pytest.raises(SwfFault, match="quota of 1"):
        engine.call("RegisterDomain", dict(register, name="e"))
    engine.close()
