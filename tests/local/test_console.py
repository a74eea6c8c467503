"""The web console of ``swfobjects local`` (``GET /``), in a real headless Chromium.

The browser loads the page, lists the domain's executions, opens one (its timeline and event
table), takes a screenshot, and signals, cancels and terminates open executions with the
page's buttons; each effect is checked through boto3. Where no Chromium is installed (Debian:
``apt-get install chromium``; or set ``$CHROMIUM``) the browser tests skip and say so.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from swfobjects.testing import LocalEnvironment
from tests.cli import shop
from tests.helpers.browser import Browser, browser, find_chromium
from tests.helpers.html_tree import parse_html
from tests.helpers.servers import local_swf

DOMAIN = "console-test"
CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium found (apt-get install chromium, or set $CHROMIUM to a Chrome binary)",
)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[Any, LocalEnvironment]]:
    """A service with one finished run (a failed, retried activity) and workers running."""
    with local_swf() as swf:
        environment = LocalEnvironment(swf.client(), domain=DOMAIN)
        try:
            environment.start(shop.Checkout, "chair", 500, workflow_id="done-1").result()
            yield swf, environment
        finally:
            environment.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with browser(CHROMIUM) as instance:
        yield instance


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_the_page_and_the_execution_fragment_over_plain_http(service: Any) -> None:
    swf, environment = service
    status, kind, page = _get(swf.endpoint_url + "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    root, elements = parse_html(page)
    assert root.find("title")[0].text == "swfobjects local"
    assert {"domain", "which", "by", "filter", "signal", "cancel", "terminate"} <= {
        e.attrs.get("id") for e in elements
    }
    assert not [e for e in elements if e.attrs.get("src") or e.tag == "link"]  # all inline
    run_id = environment.executor.get_handle("done-1").run_id
    query = f"/console/execution?domain={DOMAIN}&workflowId=done-1&runId={run_id}"
    status, _, fragment = _get(swf.endpoint_url + query)
    assert status == 200
    _, drawn = parse_html(fragment)
    assert any("failed" in e.classes for e in drawn if e.tag == "g")
    status, _, text = _get(swf.endpoint_url + "/console/execution?domain=" + DOMAIN)
    assert (status, text) == (400, "missing query parameter(s): workflowId, runId\n")
    status, _, text = _get(swf.endpoint_url + query.replace(run_id, "nope"))
    assert status == 400 and text.startswith("UnknownResourceFault:")
    assert _get(swf.endpoint_url + "/elsewhere")[0] == 404


@needs_browser
def test_open_an_execution_see_its_timeline_and_take_a_screenshot(
    service: Any, chromium: Browser
) -> None:
    swf, environment = service
    page = chromium.open(f"{swf.endpoint_url}/#domain={DOMAIN}&which=closed")
    page.wait_for("document.querySelectorAll('#executions tr.execution').length === 1")
    assert page.evaluate("document.getElementById('domain').value") == DOMAIN
    cells = page.evaluate(
        "[...document.querySelectorAll('#executions tr.execution td')].map(c => c.textContent)"
    )
    assert cells[:3] == ["done-1", "Checkout 1.0", "COMPLETED"]
    page.evaluate("document.querySelector('#executions tr.execution').click()")
    page.wait_for("document.querySelectorAll('#execution svg g.lane').length > 0")
    lanes = page.evaluate(
        "[...document.querySelectorAll('#execution g.lane text.label')].map(t => t.textContent)"
    )
    assert lanes[:2] == ["decision tasks", "workflow Checkout 1.0"]
    assert any("Warehouse.charge" in label for label in lanes)
    assert page.evaluate("document.querySelectorAll('#execution g.bar.failed').length") == 1
    assert page.evaluate("document.querySelectorAll('#execution g.bar.retry').length") == 1
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('#execution g.bar.failed rect.run')).fill"
    )
    assert colour == "rgb(214, 39, 40)"
    history = environment.executor.get_handle("done-1").history()
    rows = page.evaluate("document.querySelectorAll('#execution table.events tbody tr').length")
    assert rows == len(history)
    assert page.evaluate("document.getElementById('actions').hidden") is True  # closed run
    png = page.screenshot()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


@needs_browser
def test_signal_cancel_and_terminate_from_the_page(service: Any, chromium: Browser) -> None:
    swf, environment = service
    handles = {
        name: environment.start(shop.Checkout, name, wait=True, workflow_id=name)
        for name in ("to-signal", "to-cancel", "to-terminate")
    }
    page = chromium.open(f"{swf.endpoint_url}/#domain={DOMAIN}&which=open")
    page.evaluate("window.confirm = () => true; true")

    def open_run(name: str) -> None:
        run_id = handles[name].run_id
        page.evaluate(
            f"location.hash = 'domain={DOMAIN}&which=open&workflowId={name}&runId={run_id}'"
        )
        page.wait_for(
            f"document.querySelector('#execution h1')?.textContent.startsWith('{name} ')"
            " && !document.getElementById('actions').hidden"
        )

    open_run("to-signal")
    page.evaluate(
        "document.getElementById('signal-name').value = 'approve';"
        f"document.getElementById('signal-input').value = {json.dumps(json.dumps({'by': 'ann'}))};"
        "document.getElementById('signal').click(); true"
    )
    page.wait_for("document.getElementById('message').textContent === 'signal sent'")
    assert handles["to-signal"].result(timeout=20)["approved_by"] == "ann"

    open_run("to-cancel")
    page.evaluate("document.getElementById('cancel').click(); true")
    page.wait_for("document.getElementById('message').textContent === 'cancel requested'")
    canceled = [e["eventType"] for e in handles["to-cancel"].history()]
    assert "WorkflowExecutionCancelRequested" in canceled

    open_run("to-terminate")
    page.evaluate(
        "document.getElementById('reason').value = 'from the console';"
        "document.getElementById('terminate').click(); true"
    )
    page.wait_for("document.getElementById('message').textContent === 'terminated'")
    info = handles["to-terminate"].describe()["executionInfo"]
    assert info["closeStatus"] == "TERMINATED"
    page.wait_for("document.querySelector('#execution .status').textContent === 'TERMINATED'")
    assert page.evaluate("document.getElementById('actions').hidden") is True
