"""The whole state of an :class:`SwfModel` as plain JSON, and back (``--db`` compaction).

Why: the local service's journal replays every mutating call since the first; a snapshot of
the model at a journal position lets it drop the rows before it, so the file and the start-up
time stay bounded. Plain JSON (never pickle: a journal is data, and loading it must not run
code), versioned by ``format``, and exact: a restored model answers every later call as the
original would, byte for byte, tokens, run ids and the order of the timer heap included.

What is and is not state:

- domains, types, executions (every field of :class:`~._state.Execution`, their open activity
  tasks, timers and children), which executions are open under which workflow id, the task
  queues, the due heap (entries with their sequence numbers, so timers due at the same moment
  still fire in the order they were armed; the purges of closed runs included) and the quotas
  in force;
- not the clock, the id source, the listeners, the account id or the region: the caller's
  (the local service's) own, kept as they are by :func:`restore`;
- not what no call can tell apart: queue and heap entries already stale or moot (their task
  or execution closed, their decision answered or rescheduled, their task started) are
  skipped by the model when they come up, so they are left out; task tokens are rebuilt from
  the tasks that hold them (a token no task holds is refused either way).

Objects that point at each other (a queued task, a heap entry, a token) are written as
references: an execution by its index in ``executions``, an activity task by that and its
activity id, a timer by its timer id.
"""

from __future__ import annotations

import gc
import json
from collections import deque
from dataclasses import asdict, fields
from typing import Any, Protocol

from ..swf.limits import Quotas
from ._due import DueHeap, still_pending
from ._executions import Executions
from ._queues import TaskQueues
from ._registry import Registry
from ._state import ActivityTaskState, ChildState, Domain, Execution, TimerState, TypeRecord

__all__ = ["FORMAT", "SnapshotError", "dumps", "loads", "restore", "snapshot"]

FORMAT = "swfobjects-model-snapshot-1"
"""The ``format`` of what :func:`snapshot` writes; :func:`restore` refuses any other."""

_NESTED = ("activities", "timers", "children")
"""Fields of an execution written as lists of records rather than as plain values."""
_EXECUTION_FIELDS = tuple(f.name for f in fields(Execution) if f.name not in _NESTED)
_TASK_FIELDS = tuple(f.name for f in fields(ActivityTaskState) if f.name != "execution")
_TIMER_FIELDS = tuple(f.name for f in fields(TimerState))
_CHILD_FIELDS = tuple(f.name for f in fields(ChildState))
_DOMAIN_FIELDS = tuple(f.name for f in fields(Domain))
_TYPE_FIELDS = tuple(f.name for f in fields(TypeRecord))


class SwfModel(Protocol):
    """What a snapshot reads and writes of ``SwfModel`` (this module sits below the façade)."""

    registry: Registry
    executions: Executions
    queues: TaskQueues
    due: DueHeap
    quotas: Quotas


class SnapshotError(ValueError):
    """A snapshot this version cannot restore (another format, or damaged); says which part."""


def snapshot(model: SwfModel) -> dict[str, Any]:
    """The state of ``model`` as plain JSON data (dicts, lists, str, int, float, bool, None),
    sharing nothing with the model."""
    result: dict[str, Any] = json.loads(dumps(model))
    return result


def dumps(model: SwfModel) -> str:
    """The state of ``model`` as JSON text (what the local service's journal stores)."""
    return json.dumps(_state(model), separators=(",", ":"), allow_nan=False)


def loads(model: SwfModel, text: str) -> None:
    """Replace the state of ``model`` with the JSON text :func:`dumps` wrote."""
    # Decoding creates a container per event and the cyclic collector would walk them all,
    # again and again, as they pile up (none is garbage): off, decoding takes half the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = json.loads(text)
        restore(model, data)
    except ValueError as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"damaged model snapshot (not JSON: {exc})") from None
    finally:
        if collecting:
            gc.enable()


