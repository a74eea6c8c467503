"""The web console of ``swfobjects local``: what a browser gets on ``GET /``.

``/`` is one static page (HTML, CSS and a small script, all inline: nothing is fetched from
elsewhere). Its script speaks to the very endpoint that serves it, with the same JSON 1.0
requests boto3 sends (``X-Amz-Target: SimpleWorkflowService.ListDomains`` ...): it lists the
domains and their open or closed executions (filtered by workflow id, type, tag or close
status), and signals, cancels and terminates the execution on screen. Those requests carry a
custom header, so a page from another origin cannot send them (the browser would first ask with
``OPTIONS``, which this service refuses): the console needs no authentication beyond the
service's own rule of listening on 127.0.0.1.

The picture of an execution is drawn on the server, by the same code as ``swfobjects show
--html`` (:mod:`swfobjects.swf.timeline_html`), and fetched as a fragment from
``/console/execution?domain=D&workflowId=W&runId=R``; so the console and the HTML file can not
drift apart, and every text of the history is escaped once, there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..model import SwfFault
from ..swf.timeline import read_timeline
from ..swf.timeline_html import STYLE, timeline_fragment
from ._engine import Engine

__all__ = ["CONSOLE_PAGE", "EXECUTION_PATH", "console_response"]

EXECUTION_PATH = "/console/execution"
"""Where the console fetches an execution's timeline and event table (an HTML fragment)."""

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
_NOT_FOUND = (
    "swfobjects local: Amazon SWF JSON 1.0 endpoint; POST with X-Amz-Target. The console is at /.\n"
)


def console_response(target: str, engine: Engine) -> tuple[int, bytes, str]:
    """Status, body and content type answering ``GET target`` (a path with its query)."""
    url = urlsplit(target)
    if url.path in ("/", "/index.html"):
        return 200, CONSOLE_PAGE.encode(), HTML
    if url.path == EXECUTION_PATH:
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        missing = [k for k in ("domain", "workflowId", "runId") if not query.get(k)]
        if missing:
            return 400, f"missing query parameter(s): {', '.join(missing)}\n".encode(), TEXT
        try:
            events = _history(engine, query["domain"], query["workflowId"], query["runId"])
        except SwfFault as fault:
            return fault.status, f"{fault.code}: {fault.message}\n".encode(), TEXT
        title = f"{query['workflowId']} (run {query['runId']})"
        return 200, timeline_fragment(read_timeline(events), title).encode(), HTML
    return 404, _NOT_FOUND.encode(), TEXT


def _history(engine: Engine, domain: str, workflow_id: str, run_id: str) -> list[dict[str, Any]]:
    """Every event of one run, all pages."""
    params: dict[str, Any] = {
        "domain": domain,
        "execution": {"workflowId": workflow_id, "runId": run_id},
        "maximumPageSize": 1000,
    }
    events: list[dict[str, Any]] = []
    while True:
        page = engine.call("GetWorkflowExecutionHistory", params)
        events.extend(page.get("events", []))
        token = page.get("nextPageToken")
        if not token:
            return events
        params["nextPageToken"] = token


