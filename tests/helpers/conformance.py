"""Bad requests generated from botocore's model of SWF, for the conformance tests.

From one valid request per operation (a *template*) and the operation's input shape,
:func:`mutations` derives every request SWF must refuse as a whole: each required member
missing, each member with the wrong JSON type, each enum member with a value outside its set,
each string one character over its maximum (and under its minimum), each list one item over,
each number outside its range, and SWF's number-as-string rules broken (timeouts, retention
days, priorities). It also derives the requests at each maximum, which validation must let
through. Nothing here talks to a server: the test module sends them.

Members absent from the template are mutated too: a top-level structure that is absent gets a
minimal valid value (its required members) to hold the mutated member.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from botocore.model import Shape

from swfobjects.local import LocalSWF
from swfobjects.model import InProcessClient, SwfFault, SwfModel
from tests.helpers.local_support import (
    DOMAIN,
    WORKFLOW,
    ManualClock,
    raw_call,
    register,
    schedule,
)

__all__ = [
    "Fixture",
    "Mutation",
    "apply",
    "fault_code",
    "in_process_fixture",
    "mutations",
    "served_fixture",
]

Path = tuple[str | int, ...]

_ABSENT = object()

BAD_TIMEOUTS = ("²", "abc", "nan", "-1", "1.5", " 1", "31536001", "")
"""Timeouts SWF refuses: not ``[0-9]+`` (``"²"`` passes ``str.isdigit()``), or over a year."""
BAD_PRIORITIES = ("high", "1.0", "2147483648", "-2147483649", "²")
BAD_DAYS = ("91", "x", "-1", "²")
_RULES = {
    "DurationInSeconds": BAD_TIMEOUTS,
    "DurationInSecondsOptional": BAD_TIMEOUTS,
    "DurationInDays": BAD_DAYS,
    "TaskPriority": BAD_PRIORITIES,
}
_GOOD_AT_MAX = {"DurationInSeconds": "10", "DurationInSecondsOptional": "10"}
"""Strings at a rule shape's maximum length that the rule accepts (leading zeros pad them)."""
_WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "integer": "1",
    "long": "1",
    "boolean": "true",
    "timestamp": "2020-01-01T00:00:00Z",
    "structure": "x",
    "list": {"x": 1},
}
_BAD_TIMESTAMPS: tuple[tuple[str, Any], ...] = (
    ("inf", float("inf")),  # sent as 1e400, which JSON parsers read as infinity
    ("negative", -1),
    ("huge-int", 10**400),
    ("nan", float("nan")),
)


@dataclass(frozen=True)
class Mutation:
    """One request derived from a template: ``path`` set to ``value`` (or removed)."""

    path: Path
    kind: str
    value: Any = _ABSENT
    refused: bool = True

    @property
    def label(self) -> str:
        """``decisions.1.member.startTimerDecisionAttributes.timerId:too-long``."""
        return (
            ".".join(
                str(part + 1) + ".member" if isinstance(part, int) else part for part in self.path
            )
            + ":"
            + self.kind
        )

    @property
    def member(self) -> str:
        """The member's own name, which SWF's error message must name."""
        names = [part for part in self.path if isinstance(part, str)]
        return names[-1]


def skeleton(shape: Shape) -> Any:
    """A minimal valid value of ``shape`` (its required members only)."""
    kind = shape.type_name
    if kind == "structure":
        return {
            key: skeleton(shape.members[key])  # type: ignore[attr-defined]
            for key in shape.required_members  # type: ignore[attr-defined]
        }
    if kind == "list":
        return [skeleton(shape.member)]  # type: ignore[attr-defined]
    if kind == "string":
        enum = shape.enum  # type: ignore[attr-defined]
        if enum:
            return enum[0]
        if shape.name in _RULES:
            return "10" if shape.name != "TaskPriority" else "1"
        return "x" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    return 0  # timestamp


def mutations(template: dict[str, Any], shape: Shape) -> Iterator[Mutation]:
    """Every refused (and at-maximum accepted) variant of ``template``."""
    yield from _walk(template, shape, (), top=True)


