"""``Replayer``: check recorded histories against today's workflow code, before a deploy.

A change to a workflow is safe for the executions already running only if their histories
still replay: the changed code must make the same calls, in the same order, as the code that
wrote them. Save some histories (``swfobjects history WORKFLOW_ID > run.json``), then::

    replayer = Replayer(Checkout, data_store=S3Store("payloads"))
    for result in replayer.replay_files(glob.glob("histories/*.json")):
        print(result)        # "histories/a.json: OK (52 events)" or the first mismatch
    assert all(r.ok for r in replayer.replay_files(paths))

Each history is replayed by the same decider the workers run, with the determinism guard on
and with the source line of every call the workflow makes recorded, so a mismatch reports the
history event, what history says, and the line of workflow code that disagrees.

What a replay needs beyond the events: the store holding out-of-band payloads (``data_store``,
as given to the executors) and the run id, which seeds ``self.random()``, retry jitter and
child workflow ids. SWF histories do not carry their own run id; pass ``run_id=`` when you know
it, otherwise it is read from the ids of the children the run started.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from ..exceptions import HistoryFileError, NonDeterminismError, NonDeterministicCallError
from ..payloads._payload import PayloadStore
from ..payloads.storage._stores import DataStore
from ..replay._decider import Decider, payloads_for
from ..swf._shapes import event_attributes
from ._histories import history_events, read_history

__all__ = ["ReplayResult", "Replayer"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

_CHILD_ID = re.compile(r"^(?P<run>.+)-\d+$")

_EVENT_KEYS = (
    ("activityId", "A:"),
    ("timerId", "T:"),
    ("markerName", "M:"),
)
"""Attribute of an event and the command key prefix of the call that made it."""


@dataclass(frozen=True)
class ReplayResult:
    """How one history replayed: :attr:`ok`, or the first mismatch and where it is.

    ``error`` is the :class:`NonDeterminismError` (or the determinism guard's
    :class:`NonDeterministicCallError`); ``event_id`` and ``event_type`` name the history event
    it is about; ``line`` is ``file:line in function`` of the workflow code involved (the call
    that history contradicts, else the last call the code made), or "" if none is known.
    """

    source: str
    events: int
    error: Exception | None = None
    event_id: int | None = None
    event_type: str = ""
    line: str = ""
    decisions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the code replayed the whole history without a contradiction."""
        return self.error is None

    def __str__(self) -> str:
        if self.error is None:
            return f"{self.source}: OK ({self.events} events)"
        where = f" at event {self.event_id} ({self.event_type})" if self.event_id else ""
        text = f"{self.source}: MISMATCH{where}: {self.error}"
        if self.line:
            text += f"\n  workflow code: {self.line}"
        return text


class Replayer:
    """Replays recorded histories of one workflow class against its current code.

    >>> Replayer(Checkout).replay_file("run.json").ok                  # doctest: +SKIP
    True

    ``data_store``: the store the workers were given (``FileStore``, ``S3Store``, an
    ``OffloadingStore``...), needed when payloads travelled out of band. ``domain``: the SWF
    domain the histories come from (only for stores that need it).
    """

    def __init__(
        self,
        workflow_class: type,
        *,
        data_store: DataStore | PayloadStore | None = None,
        domain: str = "",
    ) -> None:
        workflow = getattr(workflow_class, "_swf_workflow", None)
        if workflow is None:
            raise TypeError(f"{workflow_class!r} is not a swfobjects Workflow class")
        self.workflow = workflow
        self.data_store = data_store
        self.domain = domain

    def replay(
        self,
        history: Iterable[Mapping[str, Any]] | Mapping[str, Any],
        *,
        workflow_id: str = "",
        run_id: str = "",
        source: str = "history",
    ) -> ReplayResult:
        """Replay one history: ``{"events": [...]}`` or a list of events (``handle.history()``).

        A history that is not one (wrong shape, another workflow type) raises
        :class:`HistoryFileError`; a contradiction is a result, not an exception.
        """
        events = history_events(history if isinstance(history, Mapping) else list(history), source)
        self._check_type(events, source)
        decider = Decider(
            self.workflow,
            payloads_for(None, self.data_store, self.domain),
            workflow_id,
            run_id or _run_id_of(events),
            strict=True,
        )
        decider.runtime.silent = True  # a check of old histories: workflow logs stay quiet
        try:
            return self._replay(decider, events, source)
        finally:
            decider.discard()  # its coroutines close now, not inside some later decision

    @staticmethod
    def _replay(decider: Decider, events: list[dict[str, Any]], source: str) -> ReplayResult:
        commands = decider.runtime.commands
        commands.trace_sources()
        try:
            decider.feed(events)
            _check_outcome(decider, events)
        except (NonDeterminismError, NonDeterministicCallError) as error:
            event_id = getattr(error, "event_id", None)
            event = next((e for e in events if e["eventId"] == event_id), None)
            return ReplayResult(
                source,
                len(events),
                error,
                event_id,
                event["eventType"] if event else "",
                _line_of(error, event, commands.sources or {}, list(commands.pending))
                or _where_the_code_is(decider),
            )
        return ReplayResult(source, len(events), decisions=decider.decisions())

    def replay_file(
        self, path: str | os.PathLike[str] | IO[str], *, workflow_id: str = "", run_id: str = ""
    ) -> ReplayResult:
        """Replay the history file ``path`` (see :mod:`._histories` for what it may hold)."""
        name = str(path.name if hasattr(path, "read") else os.fspath(path))  # type: ignore[union-attr]
        return self.replay(
            {"events": read_history(path)}, workflow_id=workflow_id, run_id=run_id, source=name
        )

    def replay_files(self, paths: Iterable[str | os.PathLike[str]]) -> list[ReplayResult]:
        """Replay every file of ``paths``; one result per file, in order."""
        return [self.replay_file(path) for path in paths]

    def _check_type(self, events: list[dict[str, Any]], source: str) -> None:
        if not events or events[0]["eventType"] != "WorkflowExecutionStarted":
            first = events[0]["eventType"] if events else "nothing"
            raise HistoryFileError(
                f"{source} does not start with WorkflowExecutionStarted (it starts with "
                f"{first}); save the whole history of the run"
            )
        kind = event_attributes(events[0]).get("workflowType") or {}
        if kind.get("name") != self.workflow.name:
            raise HistoryFileError(
                f"{source} is a history of workflow type {kind.get('name')!r} version "
                f"{kind.get('version')!r}, not of {self.workflow.name!r}; replay it with that "
                "workflow class"
            )


