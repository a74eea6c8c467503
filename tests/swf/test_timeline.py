"""The one reading of a history (rows and lanes) and its HTML picture, parsed and checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from swfobjects.swf.timeline import read_timeline
from swfobjects.swf.timeline_html import timeline_page
from tests.helpers.html_tree import parse_html

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'


def _event(event_id: int, seconds: float, kind: str, **attrs: Any) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventAttributes"
    return {
        "eventId": event_id,
        "eventType": kind,
        "eventTimestamp": T0 + dt.timedelta(seconds=seconds),
        key: attrs,
    }


def _decision(first: int, seconds: float) -> list[dict[str, Any]]:
    return [
        _event(first, seconds, "DecisionTaskScheduled"),
        _event(first + 1, seconds + 0.1, "DecisionTaskStarted", scheduledEventId=first),
        _event(first + 2, seconds + 0.2, "DecisionTaskCompleted", scheduledEventId=first),
    ]


CHARGE = {"name": "W.charge", "version": "1"}
HISTORY = [
    _event(1, 0, "WorkflowExecutionStarted", workflowType={"name": "Shop", "version": "2"}),
    *_decision(2, 0),
    _event(5, 1, "ActivityTaskScheduled", activityId="3", activityType=CHARGE, input=EVIL),
    _event(6, 1.5, "ActivityTaskStarted", scheduledEventId=5, identity="host:1"),
    _event(7, 2, "ActivityTaskFailed", scheduledEventId=5, reason="E: boom", details=EVIL),
    *_decision(8, 2),
    _event(11, 2.2, "TimerStarted", timerId="retry-3", startToFireTimeout="1"),
    _event(12, 3.2, "TimerFired", timerId="retry-3", startedEventId=11),
    *_decision(13, 3.2),
    _event(16, 3.4, "ActivityTaskScheduled", activityId="3.1", activityType=CHARGE),
    _event(17, 3.5, "ActivityTaskStarted", scheduledEventId=16),
    _event(18, 5, "ActivityTaskCompleted", scheduledEventId=16, result='"ok"'),
    _event(19, 5.5, "WorkflowExecutionSignaled", signalName="approve", input='{"by": "ann"}'),
    _event(20, 5.6, "MarkerRecorded", markerName="random", details="0.5"),
    *_decision(21, 5.6),
    _event(24, 6, "WorkflowExecutionCompleted", result='"done"'),
]


def test_one_lane_per_thing_with_spans_from_scheduled_to_closed() -> None:
    timeline = read_timeline(HISTORY)
    assert [(lane.kind, lane.label) for lane in timeline.lanes] == [
        ("workflow", "workflow Shop 2"),
        ("activity", "activity W.charge (3)"),
        ("timer", "timer retry-3"),
        ("signal", "signal approve"),
        ("marker", "marker random"),
    ]
    first, second = timeline.lanes[1].spans
    assert (first.scheduled, first.started, first.closed, first.outcome) == (1, 1.5, 2, "failed")
    assert (second.attempt, second.outcome, second.closed) == (2, "completed", 5)
    assert "ActivityTaskFailed reason: E: boom" in first.details
    assert [tick.closed for tick in timeline.ticks] == [0.2, 2.2, 3.4, 5.8]
    assert (timeline.status, timeline.duration) == ("COMPLETED", 6)
    assert [row.event_id for row in timeline.rows] == list(range(1, 25))


def test_an_open_run_keeps_open_bars_to_its_last_event() -> None:
    timeline = read_timeline(HISTORY[:6])
    assert timeline.status == "OPEN"
    activity = timeline.lanes[1].spans[0]
    assert (activity.started, activity.closed, activity.outcome) == (1.5, None, "open")


def test_the_page_draws_lanes_bars_ticks_and_the_event_table() -> None:
    root, elements = parse_html(timeline_page(read_timeline(HISTORY), "order <42>"))
    assert root.find("title")[0].text == "order <42>"
    lanes = [e for e in elements if e.tag == "g" and "lane" in e.classes]
    assert [sorted(lane.classes - {"lane"}) for lane in lanes] == [
        ["decisions"],
        ["workflow"],
        ["activity"],
        ["timer"],
        ["signal"],
        ["marker"],
    ]
    assert len([e for e in elements if "decision" in e.classes]) == 4
    bars = [e for e in elements if e.tag == "g" and "bar" in e.classes]
    activity_bars = lanes[2].find("g")
    assert [sorted(bar.classes) for bar in activity_bars] == [
        ["bar", "failed"],
        ["bar", "completed", "retry"],
    ]
    failed = activity_bars[0]
    assert [rect.attrs["class"] for rect in failed.find("rect")] == ["wait", "run"]
    widths = [float(rect.attrs["width"]) for rect in failed.find("rect")]
    assert widths[0] == widths[1] > 0  # 0.5 s waiting, 0.5 s running
    assert "E: boom" in failed.find("title")[0].text
    assert {sorted(b.classes - {"bar"})[0] for b in bars} >= {"fired", "received", "recorded"}
    style = root.find("style")[0].text
    assert ".swf-timeline .failed rect" in style and "#d62728" in style
    rows = root.find("tbody")[0].find("tr")
    assert len(rows) == len(HISTORY)
    assert [row.find("td")[2].text for row in rows][4:7] == [
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskFailed",
    ]
    assert rows[6].classes == {"failed"}


def test_payloads_cannot_inject_markup_or_script() -> None:
    page = timeline_page(read_timeline(HISTORY), EVIL)
    root, elements = parse_html(page)
    assert {e.tag for e in elements}.isdisjoint({"script", "img", "iframe", "object"})
    assert not any(name.startswith("on") for e in elements for name in e.attrs)
    assert root.find("h1")[0].text == EVIL
    tips = [title.text for title in root.find("title")]
    assert any(f"ActivityTaskFailed details: {EVIL}" in tip for tip in tips)
    assert "default-src 'none'" in root.find("meta")[1].attrs["content"]
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
