"""Activity calls replayed from history are encoded only when their decision is needed.

A replayed call's decision was sent already and its ``ActivityTaskScheduled`` event matches it
by id and type, so replay skips encoding its input (when its arguments are immutable); a
replayed call whose decision is still to be sent (the response cap deferred it, or it is
retried) must go out with the same input a decider that ran the decision live would send,
even if workflow code mutated a (mutable) argument after the call.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from swfobjects import ActivityWorker, RetryPolicy, Workflow, activity_task, all_of, decision_task
from swfobjects.exceptions import NonDeterminismError
from swfobjects.payloads._payload import Payloads
from swfobjects.replay import Decider, decide
from swfobjects.replay._decider import MAX_DECISIONS
from tests.helpers.histories import History, attrs, kinds


class Shout(ActivityWorker, task_list="shout", version="1"):
    @activity_task(retry=RetryPolicy(max_attempts=3, initial_interval=10))
    def shout(self, word: str, times: int) -> str:
        return word.upper() * times

    @activity_task(retry=RetryPolicy(max_attempts=3, initial_interval=10))
    def join(self, words: list[str]) -> str:
        return " ".join(words)


class Many(Workflow, task_list="many"):
    shout = Shout.client()

    @decision_task
    async def run(self, n: int) -> list[str]:
        return await all_of(*[self.shout.shout(f"w{i}", i) for i in range(n)])


class One(Workflow, task_list="one"):
    shout = Shout.client()

    @decision_task
    async def run(self, word: str) -> str:
        return await self.shout.shout(word, 2)


class Mutates(Workflow, task_list="one"):
    shout = Shout.client()

    @decision_task
    async def run(self, word: str) -> str:
        words = [word]
        joined = self.shout.join(words)
        words.append("changed after the call")
        return await joined


def _record(history: History, decisions: list[dict[str, Any]]) -> int:
    """Complete the open decision task with ``decisions`` as SWF records them."""
    done = history.add(
        "DecisionTaskCompleted", scheduledEventId=0, startedEventId=len(history.events)
    )
    for decision in decisions:
        if decision["decisionType"] == "ScheduleActivityTask":
            history.add(
                "ActivityTaskScheduled", **attrs(decision), decisionTaskCompletedEventId=done
            )
        elif decision["decisionType"] == "StartTimer":
            started = history.add(
                "TimerStarted", **attrs(decision), decisionTaskCompletedEventId=done
            )
            history.add("TimerFired", timerId=attrs(decision)["timerId"], startedEventId=started)
    return done


def _sticky(workflow: type, events: list[dict[str, Any]], cut: int) -> list[dict[str, Any]]:
    """The decisions of a decider that ran the first ``cut`` events' decision live."""
    decider = Decider(workflow.workflow_type())
    decider.feed(events[:cut])
    decider.feed(events[cut:])
    return decider.decisions()


def test_calls_deferred_by_the_response_cap_go_out_encoded_after_a_full_replay() -> None:
    history = History().started(Many, {"n": 150})
    history.decision(completed=False)
    first = decide(Many, history.events)
    assert len(first) == MAX_DECISIONS - 1 and kinds(first)[-1] == "StartTimer"
    cut = len(history.events)
    _record(history, first)
    history.decision(completed=False)

    replayed = decide(Many, history.events)  # the first decision replayed, its calls unencoded

    assert replayed == _sticky(Many, history.events, cut)
    sent = [attrs(d) for d in replayed if d["decisionType"] == "ScheduleActivityTask"]
    assert [a["activityId"] for a in sent] == [str(i) for i in range(99, 151)]
    assert [json.loads(a["input"]) for a in sent[:2]] == [
        {"word": "w98", "times": 98},
        {"word": "w99", "times": 99},
    ]