CONSOLE_PAGE = (
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline';
 connect-src 'self'; img-src data:">
<title>swfobjects local</title>
<style>
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222}
header{background:#1f3b57;color:#fff;padding:8px 16px;font-size:16px}
main{display:flex;gap:16px;padding:12px 16px;align-items:flex-start}
#side{min-width:420px;max-width:520px}
#detail{flex:1;overflow-x:auto}
form.filters{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:8px}
table.list{border-collapse:collapse;width:100%}
table.list th,table.list td{border-bottom:1px solid #eee;padding:3px 6px;text-align:left}
table.list tr.execution{cursor:pointer}
table.list tr.execution:hover,table.list tr.selected{background:#eef4fb}
.status-FAILED,.status-TIMED_OUT,.status-TERMINATED{color:#c62828}
.status-COMPLETED{color:#2e7d32}
#actions{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 8px}
#message{min-height:1.4em;color:#c62828}
#message.ok{color:#2e7d32}
</style>
<style>"""
    + STYLE
    + """</style></head>
<body>
<header>swfobjects local · console</header>
<main>
<section id="side">
<form class="filters" id="filters">
 <label>domain <select id="domain" name="domain"></select></label>
 <label><select id="which" name="which">
  <option value="open">open</option><option value="closed">closed</option></select></label>
 <label><select id="by" name="by"><option value="">all</option>
  <option value="workflowId">workflow id</option><option value="type">type</option>
  <option value="tag">tag</option><option value="closeStatus">close status</option></select></label>
 <input id="filter" name="filter" placeholder="filter value" size="14">
 <button type="submit" id="refresh">list</button>
</form>
<table class="list" id="executions"><thead><tr><th>workflow id</th><th>type</th>
<th>status</th><th>started</th></tr></thead><tbody></tbody></table>
<p id="count"></p>
</section>
<section id="detail">
<div id="actions" hidden>
 <input id="signal-name" placeholder="signal name" size="12">
 <input id="signal-input" placeholder="signal input (JSON)" size="20">
 <button id="signal" type="button">signal</button>
 <button id="cancel" type="button">cancel</button>
 <input id="reason" placeholder="reason" size="14">
 <button id="terminate" type="button">terminate</button>
</div>
<p id="message"></p>
<div id="execution"><p>Choose an execution.</p></div>
</section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let current = null;

async function swf(operation, body) {
  const response = await fetch("/", {
    method: "POST",
    headers: {"Content-Type": "application/x-amz-json-1.0",
              "X-Amz-Target": "SimpleWorkflowService." + operation},
    body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) {
    throw new Error((data.__type || "").split("#").pop() + ": " + (data.message || ""));
  }
  return data;
}

function say(text, ok) {
  $("message").textContent = text;
  $("message").className = ok ? "ok" : "";
}

function hashState() {
  const params = new URLSearchParams(location.hash.slice(1));
  return {domain: params.get("domain"), workflowId: params.get("workflowId"),
          runId: params.get("runId"), which: params.get("which")};
}

async function loadDomains() {
  const domains = [];
  let token;
  do {
    const page = await swf("ListDomains", {registrationStatus: "REGISTERED",
                                           nextPageToken: token});
    domains.push(...page.domainInfos.map((d) => d.name));
    token = page.nextPageToken;
  } while (token);
  const select = $("domain");
  select.replaceChildren(...domains.sort().map((name) => new Option(name, name)));
  const wanted = hashState().domain;
  if (wanted && domains.includes(wanted)) select.value = wanted;
}

function filterRequest() {
  const which = $("which").value;
  const body = {domain: $("domain").value, startTimeFilter: {oldestDate: 0},
                maximumPageSize: 200};
  const value = $("filter").value.trim();
  const by = $("by").value;
  if (by && value) {
    if (by === "workflowId") body.executionFilter = {workflowId: value};
    if (by === "type") body.typeFilter = {name: value};
    if (by === "tag") body.tagFilter = {tag: value};
    if (by === "closeStatus") body.closeStatusFilter = {status: value.toUpperCase()};
  }
  const operation = which === "open" ? "ListOpenWorkflowExecutions"
                                     : "ListClosedWorkflowExecutions";
  return [operation, body];
}

async function loadExecutions() {
  if (!$("domain").value) {
    $("count").textContent = "no domains registered";
    return;
  }
  const [operation, body] = filterRequest();
  const page = await swf(operation, body);
  const rows = page.executionInfos.map((info) => {
    const row = document.createElement("tr");
    row.className = "execution";
    const status = info.closeStatus || info.executionStatus;
    const cells = [info.execution.workflowId,
                   info.workflowType.name + " " + info.workflowType.version, status,
                   new Date(info.startTimestamp * 1000).toISOString().replace("T", " ")
                     .slice(0, 19)];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    row.children[2].className = "status-" + status;
    row.dataset.workflowId = info.execution.workflowId;
    row.dataset.runId = info.execution.runId;
    if (current && current.runId === info.execution.runId) row.classList.add("selected");
    row.addEventListener("click", () => {
      const params = new URLSearchParams({domain: $("domain").value, which: $("which").value,
        workflowId: info.execution.workflowId, runId: info.execution.runId});
      location.hash = params.toString();
    });
    return row;
  });
  $("executions").tBodies[0].replaceChildren(...rows);
  $("count").textContent = rows.length + " " + $("which").value + " execution(s)" +
    (page.nextPageToken ? " (more not shown: filter)" : "");
}

async function loadExecution() {
  const state = hashState();
  if (!state.domain || !state.workflowId || !state.runId) return;
  current = state;
  const query = new URLSearchParams({domain: state.domain, workflowId: state.workflowId,
                                     runId: state.runId});
  const response = await fetch("/console/execution?" + query.toString());
  const text = await response.text();
  if (!response.ok) {
    say(text);
    return;
  }
  $("execution").innerHTML = text;  // drawn and escaped by the server (swf.timeline_html)
  const status = document.querySelector("#execution .status");
  $("actions").hidden = !status || status.textContent !== "OPEN";
  for (const row of $("executions").tBodies[0].rows) {
    row.classList.toggle("selected", row.dataset.runId === state.runId);
  }
}

async function act(operation, extra, done) {
  if (!current) return;
  try {
    await swf(operation, Object.assign({domain: current.domain,
                                        workflowId: current.workflowId}, extra));
    say(done, true);
  } catch (error) {
    say(error.message);
  }
  await loadExecutions();
  await loadExecution();
}

$("signal").addEventListener("click", () => {
  const extra = {runId: current.runId, signalName: $("signal-name").value};
  if ($("signal-input").value) extra.input = $("signal-input").value;
  act("SignalWorkflowExecution", extra, "signal sent");
});
$("cancel").addEventListener("click", () =>
  act("RequestCancelWorkflowExecution", {runId: current.runId}, "cancel requested"));
$("terminate").addEventListener("click", () => {
  if (!confirm("Terminate " + current.workflowId + "?")) return;
  const extra = {runId: current.runId};
  if ($("reason").value) extra.reason = $("reason").value;
  act("TerminateWorkflowExecution", extra, "terminated");
});
$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  loadExecutions().catch((error) => say(error.message));
});
window.addEventListener("hashchange", () => loadExecution().catch((e) => say(e.message)));

(async () => {
  try {
    const state = hashState();
    if (state.which) $("which").value = state.which;
    await loadDomains();
    await loadExecutions();
    await loadExecution();
  } catch (error) {
    say(error.message);
  }
})();
</script>
</body></html>
"""
)
"""The console page (static: everything it shows, its script asks the service for)."""
