"""``SwfModel.snapshot()`` / ``restore()``: a restored model answers exactly as the original.

A property test: seeded random call sequences (executions, decisions with activities, timers,
children, markers, signals and closes, activity answers and heartbeats, polls handing out
tokens, cancellations, terminations, timeouts fired by moving a hand-held clock). At a random
step the model is snapshotted (through JSON text, as the journal stores it) into a fresh model
with the same clock and the same next ids; from there on both get the same calls, and every
answer or fault, and at the end the whole state (histories, tokens, the timer heap's order),
must be the same.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from swfobjects.model import SwfFault, SwfModel
from swfobjects.model._snapshot import FORMAT, SnapshotError, dumps, loads

DOMAIN = "d"
WORKFLOW = {"name": "wf", "version": "1"}
ACTIVITIES = [{"name": "quick", "version": "1"}, {"name": "slow", "version": "1"}]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Ids:
    """Deterministic ids, so two models given the same calls can hand out the same tokens."""

    def __init__(self, start: int = 0) -> None:
        self.next = start

    def __call__(self) -> str:
        self.next += 1
        return f"id{self.next:06d}"


def _model(clock: Clock, ids: Ids) -> SwfModel:
    model = SwfModel(clock=clock, quotas={"open_timers": 3, "open_activities": 4})
    model.new_id = ids
    return model


def _outcome(model: SwfModel, operation: str, params: dict[str, Any]) -> str:
    try:
        return json.dumps(model.call(operation, json.loads(json.dumps(params))))
    except SwfFault as fault:
        return f"{fault.code}: {fault.message}"


def _setup(model: SwfModel) -> None:
    model.call("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    model.call(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            **WORKFLOW,
            "defaultTaskList": {"name": "decisions"},
            "defaultExecutionStartToCloseTimeout": "300",
            "defaultTaskStartToCloseTimeout": "20",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    for activity, timeout in zip(ACTIVITIES, ("15", "NONE"), strict=True):
        model.call(
            "RegisterActivityType",
            {
                "domain": DOMAIN,
                **activity,
                "defaultTaskList": {"name": "activities"},
                "defaultTaskScheduleToStartTimeout": "40",
                "defaultTaskScheduleToCloseTimeout": "NONE",
                "defaultTaskStartToCloseTimeout": timeout,
                "defaultTaskHeartbeatTimeout": "NONE",
            },
        )


class Driver:
    """Chooses the next call from a seeded RNG and what the model (the original) answered."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.decision_tokens: list[str] = []
        self.activity_tokens: list[str] = []
        self.children = 0

    def _decisions(self) -> list[dict[str, Any]]:
        rng = self.rng
        decisions = []
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(
                [
                    "ScheduleActivityTask",
                    "ScheduleActivityTask",
                    "StartTimer",
                    "StartTimer",
                    "CancelTimer",
                    "RecordMarker",
                    "RequestCancelActivityTask",
                    "StartChildWorkflowExecution",
                    "SignalExternalWorkflowExecution",
                    "RequestCancelExternalWorkflowExecution",
                ]
            )
            attrs: dict[str, Any]
            if kind == "ScheduleActivityTask":
                attrs = {
                    "activityType": rng.choice(ACTIVITIES),
                    "activityId": f"a{rng.randrange(5)}",
                }
                if rng.random() < 0.3:
                    attrs["heartbeatTimeout"] = str(rng.choice([3, 8]))
            elif kind == "StartTimer":
                attrs = {
                    "timerId": f"t{rng.randrange(4)}",
                    "startToFireTimeout": str(rng.randint(1, 30)),
                }
            elif kind == "CancelTimer":
                attrs = {"timerId": f"t{rng.randrange(4)}"}
            elif kind == "RecordMarker":
                attrs = {"markerName": f"m{rng.randrange(3)}", "details": str(rng.random())}
            elif kind == "RequestCancelActivityTask":
                attrs = {"activityId": f"a{rng.randrange(5)}"}
            elif kind == "StartChildWorkflowExecution":
                self.children += 1
                attrs = {"workflowType": WORKFLOW, "workflowId": f"c{self.children % 7}"}
            else:
                attrs = {"workflowId": rng.choice(["w0", "w1", "w2", "c1", "c2"])}
                if kind == "SignalExternalWorkflowExecution":
                    attrs["signalName"] = "s"
            key = kind[0].lower() + kind[1:] + "DecisionAttributes"
            decisions.append({"decisionType": kind, key: attrs})
        if rng.random() < 0.12:
            kind = rng.choice(
                [
                    "CompleteWorkflowExecution",
                    "FailWorkflowExecution",
                    "CancelWorkflowExecution",
                    "ContinueAsNewWorkflowExecution",
                ]
            )
            key = kind[0].lower() + kind[1:] + "DecisionAttributes"
            decisions.append({"decisionType": kind, key: {}})
        return decisions

    def next_call(self) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        roll = rng.random()
        wid = f"w{rng.randrange(4)}"
        if roll < 0.10:
            return "StartWorkflowExecution", {
                "domain": DOMAIN,
                "workflowId": wid,
                "workflowType": WORKFLOW,
                "tagList": [f"tag{rng.randrange(3)}"],
                "input": str(rng.random()),
            }
        if roll < 0.27:
            return "PollForDecisionTask", {
                "domain": DOMAIN,
                "taskList": {"name": "decisions"},
                "maximumPageSize": rng.choice([1000, 1000, 3]),
            }
        if roll < 0.45 and self.decision_tokens:
            token = rng.choice(self.decision_tokens[-4:])
            return "RespondDecisionTaskCompleted", {
                "taskToken": token,
                "decisions": self._decisions(),
                "executionContext": str(rng.randrange(9)),
            }
        if roll < 0.55:
            return "PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": "activities"}}
        if roll < 0.68 and self.activity_tokens:
            token = rng.choice(self.activity_tokens[-4:])
            operation = rng.choice(
                [
                    "RespondActivityTaskCompleted",
                    "RespondActivityTaskFailed",
                    "RespondActivityTaskCanceled",
                    "RecordActivityTaskHeartbeat",
                ]
            )
            return operation, {"taskToken": token}
        if roll < 0.73:
            return "SignalWorkflowExecution", {
                "domain": DOMAIN,
                "workflowId": wid,
                "signalName": "poke",
                "input": str(rng.randrange(9)),
            }
        if roll < 0.76:
            return "RequestCancelWorkflowExecution", {"domain": DOMAIN, "workflowId": wid}
        if roll < 0.78:
            return "TerminateWorkflowExecution", {"domain": DOMAIN, "workflowId": wid}
        if roll < 0.83:
            return "CountPendingActivityTasks", {
                "domain": DOMAIN,
                "taskList": {"name": "activities"},
            }
        if roll < 0.86:
            return "ListOpenWorkflowExecutions", {
                "domain": DOMAIN,
                "startTimeFilter": {"oldestDate": 0},
            }
        return "#advance", {"seconds": rng.choice([0.5, 2, 5, 9, 16, 31, 61])}

    def saw(self, operation: str, answer: str) -> None:
        if operation.startswith("PollFor") and not answer.startswith(("{}", "Limit")):
            token = json.loads(answer).get("taskToken") if answer.startswith("{") else None
            if token:
                tokens = self.decision_tokens if "Decision" in operation else self.activity_tokens
                tokens.append(token)