def _walk(value: Any, shape: Shape, path: Path, top: bool = False) -> Iterator[Mutation]:
    kind = shape.type_name
    if path:
        yield Mutation(path, "wrong-type", _WRONG_TYPE[kind])
    if kind == "structure":
        if value is _ABSENT:
            if not top and len(path) > 1:
                return  # an absent nested structure (another decision type's attributes)
            value = skeleton(shape)
        elif not isinstance(value, dict):
            value = skeleton(shape)  # a marker the test resolves to a structure
        members = shape.members  # type: ignore[attr-defined]
        for key in shape.required_members:  # type: ignore[attr-defined]
            yield Mutation((*path, key), "missing")
        for key, member in members.items():
            yield from _walk(value.get(key, _ABSENT), member, (*path, key))
        return
    if kind == "list":
        high = shape.metadata.get("max")
        item = skeleton(shape.member) if value is _ABSENT or not value else value[0]  # type: ignore[attr-defined]
        if high is not None:
            yield Mutation(path, "too-many", [copy.deepcopy(item) for _ in range(high + 1)])
        yield from _walk(item, shape.member, (*path, 0))  # type: ignore[attr-defined]
        return
    if kind == "string":
        yield from _string(shape, path)
    elif kind in ("integer", "long"):
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if high is not None:
            yield Mutation(path, "too-large", high + 1)
        if low is not None:
            yield Mutation(path, "too-small", low - 1)
    elif kind == "timestamp":
        for name, bad in _BAD_TIMESTAMPS:
            yield Mutation(path, f"timestamp-{name}", bad)


def _string(shape: Shape, path: Path) -> Iterator[Mutation]:
    enum = shape.enum  # type: ignore[attr-defined]
    if enum:
        yield Mutation(path, "enum", "BOGUS")
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if high is not None:
        pad = _GOOD_AT_MAX.get(shape.name, "x")
        yield Mutation(path, "at-max", pad.rjust(high, "0") if pad != "x" else "x" * high, False)
        yield Mutation(path, "too-long", "1".rjust(high + 1, "0"))
    if low:
        yield Mutation(path, "empty", "")
    for bad in _RULES.get(shape.name, ()):
        yield Mutation(path, f"rule-{bad!r}", bad)


def apply(template: dict[str, Any], mutation: Mutation, shape: Shape) -> dict[str, Any]:
    """A copy of ``template`` with ``mutation`` applied (absent parents made minimal)."""
    params = copy.deepcopy(template)
    node: Any = params
    current = shape
    for part in mutation.path[:-1]:
        current = (
            current.member if isinstance(part, int) else current.members[part]  # type: ignore[attr-defined]
        )
        if isinstance(part, str) and part not in node:
            node[part] = skeleton(current)
        node = node[part]
    last = mutation.path[-1]
    if mutation.value is _ABSENT:
        del node[last]
    else:
        node[last] = mutation.value
    return params


Send = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