def _state(model: SwfModel) -> dict[str, Any]:
    """The state of ``model``, sharing lists and dicts with it (to be serialized at once).

    Read-only: leaves the model answering every later call as before.
    """
    executions = list(model.executions.runs.values())
    index = {id(execution): i for i, execution in enumerate(executions)}
    due = model.due
    return {
        "format": FORMAT,
        "quotas": asdict(model.quotas),
        "domains": [_plain(domain, _DOMAIN_FIELDS) for domain in model.registry.domains.values()],
        "types": [
            {"domain": key[1], **_plain(record, _TYPE_FIELDS)}
            for key, record in model.registry.types.items()
        ],
        "executions": [_execution(execution) for execution in executions],
        "open": [index[id(execution)] for execution in model.executions.open_by_id.values()],
        "decision_queues": [
            [
                domain,
                task_list,
                [
                    [index[id(e)], scheduled]
                    for e, scheduled in queue
                    if _live_decision(e, scheduled)
                ],
            ]
            for (domain, task_list), queue in model.queues.decision_queues.items()
        ],
        "activity_queues": [
            [
                domain,
                task_list,
                [[index[id(t.execution)], t.activity_id] for t in queue if _live_activity(t)],
            ]
            for (domain, task_list), queue in model.queues.activity_queues.items()
        ],
        "due": {
            "next_seq": due.next_seq(),
            "entries": [  # sorted, which is a heap: the same pop order, one way to write it
                [when, seq, *_due_item(item, index)]
                for when, seq, item in sorted(due.entries, key=_when_seq)
                if _can_fire(item)
            ],
        },
    }