_CLOSED_BY = {
    "WorkflowExecutionCompleted": "CompleteWorkflowExecution",
    "WorkflowExecutionFailed": "FailWorkflowExecution",
    "WorkflowExecutionCanceled": "CancelWorkflowExecution",
    "WorkflowExecutionContinuedAsNew": "ContinueAsNewWorkflowExecution",
}
"""A close event a decision made, and that decision: replay must end the run the same way."""

_OUTCOME = {
    "CompleteWorkflowExecution": "completes the workflow",
    "FailWorkflowExecution": "fails the workflow",
    "CancelWorkflowExecution": "cancels the workflow",
    "ContinueAsNewWorkflowExecution": "continues the workflow as new",
}


def _check_outcome(decider: Decider, events: list[dict[str, Any]]) -> None:
    """A run that history closes by a decision must close the same way in replay.

    Calls can all match while the ending differs (the changed code raises where it returned):
    the executions still open would then end differently from the ones recorded.
    """
    close = events[-1]
    wanted = _CLOSED_BY.get(close["eventType"])
    if wanted is None:
        return
    made = (decider.close_decision or {}).get("decisionType")
    if made == wanted:
        return
    does = (
        f"{_OUTCOME.get(made, made)} ({made})" if made else "is still waiting (no close decision)"
    )
    raise NonDeterminismError(
        f"history event {close['eventId']} is {close['eventType']}, but the replayed code "
        f"{does} there; the workflow code changed since this execution ran",
        close["eventId"],
    )


def _where_the_code_is(decider: Decider) -> str:
    """Where the workflow's main coroutine waits now, or, if it has ended, its method.

    The fallback when no call of the workflow points at the mismatch: the code made fewer
    calls than history records, so the place it stopped at is where it diverged.
    """
    main = decider.main
    task = getattr(getattr(main, "_cancel_hook", None), "task", None)
    coro = getattr(task, "coro", None)
    line = ""
    while coro is not None and getattr(coro, "cr_frame", None) is not None:
        frame = coro.cr_frame
        if not os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            line = f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        coro = getattr(coro, "cr_await", None)
    if line:
        return f"{line} (where the workflow waits)"
    workflow = decider.workflow
    method = getattr(workflow.workflow_class, workflow.method_name, None)
    code = getattr(method, "__code__", None)
    if code is None:
        return ""
    outcome = (decider.close_decision or {}).get("decisionType", "")
    ended = f"; replayed, it decides {outcome} before this event" if outcome else ""
    return (
        f"{code.co_filename}:{code.co_firstlineno} in {code.co_name} (the workflow method{ended})"
    )


def _run_id_of(events: list[dict[str, Any]]) -> str:
    """The run id a history's default child ids were made from (``<run id>-<n>``), or ""."""
    for event in events:
        if event["eventType"] == "StartChildWorkflowExecutionInitiated":
            child = event_attributes(event).get("workflowId", "")
            match = _CHILD_ID.match(child)
            if match and child.endswith("-1"):
                return match.group("run")
    return ""


def _line_of(
    error: Exception,
    event: dict[str, Any] | None,
    sources: dict[str, str],
    pending: list[str],
) -> str:
    """The workflow line behind a mismatch: the call with the event's id, else the call the
    code made instead (the first not in history), else the code's last call."""
    if isinstance(error, NonDeterministicCallError):
        return ""  # its message already names the line
    if event is not None:
        attrs = event_attributes(event)
        for attribute, prefix in _EVENT_KEYS:
            source = sources.get(prefix + str(attrs.get(attribute, "")))
            if source:
                return source
        if "workflowId" in attrs and event["eventType"].startswith("StartChild"):
            source = sources.get("C:" + attrs["workflowId"], "")
            if source:
                return source
    for key in pending:
        if sources.get(key):
            return sources[key]
    made = [line for line in sources.values() if line]
    return made[-1] if made else ""
