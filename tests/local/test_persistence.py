"""``--db FILE``: a restart of the service loses nothing it acknowledged."""

from __future__ import annotations

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._persistence import Journal, JournalEntry, JournalError
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
    with pytest.raises(JournalError, match="not a swfobjects local journal"):
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


# --- the journal never lies ------------------------------------------------------------------


def _journal_with_rows(path, n=3):
    journal = Journal(path)
    for i in range(n):
        journal.append(JournalEntry(float(i), "RegisterDomain", f'{{"name": "d{i}"}}', ()))
    journal.close()


def _execute(path, sql):
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("DELETE FROM journal WHERE seq = 2", "row 2 is missing"),
        ("DELETE FROM journal WHERE seq = 3", "ends at row 2 but was written up to row 3"),
        ("UPDATE journal SET body = '{}' WHERE seq = 1", r"row 1 \(RegisterDomain\) was changed"),
        ("UPDATE journal SET at = 9 WHERE seq = 3", "row 3 .* was changed"),
    ],
)
def test_a_damaged_journal_stops_start_up(tmp_path, damage, message):
    path = tmp_path / "j.sqlite"
    _journal_with_rows(path)
    _execute(path, damage)
    with pytest.raises(JournalError, match=message):
        Journal(path)
    with pytest.raises(JournalError, match=message):
        LocalSWF(db=path).start()


def test_an_intact_journal_reopens_and_keeps_its_chain(tmp_path):
    path = tmp_path / "j.sqlite"
    _journal_with_rows(path)
    journal = Journal(path)
    journal.append(JournalEntry(5.0, "", "", ()))
    journal.close()
    assert len(Journal(path)) == 4


def test_a_lost_write_ahead_log_after_a_kill_is_detected(tmp_path):
    import shutil

    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.append(JournalEntry(1.0, "RegisterDomain", "{}", ()))
    # A killed service leaves the file marked open, its last transactions in the -wal file.
    copy = tmp_path / "killed.sqlite"
    shutil.copy(path, copy)
    journal.close()
    with pytest.raises(JournalError, match="not closed cleanly .*-wal is missing"):
        Journal(copy)


def test_a_format_1_journal_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, "
        "operation TEXT NOT NULL, body TEXT NOT NULL, ids TEXT NOT NULL);"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('format', 'swfobjects-local-journal-1');"
        "INSERT INTO journal (at, operation, body, ids) VALUES (1.0, 'RegisterDomain', '{}', '[]');"
    )
    conn.commit()
    conn.close()
    Journal(path).close()
    assert [e.operation for e in Journal(path).entries()] == ["RegisterDomain"]


@pytest.mark.parametrize("kind", ["directory", "not a database"])
def test_a_journal_that_cannot_be_used_is_one_clear_error(tmp_path, kind):
    path = tmp_path / "x.sqlite"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(JournalError, match=str(path)):
        Journal(path)


class _FailingJournal(Journal):
    """A journal whose disk fills up after ``ok`` rows (as a full disk or read-only file)."""

    ok = 10**9

    def append(self, entry):
        import sqlite3

        if self.ok <= 0:
            raise sqlite3.OperationalError("database or disk is full")
        self.ok -= 1
        super().append(entry)


def test_a_call_the_journal_cannot_record_changes_nothing(tmp_path):
    from swfobjects.local._engine import Engine
    from swfobjects.model import SwfFault

    journal = _FailingJournal(tmp_path / "j.sqlite")
    engine = Engine(clock=lambda: 1000.0, journal=journal, poll_timeout=0)
    register = {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"}
    engine.call("RegisterDomain", register)
    journal.ok = 0
    with pytest.raises(SwfFault, match="could not record RegisterDomain .*nothing was changed"):
        engine.call("RegisterDomain", dict(register, name="phantom"))
    names = [
        d["name"]
        for d in engine.call("ListDomains", {"registrationStatus": "REGISTERED"})["domainInfos"]
    ]
    assert names == ["d"]
    journal.ok = 1
    engine.call("RegisterDomain", dict(register, name="later"))
    engine.close()
    again = Engine(clock=lambda: 1000.0, journal=Journal(tmp_path / "j.sqlite"), poll_timeout=0)
    listed = again.call("ListDomains", {"registrationStatus": "REGISTERED"})["domainInfos"]
    assert sorted(d["name"] for d in listed) == ["d", "later"]
    again.close()


def test_a_full_disk_refuses_calls_without_phantom_state(tmp_path):
    """RLIMIT_FSIZE makes the file system refuse the journal's growth, as a full disk does."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from swfobjects.local._engine import Engine
        from swfobjects.local._persistence import Journal
        from swfobjects.model import SwfFault
        engine = Engine(clock=lambda: 1000.0, journal=Journal({str(tmp_path / "j.sqlite")!r}))
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
        refused = 0
        for i in range(200):
            try:
                engine.call("RegisterDomain", {{"name": f"d{{i}}" + "x" * 200,
                            "workflowExecutionRetentionPeriodInDays": "1"}})
            except SwfFault as fault:
                assert fault.code == "InternalFailure", fault
                refused += 1
        listed = engine.call("ListDomains", {{"registrationStatus": "REGISTERED"}})
        print(refused, len(listed["domainInfos"]), len(engine.journal))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    refused, visible, journaled = map(int, out)
    assert refused > 0
    assert visible == journaled == 200 - refused
