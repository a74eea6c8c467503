"""``handle.timeline(FILE)``: the run drawn as HTML, here on the SerialExecutor."""

from __future__ import annotations

import pathlib

from swfobjects.testing import SerialExecutor
from tests.cli import shop
from tests.helpers.html_tree import parse_html


def test_handle_timeline_writes_the_run_as_one_page(tmp_path: pathlib.Path) -> None:
    executor = SerialExecutor([shop.Warehouse()])
    handle = executor.start(shop.Checkout, "timeline-lamp", 500, workflow_id="timeline-1")
    assert handle.result(timeout=30) == {
        "box": "box(timeline-lamp)",
        "paid": 500,
        "approved_by": "",
    }
    path = tmp_path / "run.html"
    handle.timeline(path)
    root, elements = parse_html(path.read_text(encoding="utf-8"))
    labels = [e.text for e in elements if "label" in e.classes]
    assert labels[:2] == ["decision tasks", "workflow Checkout 1.0"]
    charge = [e for e in elements if e.tag == "g" and "activity" in e.classes][1]
    assert "Warehouse.charge" in charge.find("text")[0].text
    assert [sorted(bar.classes - {"bar"}) for bar in charge.find("g")] == [
        ["failed"],
        ["completed", "retry"],
    ]
    failed_tip = charge.find("g")[0].find("title")[0].text
    assert "card network busy for timeline-lamp" in failed_tip
    assert len(root.find("tbody")[0].find("tr")) == len(handle.history())
