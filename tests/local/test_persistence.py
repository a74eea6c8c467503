"""``--db FILE``: a restart of the service loses nothing it acknowledged."""

from __future__ import annotations

import json
import re

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._persistence import Journal, JournalEntry, JournalError
from swfobjects.model import SwfFault
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


# --- compaction: a snapshot plus the journal's tail ------------------------------------------


def _compacted_journal(path, before=3, after=2):
    """A closed journal: ``before`` rows replaced by a snapshot, then ``after`` more rows."""
    journal = Journal(path)
    for i in range(before):
        journal.append(JournalEntry(float(i), "RegisterDomain", f'{{"name": "d{i}"}}', ()))
    journal.compact(float(before), '{"state": "after the first rows"}')
    for i in range(after):
        journal.append(JournalEntry(9.0 + i, "RegisterDomain", f'{{"name": "e{i}"}}', ()))
    journal.close()


def test_a_compacted_journal_keeps_its_snapshot_and_tail(tmp_path):
    import sqlite3

    path = tmp_path / "j.sqlite"
    _compacted_journal(path)
    journal = Journal(path)
    assert journal.snapshot() == (3.0, '{"state": "after the first rows"}')
    assert [e.body for e in journal.entries()] == ['{"name": "e0"}', '{"name": "e1"}']
    assert len(journal) == 2 and journal.since_snapshot == 2
    journal.compact(20.0, "{}")  # a second compaction replaces the first snapshot
    journal.append(JournalEntry(21.0, "", "", ()))
    journal.close()
    journal = Journal(path)
    assert journal.snapshot() == (20.0, "{}")
    assert [e.at for e in journal.entries()] == [21.0]
    journal.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT seq FROM snapshot").fetchall() == [(5,)]
    assert conn.execute("SELECT seq FROM journal").fetchall() == [(6,)]
    conn.close()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("UPDATE snapshot SET body = '{}'", "snapshot at row 3 was changed"),
        ("UPDATE snapshot SET at = 1", "snapshot at row 3 was changed"),
        ("DELETE FROM snapshot", r"row 1 is missing \(next is 4\)"),
        ("DELETE FROM journal WHERE seq = 4", r"row 4 is missing \(next is 5\)"),
        ("DELETE FROM journal WHERE seq = 5", "ends at row 4 but was written up to row 5"),
        ("UPDATE journal SET body = '{}' WHERE seq = 4", r"row 4 \(RegisterDomain\) was changed"),
        (
            "INSERT INTO snapshot SELECT 1, at, body, previous, link FROM snapshot",
            "it has 2 snapshots",
        ),
        (
            "INSERT INTO journal VALUES (2, 1.0, 'RegisterDomain', '{}', '[]', 'x')",
            "row 2 precedes its snapshot at row 3",
        ),
    ],
)
def test_a_damaged_compacted_journal_stops_start_up(tmp_path, damage, message):
    path = tmp_path / "j.sqlite"
    _compacted_journal(path)
    _execute(path, damage)
    with pytest.raises(JournalError, match=message):
        Journal(path)


def test_a_lost_snapshot_with_no_rows_after_it_is_detected(tmp_path):
    path = tmp_path / "j.sqlite"
    _compacted_journal(path, after=0)
    _execute(path, "DELETE FROM snapshot")
    with pytest.raises(JournalError, match="ends at row 0 but was written up to row 3"):
        Journal(path)


def test_a_lost_write_ahead_log_after_compaction_is_detected(tmp_path):
    import shutil

    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.append(JournalEntry(1.0, "RegisterDomain", "{}", ()))
    journal.compact(1.0, "{}")
    journal.append(JournalEntry(2.0, "RegisterDomain", "{}", ()))
    copy = tmp_path / "killed.sqlite"
    shutil.copy(path, copy)  # the state of a killed service's file, without its -wal
    journal.close()
    with pytest.raises(JournalError, match="not closed cleanly .*-wal is missing"):
        Journal(copy)


def test_a_compacted_journal_with_damaged_pages_stops_start_up(tmp_path):
    """SQLite's own checks (quick_check, or the read failing) still hold after compaction."""
    path = tmp_path / "j.sqlite"
    _compacted_journal(path, before=300, after=300)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # keep the header and schema page
        data[offset + 100 : offset + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match=str(path)):
        Journal(path)