def test_a_retry_of_a_replayed_call_is_sent_with_its_input() -> None:
    history = History().started(One, {"word": "hey"})
    history.decision(completed=False)
    (schedule,) = decide(One, history.events)
    done = _record(history, [schedule])
    scheduled = done + 1
    history.failed(scheduled, "RuntimeError", "flaky")
    history.decision(completed=False)
    (timer,) = decide(One, history.events)
    assert attrs(timer)["timerId"] == "1.retry"
    cut = len(history.events)
    _record(history, [timer])
    history.decision(completed=False)

    (retry,) = decide(One, history.events)  # both earlier decisions replayed

    assert retry == _sticky(One, history.events, cut)[0]
    assert attrs(retry)["activityId"] == "1.1"
    assert attrs(retry)["input"] == attrs(schedule)["input"]


def test_a_retry_sends_the_arguments_as_they_were_at_the_call() -> None:
    history = History().started(Mutates, {"word": "hey"})
    history.decision(completed=False)
    (schedule,) = decide(Mutates, history.events)
    assert json.loads(attrs(schedule)["input"]) == {"words": ["hey"]}
    done = _record(history, [schedule])
    history.failed(done + 1, "RuntimeError", "flaky")
    history.decision(completed=False)
    (timer,) = decide(Mutates, history.events)
    cut = len(history.events)
    _record(history, [timer])
    history.decision(completed=False)

    (retry,) = decide(Mutates, history.events)

    assert retry == _sticky(Mutates, history.events, cut)[0]
    assert attrs(retry)["input"] == attrs(schedule)["input"]


def test_a_recorded_call_takes_the_input_history_recorded_instead_of_encoding_again(
    monkeypatch: Any,
) -> None:
    history = History().started(Many, {"n": 150})
    history.decision(completed=False)
    first = decide(Many, history.events)
    _record(history, first)
    history.decision(completed=False)
    encoded: list[str] = []
    real = Payloads.encode_data

    def counting(self: Payloads, data: Any, what: str, *args: Any) -> str:
        encoded.append(what)
        return real(self, data, what, *args)

    monkeypatch.setattr(Payloads, "encode_data", counting)

    replayed = decide(Many, history.events)

    # the 98 recorded calls are sized from their events; only the 52 deferred are encoded
    assert len(encoded) == 52 and encoded[0] == "input of activity Shout.shout (99)"
    assert [attrs(d)["activityId"] for d in replayed[:1]] == ["99"]


def test_a_retry_of_a_replayed_call_sends_the_input_history_recorded() -> None:
    history = History().started(One, {"word": "hey"})
    history.decision(completed=False)
    (schedule,) = decide(One, history.events)
    recorded = dict(schedule, scheduleActivityTaskDecisionAttributes=dict(attrs(schedule)))
    sent_text = '{ "times": 2, "word": "hey" }'  # what some earlier live run encoded
    assert json.loads(sent_text) == json.loads(attrs(schedule)["input"]) != sent_text
    recorded["scheduleActivityTaskDecisionAttributes"]["input"] = sent_text
    done = _record(history, [recorded])
    history.failed(done + 1, "RuntimeError", "flaky")
    history.decision(completed=False)
    (timer,) = decide(One, history.events)
    _record(history, [timer])
    history.decision(completed=False)

    (retry,) = decide(One, history.events)

    assert attrs(retry)["activityId"] == "1.1"
    assert attrs(retry)["input"] == sent_text


@pytest.mark.parametrize("dropped", [0, 49, MAX_DECISIONS - 3])
def test_a_call_within_the_response_cap_that_history_lost_is_non_determinism(
    dropped: int,
) -> None:
    """The response cap defers the calls after the first 98 without sizing them; one of the
    98 missing from history is still found (the first, one in the middle, the last)."""
    history = History().started(Many, {"n": 150})
    history.decision(completed=False)
    first = decide(Many, history.events)
    schedules = [d for d in first if d["decisionType"] == "ScheduleActivityTask"]
    assert len(schedules) == MAX_DECISIONS - 2
    done = _record(history, [d for d in first if d is not schedules[dropped]])
    history.decision(completed=False)

    with pytest.raises(NonDeterminismError) as info:
        decide(Many, history.events)

    assert info.value.event_id == done
    assert f"ScheduleActivityTask {dropped + 1} " in str(info.value)
