"""Fuzzing the decider with mutated histories: only library errors, or a valid decision list.

Histories are recorded from SerialExecutor runs of the end-to-end workflows (activities,
retries, timers, signals, cancellation, markers, patches, children) plus one built by hand,
cut at every decision task, then mutated: events dropped, duplicated, swapped, renumbered,
nulled or retyped; attributes deleted, retyped or pointed at other events. Whatever comes
out, ``decide()`` (and the worker's ``DecisionHandler``) must either return decisions or raise
a ``SwfObjectsError``: never ``KeyError``, ``TypeError`` and friends.

The run is seeded (``SWFOBJECTS_FUZZ_SEED`` picks another seed, ``SWFOBJECTS_FUZZ_CASES``
more cases) so a failure names a reproducible case.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from swfobjects.exceptions import SwfObjectsError
from swfobjects.replay import decide
from swfobjects.swf._shapes import event_attributes_key
from swfobjects.testing import SerialExecutor
from swfobjects.worker._decisions import DecisionHandler
from tests.e2e.test_advanced_workflows import (
    Approval,
    Countdown,
    Deadline,
    FanOutChildren,
    Lottery,
    PackAll,
    Patched,
    Waits,
)
from tests.e2e.test_basic_workflows import Caught, FanOut, Hello, Retried, Sleepy, Uncaught
from tests.helpers.histories import History

SEED = int(os.environ.get("SWFOBJECTS_FUZZ_SEED", "14"))
CASES = int(os.environ.get("SWFOBJECTS_FUZZ_CASES", "0"))
"""Extra cases for a long exploration run (the suite runs 600 quick ones and 3,000 slow ones)."""

Event = dict[str, Any]
Sample = tuple[type, list[Event], str]
"""(workflow class, events, run id: child workflow ids derive from it)."""

JUNK: list[Any] = [
    None,
    0,
    -1,
    5,
    2**70,
    1e400,
    float("nan"),
    True,
    "",
    "1",
    "x" * 300,
    "_wake.3",
    [],
    ["a"],
    {},
    {"name": 1},
    '{"$swfobjects":"ref","v":1,"store":"s","key":"a//b","size":1e400,"sha256":"0",'
    '"encoding":"gzip"}',
    '{"$swfobjects":"inline","v":1,"encoding":"gzip+base64","data":"H4sI"}',
]


def _recorded() -> list[Sample]:
    executor = SerialExecutor()
    samples: list[Sample] = []

    def run(cls: type, *args: Any, signals: tuple[tuple[str, dict[str, Any]], ...] = ()) -> None:
        handle = executor.start(cls, *args)
        for name, kwargs in signals:
            handle.signal(name, **kwargs)
        try:
            handle.result()
        except SwfObjectsError:
            pass  # failed workflows make good histories too
        samples.append((cls, handle.history(), handle.run_id))

    run(Hello, "fuzz")
    run(FanOut, 3)
    run(Caught, "fuzz")
    run(Uncaught, "fuzz")
    run(Retried, "fuzz-retried", 2)
    run(Sleepy, 5)
    run(PackAll, ["a", "bomb"])
    run(Lottery)
    run(Patched)
    run(FanOutChildren, 2)
    run(Deadline, 1)
    run(Deadline, 100, signals=(("approve", {}),))
    run(Approval, 2, signals=(("approve", {"by": "a"}), ("approve", {"by": "b"})))
    run(Countdown, 1)
    waits = executor.start(Waits)
    executor.run_until_idle()
    waits.cancel()
    with pytest.raises(SwfObjectsError):
        waits.result()
    samples.append((Waits, waits.history(), waits.run_id))
    return samples


def _built() -> Sample:
    history = History().started(Hello, {"name": "built"})
    done = history.decision()
    scheduled = history.scheduled(done, "1", "Greeter.greet", input={"name": "built"})
    history.completed(scheduled, "Hello, built!")
    history.decision(completed=False)
    return Hello, history.events, "built-run"


def _as_json(events: list[Event]) -> list[Event]:
    """The events as a JSON client holds them (timestamps as epoch seconds)."""
    return json.loads(  # type: ignore[no-any-return]
        json.dumps(events, default=lambda v: v.timestamp() if isinstance(v, dt.datetime) else v)
    )


@pytest.fixture(scope="module")
def prefixes() -> list[Sample]:
    """Every recorded history cut just after each of its ``DecisionTaskStarted`` events."""
    out = []
    for cls, events, run_id in [*_recorded(), _built()]:
        for variant in (events, _as_json(events)):
            for index, event in enumerate(variant):
                if event["eventType"] == "DecisionTaskStarted":
                    out.append((cls, variant[: index + 1], run_id))
    return out


# --- mutations ------------------------------------------------------------------------------


def _renumber(events: list[Any]) -> list[Any]:
    """Events numbered 1, 2, 3... again, their references (``*EventId``) following them."""
    new_ids: dict[Any, int] = {}
    for number, event in enumerate(events, 1):
        if isinstance(event, dict) and isinstance(event.get("eventId"), int):
            new_ids.setdefault(event["eventId"], number)
    out = []
    for number, event in enumerate(events, 1):
        if isinstance(event, dict):
            event = dict(event, eventId=number)
            for key, value in event.items():
                if key.endswith("EventAttributes") and isinstance(value, dict):
                    event[key] = {
                        name: new_ids.get(v, v)
                        if name.endswith("EventId") and isinstance(v, int)
                        else v
                        for name, v in value.items()
                    }
        out.append(event)
    return out


def _attrs_copy(event: Event) -> tuple[Event, str, Any]:
    """A copy of ``event`` whose attributes dict is a copy too (others are shared)."""
    event = dict(event)
    key = event_attributes_key(event["eventType"])
    attrs = event.get(key)
    if isinstance(attrs, dict):
        attrs = dict(attrs)
        event[key] = attrs
    return event, key, attrs


def _drop(rng: random.Random, events: list[Any]) -> str:
    index = rng.randrange(len(events))
    dropped = events.pop(index)
    if rng.random() < 0.6:
        events[:] = _renumber(events)
    return f"drop {index} ({dropped!r:.60})"


def _duplicate(rng: random.Random, events: list[Any]) -> str:
    index = rng.randrange(len(events))
    events.insert(rng.randrange(index, len(events) + 1), events[index])
    if rng.random() < 0.6:
        events[:] = _renumber(events)
    return f"duplicate {index} ({events[index]!r:.60})"


def _swap(rng: random.Random, events: list[Any]) -> str:
    if len(events) < 2:
        return "nothing"
    index = rng.randrange(len(events) - 1)
    other = min(len(events) - 1, index + rng.choice((1, 1, 2, 5)))
    events[index], events[other] = events[other], events[index]
    if rng.random() < 0.6:
        events[:] = _renumber(events)
    return f"swap {index} {other}"


def _null_event(rng: random.Random, events: list[Any]) -> str:
    index = rng.randrange(len(events))
    events[index] = rng.choice([None, 1, "event", [], {}])
    return f"replace event {index} with {events[index]!r}"


def _event_field(rng: random.Random, events: list[Any]) -> str:
    index = rng.randrange(len(events))
    if not isinstance(events[index], dict):
        return "nothing"
    event = dict(events[index])
    field = rng.choice(["eventId", "eventType", "eventTimestamp"])
    if rng.random() < 0.3:
        event.pop(field, None)
        change = "delete"
    elif field == "eventType" and rng.random() < 0.5:
        event[field] = rng.choice([e.get("eventType") for e in events if isinstance(e, dict)])
        change = f"= {event[field]}"
    else:
        event[field] = rng.choice(JUNK)
        change = f"= {event[field]!r:.40}"
    events[index] = event
    return f"event {index} {field} {change}"


def _attribute(rng: random.Random, events: list[Any]) -> str:
    index = rng.randrange(len(events))
    if (
        not isinstance(events[index], dict)
        or not isinstance(events[index].get("eventType"), str)
        or not events[index]["eventType"]
    ):
        return "nothing"
    event, key, attrs = _attrs_copy(events[index])
    events[index] = event
    if not isinstance(attrs, dict) or not attrs or rng.random() < 0.1:
        event[key] = rng.choice(JUNK)
        return f"event {index} attributes = {event[key]!r:.40}"
    name = rng.choice(sorted(attrs))
    roll = rng.random()
    if roll < 0.3:
        del attrs[name]
        return f"event {index} del {name}"
    if roll < 0.5 and isinstance(attrs[name], int) and not isinstance(attrs[name], bool):
        attrs[name] += rng.choice((-2, -1, 1, 3))
        return f"event {index} {name} shifted to {attrs[name]}"
    if roll < 0.6 and isinstance(attrs[name], dict) and attrs[name]:
        inner = dict(attrs[name])
        inner_name = rng.choice(sorted(inner))
        inner[inner_name] = rng.choice(JUNK)
        attrs[name] = inner
        return f"event {index} {name}.{inner_name} = {inner[inner_name]!r:.40}"
    if roll < 0.7 and isinstance(attrs[name], str):
        attrs[name] = attrs[name][: rng.randrange(len(attrs[name]) + 1)] + rng.choice(["", "x"])
        return f"event {index} {name} = {attrs[name]!r:.40}"
    attrs[name] = rng.choice(JUNK)
    return f"event {index} {name} = {attrs[name]!r:.40}"


MUTATIONS: list[Callable[[random.Random, list[Any]], str]] = [
    _drop,
    _duplicate,
    _swap,
    _null_event,
    _event_field,
    _attribute,
    _attribute,
    _attribute,
]


def _valid(decisions: Any) -> bool:
    return isinstance(decisions, list) and all(
        isinstance(d, dict) and isinstance(d.get("decisionType"), str) for d in decisions
    )


def _task(cls: type, events: list[Any], run_id: str) -> dict[str, Any]:
    kind = cls.workflow_type()  # type: ignore[attr-defined]
    last = events[-1] if events and isinstance(events[-1], dict) else {}
    return {
        "taskToken": "t",
        "workflowExecution": {"workflowId": "fuzz", "runId": run_id},
        "workflowType": {"name": kind.name, "version": kind.version},
        "startedEventId": last.get("eventId", 0),
        "events": events,
    }


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize(
    ("seed", "cases"),
    [
        pytest.param(SEED, 600 + CASES, id="quick"),
        pytest.param(SEED + 1, 3000 + CASES, id="thorough", marks=pytest.mark.slow),
    ],
)
def test_mutated_histories_give_decisions_or_library_errors(
    prefixes: list[Sample], seed: int, cases: int
) -> None:
    rng = random.Random(seed)
    outcomes = {"decisions": 0, "errors": 0}
    started = time.perf_counter()
    for case in range(cases):
        cls, original, run_id = rng.choice(prefixes)
        events = list(original)
        steps = [rng.choice(MUTATIONS)(rng, events) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        if not events:
            continue
        via_handler = case % 5 == 0
        try:
            if via_handler:
                decisions = DecisionHandler([cls], cache_size=0).decide(_task(cls, events, run_id))
            else:
                decisions = decide(cls, events, run_id=run_id)
        except SwfObjectsError:
            outcomes["errors"] += 1
            continue
        except BaseException as error:  # noqa: BLE001 - the point of the test
            pytest.fail(
                f"case {case} (seed {seed}), {cls.__name__} cut at {len(original)} events, "
                f"{'; '.join(steps)}: {type(error).__name__}: {error}"
            )
        assert _valid(decisions), f"case {case}: {steps}: {decisions!r:.300}"
        outcomes["decisions"] += 1
    elapsed = time.perf_counter() - started
    print(outcomes, f"{elapsed:.2f} s")
    # both outcomes must be common, or the mutations test nothing
    assert outcomes["errors"] > cases // 4 and outcomes["decisions"] > cases // 10, outcomes
    assert elapsed < 60, f"{cases} cases took {elapsed:.1f} s"