def test_a_format_2_journal_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "j.sqlite"
    _journal_with_rows(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE snapshot")
    conn.execute("UPDATE meta SET value = 'swfobjects-local-journal-2' WHERE key = 'format'")
    conn.commit()
    conn.close()
    journal = Journal(path)
    assert journal.snapshot() is None and len(journal) == 3
    journal.compact(5.0, "{}")
    journal.close()
    assert Journal(path).snapshot() == (5.0, "{}")


def _flow(client, clock):
    """Calls that leave an open activity token, an armed timer and a closed run behind."""
    register(client)
    run = client.start_workflow_execution(domain=DOMAIN, workflowId="kept", workflowType=WORKFLOW)[
        "runId"
    ]
    task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"})
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            schedule("a", startToCloseTimeout="100"),
            decision("StartTimer", timerId="t", startToFireTimeout="30"),
        ],
    )
    other = client.start_workflow_execution(domain=DOMAIN, workflowId="gone", workflowType=WORKFLOW)
    client.terminate_workflow_execution(domain=DOMAIN, workflowId="gone")
    activity = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "activities"})
    return {"workflowId": "kept", "runId": run}, activity["taskToken"], other["runId"]


def test_a_service_compacts_every_n_rows_and_restarts_from_the_snapshot(tmp_path):
    db = tmp_path / "swf.sqlite"
    clock = ManualClock()
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2, tick=3600, compact_every=4) as swf:
        client = swf.client()
        execution, token, _ = _flow(client, clock)
        before = _history(client, execution)
        journal = swf.engine.journal
        assert journal.snapshot() is not None and len(journal) < 4
        state = swf.engine.model.snapshot()
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2, tick=3600, compact_every=0) as swf:
        client = swf.client()
        assert swf.engine.from_snapshot
        assert swf.engine.model.snapshot() == state
        assert _history(client, execution) == before
        client.respond_activity_task_completed(taskToken=token, result="r")
        clock.advance(31)
        swf.advance()
        types = [e["eventType"] for e in _history(client, execution)]
        assert types[len(before) :] == [
            "ActivityTaskCompleted",
            "DecisionTaskScheduled",
            "TimerFired",
        ]


def test_compaction_keeps_the_quotas_in_force(tmp_path):
    db = tmp_path / "swf.sqlite"
    with LocalSWF(db=db, poll_timeout=0.2, quotas={"domains": 1}) as swf:
        swf.engine.compact()
    journal = Journal(db)
    assert journal.snapshot() is not None and len(journal) == 0
    journal.close()
    from swfobjects.local._engine import Engine

    engine = Engine(journal=Journal(db), poll_timeout=0, journal_quotas=True)
    assert engine.model.quotas.domains == 1
    engine.close()


class _FailingCompaction(Journal):
    def compact(self, at, body):
        import sqlite3

        raise sqlite3.OperationalError("database or disk is full")


def test_a_compaction_that_cannot_be_written_changes_nothing(tmp_path, capsys):
    from swfobjects.local._engine import Engine

    journal = _FailingCompaction(tmp_path / "j.sqlite")
    engine = Engine(clock=lambda: 1000.0, journal=journal, poll_timeout=0, compact_every=2)
    for i in range(5):
        engine.call(
            "RegisterDomain", {"name": f"d{i}", "workflowExecutionRetentionPeriodInDays": "1"}
        )
    assert capsys.readouterr().err.count("could not compact journal") == 2  # at rows 2 and 4
    assert len(journal) == 5 and journal.snapshot() is None
    with pytest.raises(JournalError, match="cannot compact journal .*disk is full"):
        engine.compact()
    engine.close()
    again = Engine(clock=lambda: 1000.0, journal=Journal(tmp_path / "j.sqlite"), poll_timeout=0)
    assert len(again.call("ListDomains", {"registrationStatus": "REGISTERED"})["domainInfos"]) == 5
    again.close()