class Fixture:
    """A model behind a transport, and the fresh resources templates ask for."""

    def __init__(self, client: Any, model: SwfModel, lock: Any, send: Send) -> None:
        self.client = client
        self.model = model
        self.lock = lock
        self.send = send
        self._ids = itertools.count()
        self.tokens: dict[str, str] = {}

    def unique(self) -> str:
        return f"c{next(self._ids)}"

    def open_run(self, task_list: str = "decisions") -> dict[str, str]:
        workflow_id = self.unique()
        run_id = self.client.start_workflow_execution(
            domain=DOMAIN,
            workflowId=workflow_id,
            workflowType=WORKFLOW,
            taskList={"name": task_list},
        )["runId"]
        return {"workflowId": workflow_id, "runId": run_id}

    def decision_token(self) -> str:
        if "decision" not in self.tokens:
            task_list = self.unique()
            self.open_run(task_list)
            task = self.client.poll_for_decision_task(domain=DOMAIN, taskList={"name": task_list})
            self.tokens["decision"] = task["taskToken"]
        return self.tokens["decision"]

    def activity_token(self) -> str:
        if "activity" not in self.tokens:
            task_list = self.unique()
            self.open_run(task_list)
            task = self.client.poll_for_decision_task(domain=DOMAIN, taskList={"name": task_list})
            self.client.respond_decision_task_completed(
                taskToken=task["taskToken"],
                decisions=[schedule(self.unique(), taskList={"name": task_list})],
            )
            task = self.client.poll_for_activity_task(domain=DOMAIN, taskList={"name": task_list})
            self.tokens["activity"] = task["taskToken"]
        return self.tokens["activity"]

    def new_type(self, kind: str, deprecated: bool) -> dict[str, str]:
        ref = {"name": self.unique(), "version": "1"}
        if kind == "activity":
            self.client.register_activity_type(domain=DOMAIN, **ref)
            if deprecated:
                self.client.deprecate_activity_type(domain=DOMAIN, activityType=ref)
        else:
            self.client.register_workflow_type(domain=DOMAIN, **ref)
            if deprecated:
                self.client.deprecate_workflow_type(domain=DOMAIN, workflowType=ref)
        return ref

    def new_domain(self, deprecated: bool) -> str:
        name = self.unique()
        self.client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
        if deprecated:
            self.client.deprecate_domain(name=name)
        return name

    def resolve(self, params: Any, fresh: dict[str, Any] | None = None) -> Any:
        """``params`` with every marker replaced (one fresh run per request)."""
        fresh = {} if fresh is None else fresh
        if isinstance(params, dict):
            return {key: self.resolve(value, fresh) for key, value in params.items()}
        if isinstance(params, list):
            return [self.resolve(value, fresh) for value in params]
        if not (isinstance(params, str) and params.startswith("@") and params.endswith("@")):
            return params
        marker = params.strip("@")
        if marker.startswith("run."):
            run = fresh.get("run") or fresh.setdefault("run", self.open_run())
            return run[marker[4:]]
        makers = {
            "unique": self.unique,
            "arn": lambda: self.arn,
            "decision-token": self.decision_token,
            "activity-token": self.activity_token,
            "fresh-activity": lambda: self.new_type("activity", False),
            "deprecated-activity": lambda: self.new_type("activity", True),
            "fresh-workflow": lambda: self.new_type("workflow", False),
            "deprecated-workflow": lambda: self.new_type("workflow", True),
            "fresh-domain": lambda: self.new_domain(False),
            "deprecated-domain": lambda: self.new_domain(True),
        }
        return makers[marker]()

    @property
    def arn(self) -> str:
        return str(self.client.describe_domain(name=DOMAIN)["domainInfo"]["arn"])

    def snapshot(self) -> Any:
        """Everything a request could change, read under the service's lock."""
        model = self.model
        with self.lock:
            domains = {
                name: (d.status, d.retention, d.description, sorted(d.tags.items()))
                for name, d in model.registry.domains.items()
            }
            types = {
                key: (r.status, r.description, repr(sorted(r.defaults.items())), r.deprecation)
                for key, r in model.registry.types.items()
            }
            runs = {
                key: (
                    len(e.events),
                    e.close_status,
                    e.decision_state,
                    e.decision_token,
                    e.cancel_requested,
                    e.latest_context,
                    sorted((a, t.started_event_id, t.token) for a, t in e.activities.items()),
                    sorted(e.timers),
                    sorted(e.children),
                )
                for key, e in model.executions.runs.items()
            }
            queues = {
                **{("d", *k): len(q) for k, q in model.queues.decision_queues.items()},
                **{("a", *k): len(q) for k, q in model.queues.activity_queues.items()},
            }
            return (
                domains,
                types,
                runs,
                sorted(model.executions.open_by_id),
                queues,
                sorted(model.queues.tokens),
                len(model.due.entries),
            )


@contextmanager
def served_fixture() -> Iterator[Fixture]:
    """``swfobjects local`` over HTTP with the test domain and types registered, and a clock
    that never moves (nothing fires between the snapshots of one test)."""
    with LocalSWF(poll_timeout=0.01, clock=ManualClock()) as service:
        engine = service.engine
        assert engine is not None
        endpoint = service.endpoint_url

        def send(operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            body = json.dumps(params).encode()
            # json writes Infinity, which Python reads back; other clients would write 1e400
            body = body.replace(b"-Infinity", b"-1e400").replace(b"Infinity", b"1e400")
            return raw_call(endpoint, operation, body)

        fixture = Fixture(service.client(), engine.model, engine.lock, send)
        register(fixture.client)
        yield fixture


def in_process_fixture(through_client: bool = False) -> Fixture:
    """The model itself, as the SerialExecutor calls it per task (``model.call``: no wire
    validation in front), or ``through_client``: its boto3-shaped ``InProcessClient.call``."""
    model = SwfModel(clock=ManualClock())
    client = InProcessClient(model)

    def send(operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            if through_client:
                return 200, client.call(operation, params)
            return 200, model.call(operation, params)
        except SwfFault as fault:
            return fault.status, {"__type": f"#{fault.code}", "message": fault.message}
        except ClientError as error:
            info: Any = error.response
            code, message = info["Error"]["Code"], info["Error"]["Message"]
            return info["ResponseMetadata"]["HTTPStatusCode"], {
                "__type": f"#{code}",
                "message": message,
            }

    fixture = Fixture(client, model, threading.Lock(), send)
    register(fixture.client)
    return fixture


def fault_code(body: dict[str, Any]) -> str:
    """The error code of an answer (``ValidationException``), or "" for a success."""
    return str(body.get("__type", "")).rpartition("#")[2]
