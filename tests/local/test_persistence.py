"""``--db FILE``: a restart of the service loses nothing it acknowledged."""

from __future__ import annotations

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._persistence import Journal, JournalEntry
from tests.helpers.local_support import DOMAIN, WORKFLOW, ManualClock, decision, register, schedule


def _history(client, execution):
    return client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]


def test_restart_keeps_state_tokens_and_timers(tmp_path):
    db = tmp_path / "swf.sqlite"
    clock = ManualClock()
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2, tick=3600) as swf:
        client = swf.client()
        register(client)
        run = client.start_workflow_execution(
            domain=DOMAIN, workflowId="kept", workflowType=WORKFLOW
        )["runId"]
        execution = {"workflowId": "kept", "runId": run}
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[
                schedule("a", startToCloseTimeout="100"),
                decision("StartTimer", timerId="t", startToFireTimeout="30"),
            ],
        )
        with pytest.raises(client.exceptions.DomainAlreadyExistsFault):
            register(client)  # a refused call is journaled too, and replays harmlessly
        activity = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})
        before = _history(client, execution)
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2, tick=3600) as swf:
        client = swf.client()
        assert swf.engine.replayed > 0
        assert _history(client, execution) == before
        client.respond_activity_task_completed(taskToken=activity["taskToken"], result="r")
        clock.advance(31)
        swf.advance()
        types = [e["eventType"] for e in _history(client, execution)]
        assert types[len(before) :] == [
            "ActivityTaskCompleted",
            "DecisionTaskScheduled",
            "TimerFired",
        ]
        after = _history(client, execution)
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2) as swf:
        assert _history(swf.client(), execution) == after


def test_in_memory_without_db():
    with LocalSWF(poll_timeout=0.2) as swf:
        register(swf.client())
    with LocalSWF(poll_timeout=0.2) as swf:
        assert swf.client().list_domains(registrationStatus="REGISTERED")["domainInfos"] == []


def test_journal_refuses_foreign_database(tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); "
        "INSERT INTO meta VALUES ('format', 'something-else');"
    )
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match="not a swfobjects local journal"):
        Journal(path)


def test_journal_round_trip(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    journal.append(JournalEntry(1.5, "RegisterDomain", "{}", ("id1", "id2")))
    journal.append(JournalEntry(2.5, "", "", ()))
    journal.close()
    again = Journal(tmp_path / "j.sqlite")
    assert list(again.entries()) == [
        JournalEntry(1.5, "RegisterDomain", "{}", ("id1", "id2")),
        JournalEntry(2.5, "", "", ()),
    ]
    assert len(again) == 2