def test_a_snapshot_this_version_cannot_read_stops_start_up(tmp_path):
    from swfobjects.local._engine import Engine

    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.compact(1.0, '{"format": "swfobjects-model-snapshot-99"}')
    journal.close()
    with pytest.raises(
        JournalError, match="snapshot this version cannot use: not a model snapshot"
    ):
        Engine(journal=Journal(path), poll_timeout=0)
    with pytest.raises(JournalError, match="snapshot this version cannot use"):
        LocalSWF(db=path).start()


def test_a_compacted_engine_restarts_into_the_same_state(tmp_path):
    """Seeded random calls through the engine, compacting every 7 rows: a restart from the
    snapshot and the tail rebuilds exactly the state (tokens, histories, the timer heap)."""
    from swfobjects.local._engine import Engine
    from tests.model.test_snapshot import DOMAIN as D
    from tests.model.test_snapshot import Driver, _setup

    clock = ManualClock()
    for seed in range(3):
        path = tmp_path / f"j{seed}.sqlite"
        engine = Engine(clock=clock, journal=Journal(path), poll_timeout=0, compact_every=7)
        _setup(engine.model)  # straight into the model: the snapshot must carry it
        engine.compact()
        driver = Driver(seed)
        for _ in range(200):
            operation, params = driver.next_call()
            if operation == "#advance":
                clock.advance(params["seconds"])
                engine.advance()
                continue
            try:
                answer = json.dumps(engine.call(operation, params, wait=0))
            except SwfFault as fault:
                answer = fault.code
            driver.saw(operation, answer)
        state = engine.model.snapshot()
        assert engine.journal.since_snapshot < 7
        engine.close()
        again = Engine(clock=clock, journal=Journal(path), poll_timeout=0)
        assert again.from_snapshot and again.model.snapshot() == state
        assert any(e["domain"] == D and len(e["events"]) > 8 for e in state["executions"])
        again.close()


def test_swfobjects_local_compact_shrinks_a_closed_journal(tmp_path, capsys):
    from swfobjects._cli import main

    db = tmp_path / "swf.sqlite"
    clock = ManualClock()
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2, tick=3600, compact_every=0) as swf:
        client = swf.client()
        execution, _, _ = _flow(client, clock)
        for _ in range(300):  # refused calls: journaled (they might have changed something)
            with pytest.raises(client.exceptions.DomainAlreadyExistsFault):
                client.register_domain(
                    name=DOMAIN, workflowExecutionRetentionPeriodInDays="1", description="x" * 500
                )
        before = _history(client, execution)
    assert main(["local", "compact", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "journal rows replaced by a snapshot" in out
    found = re.search(r"(\d+) journal rows .*; ([\d,]+) bytes -> ([\d,]+) bytes", out)
    assert found is not None, out
    rows, size_before, size_after = (int(n.replace(",", "")) for n in found.groups())
    assert rows > 300
    assert size_after < size_before / 2
    with LocalSWF(db=db, clock=clock, poll_timeout=0.2, tick=3600) as swf:
        assert swf.engine.from_snapshot and swf.engine.replayed == 0
        assert _history(swf.client(), execution) == before


def test_swfobjects_local_compact_refuses_a_journal_in_use(tmp_path, capsys):
    from swfobjects._cli import main

    db = tmp_path / "swf.sqlite"
    with LocalSWF(db=db, poll_timeout=0.2):
        assert main(["local", "compact", "--db", str(db)]) == 2
    assert "in use by a service, or its service was killed" in capsys.readouterr().err


def test_an_unreadable_snapshot_with_a_matching_link_stops_start_up(tmp_path):
    import sqlite3

    from swfobjects.local._persistence import _snapshot_link

    path = tmp_path / "j.sqlite"
    _compacted_journal(path, after=0)
    conn = sqlite3.connect(path)
    seq, at, previous = conn.execute("SELECT seq, at, previous FROM snapshot").fetchone()
    garbage = b"not zlib"
    conn.execute(
        "UPDATE snapshot SET body = ?, link = ?",
        (garbage, _snapshot_link(previous, seq, at, garbage)),
    )
    conn.commit()
    conn.close()
    journal = Journal(path)
    with pytest.raises(JournalError, match="its snapshot is unreadable"):
        journal.snapshot()
    journal.close()
    with pytest.raises(JournalError, match="its snapshot is unreadable"):
        LocalSWF(db=path).start()