def _step(model: SwfModel, clock: Clock, operation: str, params: dict[str, Any]) -> str:
    if operation == "#advance":
        return f"fired {model.advance()}"
    return _outcome(model, operation, params)


@pytest.mark.parametrize("seed", range(40))
def test_a_restored_model_answers_exactly_as_the_original(seed):
    clock, ids = Clock(), Ids()
    original = _model(clock, ids)
    _setup(original)
    driver = Driver(seed)
    steps = 260
    restore_at = driver.rng.randrange(20, steps - 20)
    restored: SwfModel | None = None
    restored_ids: Ids | None = None
    for step in range(steps):
        if step == restore_at:
            text = dumps(original)
            restored_ids = Ids(ids.next)
            restored = _model(clock, restored_ids)
            loads(restored, text)
            assert restored.snapshot() == original.snapshot()
        operation, params = driver.next_call()
        if operation == "#advance":
            clock.now += params["seconds"]
        answer = _step(original, clock, operation, params)
        driver.saw(operation, answer)
        if restored is not None:
            assert _step(restored, clock, operation, params) == answer, (step, operation)
    assert restored is not None and restored_ids is not None
    assert restored_ids.next == ids.next
    assert restored.snapshot() == original.snapshot()
    # the sequences did reach what they are meant to test
    state = original.snapshot()
    assert any(len(e["events"]) > 8 for e in state["executions"])


def test_the_sequences_cover_timers_children_timeouts_and_closes():
    """The property above is only as good as its sequences: together they reach these."""
    seen: set[str] = set()
    for seed in range(40):
        clock, ids = Clock(), Ids()
        model = _model(clock, ids)
        _setup(model)
        driver = Driver(seed)
        for _ in range(260):
            operation, params = driver.next_call()
            if operation == "#advance":
                clock.now += params["seconds"]
            driver.saw(operation, _step(model, clock, operation, params))
        for execution in model.executions.runs.values():
            seen.update(event["eventType"] for event in execution.events)
    assert {
        "TimerFired",
        "TimerCanceled",
        "StartTimerFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCompleted",
        "ActivityTaskCancelRequested",
        "DecisionTaskTimedOut",
        "MarkerRecorded",
        "ChildWorkflowExecutionStarted",
        "ExternalWorkflowExecutionSignaled",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "WorkflowExecutionCompleted",
        "WorkflowExecutionContinuedAsNew",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionTimedOut",
    } <= seen


def test_a_snapshot_is_plain_versioned_json():
    clock, ids = Clock(), Ids()
    model = _model(clock, ids)
    _setup(model)
    data = model.snapshot()
    assert data["format"] == FORMAT
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    other = SwfModel(clock=clock)
    other.restore(data)
    assert other.quotas == model.quotas
    assert other.call("DescribeDomain", {"name": DOMAIN}) == model.call(
        "DescribeDomain", {"name": DOMAIN}
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other-1"), "not a model snapshot of format"),
        (
            lambda d: d["domains"][0].update(colour="red"),
            r"a domain has fields this version does not know: \['colour'\]",
        ),
        (lambda d: d["domains"][0].pop("retention"), r"a domain lacks fields: \['retention'\]"),
        (lambda d: d.pop("executions"), "damaged model snapshot"),
        (lambda d: d["due"]["entries"].append([1.0, 0, "timer", 99, "t"]), "IndexError"),
        (lambda d: d["open"].append(99), "IndexError"),
    ],
)
def test_a_snapshot_this_version_cannot_read_is_refused(change, message):
    model = SwfModel(clock=Clock())
    _setup(model)
    data = model.snapshot()
    change(data)
    target = SwfModel(clock=Clock(), quotas={"domains": 7})
    target.call("RegisterDomain", {"name": "kept", "workflowExecutionRetentionPeriodInDays": "2"})
    before = target.snapshot()
    with pytest.raises(SnapshotError, match=message):
        target.restore(data)
    assert target.snapshot() == before  # a refused snapshot changed nothing
    with pytest.raises(SnapshotError, match="not JSON"):
        loads(SwfModel(clock=Clock()), "{")