def restore(model: SwfModel, data: dict[str, Any]) -> None:
    """Replace the state of ``model`` with ``data`` (from :func:`snapshot`), in place.

    The model takes over ``data``'s lists and dicts (pass a copy to keep using them). It keeps
    its clock, id source, listeners, account id and region. Raises
    :class:`SnapshotError` naming what is wrong if ``data`` is not a snapshot of this format.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise SnapshotError(f"not a model snapshot of format {FORMAT!r} (found {found!r})")
    try:
        _restore(model, data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SnapshotError(f"damaged model snapshot ({type(exc).__name__}: {exc})") from None


def _restore(model: SwfModel, data: dict[str, Any]) -> None:
    quotas = Quotas(**data["quotas"])
    domains = {}
    for record in data["domains"]:
        domain = Domain(**_fields(record, _DOMAIN_FIELDS, "domain"))
        domains[domain.name] = domain
    types = {}
    for record in data["types"]:
        type_record = TypeRecord(**_fields(record, _TYPE_FIELDS, "type", extra=("domain",)))
        key = (type_record.kind, record["domain"], type_record.name, type_record.version)
        types[key] = type_record
    executions = [_restored_execution(record) for record in data["executions"]]
    open_runs = [executions[i] for i in data["open"]]
    decision_queues = {
        (domain_name, task_list): deque((executions[i], int(scheduled)) for i, scheduled in entries)
        for domain_name, task_list, entries in data["decision_queues"]
    }
    activity_queues = {
        (domain_name, task_list): deque(
            executions[i].activities[activity_id] for i, activity_id in entries
        )
        for domain_name, task_list, entries in data["activity_queues"]
    }
    due = data["due"]
    due_entries = [
        (float(when), int(seq), _restored_item(item, executions))
        for when, seq, *item in due["entries"]
    ]
    next_seq = int(due["next_seq"])

    # Everything is read: now replace the model's state (nothing above changed it). The
    # collaborators share these containers (Decisions keeps registry.types): fill them in place.
    registry, queues, runs = model.registry, model.queues, model.executions
    registry.domains.clear()
    registry.domains.update(domains)
    registry.types.clear()
    registry.types.update(types)
    runs.runs.clear()
    runs.runs.update(((e.domain, e.workflow_id, e.run_id), e) for e in executions)
    runs.open_by_id.clear()
    runs.open_by_id.update(((e.domain, e.workflow_id), e) for e in open_runs)
    queues.decision_queues.clear()
    queues.decision_queues.update(decision_queues)
    queues.activity_queues.clear()
    queues.activity_queues.update(activity_queues)
    queues.tokens.clear()
    for execution in executions:
        if execution.decision_token:
            queues.tokens[execution.decision_token] = execution
        for task in execution.activities.values():
            if task.token:
                queues.tokens[task.token] = task
    model.due.replace(due_entries, next_seq)
    model.quotas = quotas
    # A snapshot written before retention was modelled arms no purge: arm the missing ones.
    armed = {id(item[1]) for _, _, item in due_entries if item[0] == "purge"}
    for execution in executions:
        if execution.close_status is not None and id(execution) not in armed:
            runs.arm_purge(execution)


# --- writing ------------------------------------------------------------------------------


def _plain(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names}


def _execution(execution: Execution) -> dict[str, Any]:
    data = _plain(execution, _EXECUTION_FIELDS)
    data["activities"] = [_plain(task, _TASK_FIELDS) for task in execution.activities.values()]
    data["timers"] = [_plain(timer, _TIMER_FIELDS) for timer in execution.timers.values()]
    data["children"] = [
        [key, _plain(child, _CHILD_FIELDS)] for key, child in execution.children.items()
    ]
    return data


def _when_seq(entry: tuple[float, int, tuple[Any, ...]]) -> tuple[float, int]:
    return entry[0], entry[1]


def _can_fire(item: tuple[Any, ...]) -> bool:
    """False for a heap entry that can never fire again: stale (``still_pending``), or moot
    for good (a decision timeout of a task already answered, a schedule-to-start timeout of a
    started task), which ``Timeouts`` would pop and drop without a trace."""
    if not still_pending(item):
        return False
    kind = item[0]
    if kind == "decision":
        return bool(item[1].decision_state == "started")
    if kind == "activity" and item[2] == "SCHEDULE_TO_START":
        return not item[1].started_event_id
    if kind == "purge":
        return bool(item[1].close_status is not None)
    return True


def _live_decision(execution: Execution, scheduled_id: int) -> bool:
    return (
        execution.close_status is None
        and execution.decision_state == "scheduled"
        and execution.decision_scheduled_id == scheduled_id
    )


def _live_activity(task: ActivityTaskState) -> bool:
    execution = task.execution
    return (
        execution.close_status is None
        and task.token is None
        and execution.activities.get(task.activity_id) is task
    )


def _due_item(item: tuple[Any, ...], index: dict[int, int]) -> list[Any]:
    kind = item[0]
    if kind == "timer":
        return [kind, index[id(item[1])], item[2].timer_id]
    if kind == "activity":
        task = item[1]
        return [kind, index[id(task.execution)], task.activity_id, item[2]]
    if kind == "decision":
        return [kind, index[id(item[1])], item[2]]
    if kind in ("execution", "purge"):
        return [kind, index[id(item[1])]]
    raise AssertionError(f"unknown due item kind {kind!r}")  # a new kind needs a reference here


# --- reading ------------------------------------------------------------------------------


def _fields(
    record: Any, names: tuple[str, ...], what: str, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise TypeError(f"a {what} is {type(record).__name__}, not an object")
    unknown = set(record) - set(names) - set(extra)
    missing = set(names) - set(record)
    if unknown:
        raise ValueError(f"a {what} has fields this version does not know: {sorted(unknown)}")
    if missing:
        raise ValueError(f"a {what} lacks fields: {sorted(missing)}")
    return {name: record[name] for name in names}


def _restored_execution(record: dict[str, Any]) -> Execution:
    execution = Execution(**_fields(record, _EXECUTION_FIELDS, "execution", extra=_NESTED))
    for data in record["activities"]:
        task = ActivityTaskState(execution, **_fields(data, _TASK_FIELDS, "activity task"))
        execution.activities[task.activity_id] = task
    for data in record["timers"]:
        timer = TimerState(**_fields(data, _TIMER_FIELDS, "timer"))
        execution.timers[timer.timer_id] = timer
    for key, data in record["children"]:
        execution.children[int(key)] = ChildState(**_fields(data, _CHILD_FIELDS, "child"))
    return execution


def _restored_item(item: list[Any], executions: list[Execution]) -> tuple[Any, ...]:
    kind, execution = item[0], executions[item[1]]
    if kind == "timer":
        return (kind, execution, execution.timers[item[2]])
    if kind == "activity":
        return (kind, execution.activities[item[2]], item[3])
    if kind == "decision":
        return (kind, execution, int(item[2]))
    if kind in ("execution", "purge"):
        return (kind, execution)
    raise ValueError(f"unknown due item kind {kind!r}")
