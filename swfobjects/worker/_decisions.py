"""Turning a polled decision task into decisions, with a sticky replay cache.

Shared by every executor. The handler keeps each run's :class:`Decider` in a bounded LRU
cache; when the next decision task of that run continues where the cached state stopped
(``previousStartedEventId`` equals the task the decider last decided), only the new events are
processed. Otherwise the full history is replayed. Both paths give identical decisions.
Every decider the handler lets go (evicted, replaced, failed, its run closed) is discarded,
so that its run's suspended coroutines close then, not inside a later decision.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from ..exceptions import HistoryError, NonDeterminismError, UnknownWorkflowTypeError
from ..payloads._payload import Payloads
from ..replay._decider import Decider, Unawaited, check_unawaited
from ..replay._outgoing import WorkflowRun
from ..replay._runtime import to_datetime
from ..swf._shapes import decision_attributes
from ..swf.client import SWFClient, TaskKind, full_history, paged
from ..swf.limits import MAX_PAGE_SIZE
from ..workflow._declarations import REGISTRY, Registry, WorkflowType
from ..workflow._functions import WorkflowFunction
from ._interceptors import (
    CloseOutcome,
    DecisionTask,
    Interceptor,
    WorkflowClose,
    checked_interceptors,
    run_intercepted,
)

__all__ = ["DecisionHandler", "collect_decision_task", "history_before", "poll_request"]

log = logging.getLogger("swfobjects.decider")


def poll_request(
    kind: TaskKind, domain: str, task_list: str, identity: str, since_previous: bool = True
) -> dict[str, Any]:
    """The ``PollForDecisionTask`` / ``PollForActivityTask`` request every executor sends.

    Decision polls ask for full pages (SWF's largest, so the fewest calls) and, with
    ``since_previous``, only the events since the previous decision task
    (``startAtPreviousStartedEvent``): the sticky cache continues from there, and a cache miss
    reads the older events (see :meth:`DecisionHandler.decide`). A decider without a cache
    passes ``since_previous=False``: it needs every event anyway, and reading them in the poll
    saves the extra ``GetWorkflowExecutionHistory`` call.
    """
    request: dict[str, Any] = {
        "domain": domain,
        "taskList": {"name": task_list},
        "identity": identity,
    }
    if kind == "decision":
        request["maximumPageSize"] = MAX_PAGE_SIZE
        if since_previous:
            request["startAtPreviousStartedEvent"] = True
    return request


def history_before(
    client: SWFClient, domain: str, execution: Mapping[str, str], first: int
) -> list[dict[str, Any]]:
    """Events ``1 .. first - 1`` of a run, read oldest first, stopping at the page that holds
    them: what a decider whose cache missed lacks in a task that starts at event ``first``.

    Only the head is read: the task already carries the rest (re-reading it would parse it
    twice, and events newer than the task would have to be cut off again).
    """
    request: dict[str, Any] = {
        "domain": domain,
        "execution": dict(execution),
        "maximumPageSize": MAX_PAGE_SIZE,
    }
    events: list[dict[str, Any]] = []
    while True:
        page = client.get_workflow_execution_history(**request)
        events.extend(page.get("events") or [])
        token = page.get("nextPageToken")
        if not token or (events and events[-1]["eventId"] >= first - 1):
            break
        request["nextPageToken"] = token
    head = events[: first - 1]
    if len(head) != first - 1 or (head and head[-1]["eventId"] != first - 1):
        raise HistoryError(
            f"the decision task's history starts at event {first}, but the run's history "
            f"read from SWF has {len(events)} events ending at "
            f"{events[-1]['eventId'] if events else None}: the two do not join",
            first,
        )
    return head


def collect_decision_task(
    client: SWFClient, first: dict[str, Any], poll_params: Mapping[str, Any]
) -> dict[str, Any]:
    """``first`` with every further history page appended (``nextPageToken`` re-polls)."""
    token = first.get("nextPageToken")
    if not token:
        return first  # one page: nothing to copy
    _, rest = paged(client.poll_for_decision_task, {**poll_params, "nextPageToken": token})
    task = dict(first, events=list(first.get("events") or []) + rest)
    task.pop("nextPageToken", None)
    return task


class DecisionHandler:
    """Decides decision tasks for the workflow classes it knows.

    ``cache_size`` bounds the sticky cache (runs kept); 0 disables it. ``strict`` (default on)
    fails a decision whose workflow code reads the clock or randomness, sleeps, or uses threads
    or asyncio (see ``_determinism``);
    ``unawaited`` says what to do when a run completes with promises it never awaited
    (``"warn"``, ``"error"``: fail the workflow, ``"ignore"``). ``interceptors``: see
    ``_interceptors`` (decision tasks, run start and close, outgoing calls).
    """

    def __init__(
        self,
        workflows: Iterable[type] = (),
        payloads: Payloads | None = None,
        registry: Registry = REGISTRY,
        cache_size: int = 1000,
        strict: bool = True,
        check_replay: bool = False,
        unawaited: Unawaited = "warn",
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        self.interceptors = checked_interceptors(interceptors)
        self.strict = strict
        self.unawaited = check_unawaited(unawaited)  # refused here, not in a poll thread
        self.check_replay = check_replay
        self.payloads = payloads or Payloads()
        self.registry = registry
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Decider] = OrderedDict()
        self._types: dict[tuple[str, str], WorkflowType] = {}
        self.hits = 0
        self.misses = 0
        for cls in workflows:
            self.add_workflow(cls)

    def add_workflow(self, workflow_class: type | WorkflowFunction[..., Any]) -> None:
        """Prefer this class for its SWF type over any other of the same name and version."""
        workflow = getattr(workflow_class, "_swf_workflow", None)
        if workflow is None:
            raise TypeError(f"{workflow_class!r} is not a Workflow class")
        self._types[workflow.key] = workflow

    def workflow_types(self) -> list[WorkflowType]:
        """The workflow types given explicitly."""
        return list(self._types.values())

    def resolve(self, name: str, version: str) -> WorkflowType:
        """The workflow type for an SWF type reference."""
        workflow = self._types.get((name, version)) or self.registry.workflows.get((name, version))
        if workflow is None:
            raise UnknownWorkflowTypeError(
                f"no workflow class here implements {name!r} version {version!r}"
            )
        return workflow

    def forget(self, run_id: str) -> None:
        """Drop a run's cached replay state."""
        decider = self._cache.pop(run_id, None)
        if decider is not None:
            decider.discard()

    def respond(
        self, task: dict[str, Any], client: SWFClient | None = None, domain: str = ""
    ) -> dict[str, Any]:
        """The ``RespondDecisionTaskCompleted`` parameters for a decision task: its token, the
        decisions, and the workflow's ``@state`` as ``executionContext`` when it changed."""
        if self.interceptors:
            decisions, context = self._intercepted(task, client, domain)
        else:
            decisions, context = self._decide(task, client, domain)
        params: dict[str, Any] = {"taskToken": task["taskToken"], "decisions": decisions}
        if context is not None:
            params["executionContext"] = context
        return params

    def decide(
        self, task: dict[str, Any], client: SWFClient | None = None, domain: str = ""
    ) -> list[dict[str, Any]]:
        """The decisions for a decision task (all history pages already collected).

        ``client``/``domain`` let the handler read the older events (:func:`history_before`)
        when the task carries only those since the previous decision and no cached state can
        continue them.
        """
        return self._decide(task, client, domain)[0]

    def _intercepted(
        self, task: dict[str, Any], client: SWFClient | None, domain: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        """:meth:`_decide` inside the interceptors' ``decision_task`` hooks, with the run's
        ``workflow_started`` / ``workflow_closed`` hooks when this task starts or closes it."""
        execution, run_id, _, _, previous = _task_fields(task)
        kind = task["workflowType"]
        info = DecisionTask(
            kind["name"],
            kind["version"],
            execution["workflowId"],
            run_id,
            task.get("startedEventId", 0),
            previous,
        )
        interceptors = self.interceptors
        out: list[tuple[list[dict[str, Any]], str | None]] = []

        def decide() -> None:
            if out:
                raise RuntimeError("an interceptor called decision_task's call_next() twice")
            out.append(self._decide(task, client, domain, info))
            run = info.run
            if run is None:
                return
            if not previous:
                for interceptor in interceptors:
                    interceptor.workflow_started(run)
            close = _close_of(run, out[0][0], info.decided_at)
            if close is not None:
                for interceptor in interceptors:
                    interceptor.workflow_closed(close)

        run_intercepted(interceptors, info, decide)
        if not out:
            raise RuntimeError(
                "an interceptor's decision_task returned without calling call_next(): the "
                f"decision task of workflow {info.workflow_id} run {run_id} was not decided; "
                "call call_next() once in every decision_task hook"
            )
        return out[0]

    def _decide(
        self,
        task: dict[str, Any],
        client: SWFClient | None,
        domain: str,
        info: DecisionTask | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        execution, run_id, events, first, previous = _task_fields(task)
        decider = self._cache.pop(run_id, None)
        hit = decider is not None
        if decider is not None and not (
            previous
            and decider.ran_for == previous
            and events
            and first <= decider.last_event_id + 1
        ):
            decider.discard()
            decider = None
            hit = False
        if decider is None:
            self.misses += 1
            if events and first != 1:
                if client is None:
                    raise HistoryError(
                        f"the decision task's history starts at event {first}, and with no "
                        "client to fetch the rest it cannot be replayed",
                        first,
                    )
                events = history_before(client, domain, execution, first) + events
            kind = task["workflowType"]
            decider = Decider(
                self.resolve(kind["name"], kind["version"]),
                self.payloads,
                execution["workflowId"],
                run_id,
                strict=self.strict,
                unawaited=self.unawaited,
                hooks=self.interceptors,
            )
        else:
            self.hits += 1
            seen = decider.last_event_id - first + 1
            if seen > 0:  # SWF repeats the previous DecisionTaskStarted: the decider has it
                events = events[seen:]  # a C-level slice, cheaper than the decider's filter
        try:
            decider.feed(events)
            decisions = decider.decisions()
            context = decider.execution_context
            if self.check_replay and hit and client is not None:
                self._compare_with_full_replay(decider, decisions, task, client, domain)
        except BaseException:
            if info is not None and decider.main is not None:
                info.run = decider.runtime.run_info()
            decider.discard()
            raise
        if info is not None:
            info.run = decider.runtime.run_info()
            info.decisions = tuple(decisions)
            info.decided_at = to_datetime(decider.runtime.timestamp).timestamp()
        if self.cache_size and not decider.closed:
            cache = self._cache
            cache[run_id] = decider
            while len(cache) > self.cache_size:
                cache.popitem(last=False)[1].discard()
        else:
            decider.discard()
        return decisions, context

    def _compare_with_full_replay(
        self,
        sticky: Decider,
        decisions: list[dict[str, Any]],
        task: dict[str, Any],
        client: SWFClient,
        domain: str,
    ) -> None:
        """Raise if a full replay of the history decides differently from the cached state."""
        execution = task["workflowExecution"]
        events = [
            e
            for e in full_history(client, domain, execution)
            if e["eventId"] <= task["startedEventId"]
        ]
        fresh = Decider(
            sticky.workflow,
            self.payloads,
            execution["workflowId"],
            execution["runId"],
            unawaited="ignore" if self.unawaited == "warn" else self.unawaited,  # warned once
            hooks=self.interceptors,
        )
        fresh.runtime.silent = True  # its workflow logs were written by the decision compared
        # markers recorded by this very decision are not in history yet: reuse their values
        fresh.runtime.marker_seeds = dict(sticky.runtime.markers)
        try:
            fresh.feed(events)
            expected = fresh.decisions()
        finally:
            fresh.discard()
        same = (
            _shape(expected) == _shape(decisions)  # out-of-band keys are random: the shape
            if self.payloads.store is not None
            else expected == decisions
        )
        if not same:
            raise NonDeterminismError(
                f"workflow {execution['workflowId']} run {execution['runId']}: the sticky "
                f"replay state and a full replay decided differently at event "
                f"{task['startedEventId']}: cached {decisions!r} != full {expected!r}",
                task["startedEventId"],
            )


_TASK_FIELDS = (
    "workflowExecution.runId",
    "workflowExecution.workflowId",
    "workflowType.name",
    "workflowType.version",
    "events",
    "events[0].eventId",
    "previousStartedEventId",
    "startedEventId",
)
_TASK_FIELD_TYPES = (str, str, str, str, list, int, int, int)
"""The type of each of :data:`_TASK_FIELDS` (exactly: ``bool`` is not an event id)."""


def _task_fields(
    task: dict[str, Any],
) -> tuple[dict[str, Any], str, list[dict[str, Any]], int, int]:
    """The decision task's execution, run id, events, first event id and previous started
    event id.

    A task SWF would never send (a field missing or of the wrong type) is a HistoryError.
    """
    try:
        execution = task["workflowExecution"]
        run_id = execution["runId"]
        kind = task["workflowType"]
        events = task.get("events") or []
        first = events[0]["eventId"] if events else 0
        previous = task.get("previousStartedEventId") or 0
        values = (
            run_id,
            execution["workflowId"],
            kind["name"],
            kind["version"],
            events,
            first,
            previous,
            task.get("startedEventId", 0),
        )
    except (KeyError, TypeError, AttributeError, IndexError) as error:
        raise HistoryError(
            f"malformed decision task: {type(error).__name__}: {error}; SWF never sends one "
            "like it, check what produced it"
        ) from None
    if tuple(map(type, values)) != _TASK_FIELD_TYPES:  # one C-level check per task
        for value, kind_of, field in zip(values, _TASK_FIELD_TYPES, _TASK_FIELDS, strict=True):
            if type(value) is not kind_of:
                raise HistoryError(
                    f"malformed decision task: {field} is {value!r:.60}, not {kind_of.__name__}",
                    field=field,
                )
    return execution, run_id, events, first, previous


_CLOSING: dict[str, CloseOutcome] = {
    "CompleteWorkflowExecution": "completed",
    "FailWorkflowExecution": "failed",
    "CancelWorkflowExecution": "canceled",
    "ContinueAsNewWorkflowExecution": "continued_as_new",
}


def _close_of(
    run: WorkflowRun, decisions: list[dict[str, Any]], closed_at: float
) -> WorkflowClose | None:
    """The close ``decisions`` decide for ``run``, if they close it (it comes last)."""
    if not decisions:
        return None
    last = decisions[-1]
    outcome = _CLOSING.get(last["decisionType"])
    if outcome is None:
        return None
    reason = ""
    if outcome == "failed":
        reason = decision_attributes(last).get("reason") or ""
    return WorkflowClose(run, outcome, reason, closed_at)


def _shape(decisions: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    out = []
    for decision in decisions:
        kind = decision["decisionType"]
        attrs = decision_attributes(decision)
        ident = (
            attrs.get("activityId")
            or attrs.get("timerId")
            or attrs.get("workflowId")
            or (attrs.get("markerName"))
        )
        out.append((kind, ident))
    return out
