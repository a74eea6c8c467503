"""The verbs that talk to SWF once and print: register, start, run, signal, cancel, terminate,
list, show, history, and replay (which reads files only).

Each takes the parsed command line (a :class:`Context`) and a text stream, prints its answer
and returns the exit status: 0 done, 1 the thing asked for failed (the workflow failed, a
history no longer replays), 2 the command itself was wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import warnings
from typing import Any, TextIO

from ..client._swf_executor import START_TAG_PREFIX
from ..exceptions import SwfObjectsError, WorkflowExecutionError
from ..payloads._failures import decode_failure
from ..replay._runtime import to_datetime
from ..swf._shapes import event_attributes
from ..swf.client import paged
from ..swf.limits import MAX_PAGE_SIZE
from ..swf.timeline import read_timeline
from ..swf.timeline_html import timeline_page
from ..testing._histories import write_history
from ..testing._replayer import Replayer
from ..workflow._classes import encode_signal_input
from ._context import CommandError, Context, data_store_from, load_classes, load_workflow
from ._timeline import event_rows, format_rows, table, waiting_on

__all__ = [
    "cancel",
    "history",
    "list_executions",
    "register",
    "replay",
    "run",
    "show",
    "signal",
    "start",
    "terminate",
]

SHOWN_FAILURES = 3
"""Activity failures ``show`` prints with their tracebacks (the latest ones)."""

_DURATION = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<unit>[smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _arguments(ctx: Context) -> tuple[list[Any], dict[str, Any]]:
    """``ARGS_JSON`` (or ``--input-file``): a JSON list of positional arguments or an object
    of keyword arguments."""
    text = getattr(ctx.args, "args_json", None)
    input_file = getattr(ctx.args, "input_file", None)
    if input_file:
        if text:
            raise CommandError("give ARGS_JSON or --input-file, not both", 2)
        try:
            with open(input_file, encoding="utf-8") as file:
                text = file.read()
        except OSError as exc:
            raise CommandError(f"cannot read {input_file}: {exc.strerror}", 2) from None
    if not text:
        return [], {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"the arguments are not JSON ({exc}): {text[:60]!r}", 2) from None
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict):
        return [], value
    raise CommandError(
        "the arguments must be a JSON list (positional) or object (keyword arguments), "
        f"not {type(value).__name__}; wrap a single argument in a list: [{text}]",
        2,
    )


def _print_json(out: TextIO, value: Any) -> None:
    json.dump(value, out, indent=2, default=_json_default)
    out.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def register(ctx: Context, out: TextIO) -> int:
    """Register the domain and every workflow and activity type of the modules given."""
    classes = [cls for spec in ctx.args.modules for cls in load_classes(spec)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the differences are returned and printed below
        differences = ctx.executor.register(*classes, retention_days=ctx.args.retention_days)
    types = []
    for cls in classes:
        workflow = getattr(cls, "_swf_workflow", None)
        if workflow is not None:
            types.append(("workflow", workflow.name, workflow.version, workflow.task_list))
        for activity in getattr(cls, "_swf_activities", {}).values():
            types.append(("activity", activity.name, activity.version, activity.task_list))
    if ctx.json:
        _print_json(
            out,
            {
                "domain": ctx.domain,
                "types": [
                    dict(zip(("kind", "name", "version", "taskList"), t, strict=True))
                    for t in types
                ],
                "differences": differences,
            },
        )
    else:
        print(f"domain {ctx.domain}: registered (or already there)", file=out)
        print(table(("KIND", "NAME", "VERSION", "TASK LIST"), types), file=out)
        for line in differences:
            print(f"warning: {line}", file=sys.stderr)
    return 0


def start(ctx: Context, out: TextIO) -> int:
    """Start an execution; print its workflow id and run id (then wait if ``--wait``)."""
    workflow_class = load_workflow(ctx.args.workflow)
    args, kwargs = _arguments(ctx)
    handle = ctx.executor.start(
        workflow_class,
        *args,
        workflow_id=ctx.args.id,
        task_list=ctx.args.task_list,
        tags=ctx.args.tag or (),
        **kwargs,
    )
    if getattr(ctx.args, "wait", False):
        return _wait_and_print(ctx, handle, out, ids=True)
    if ctx.json:
        _print_json(out, handle.execution)
    else:
        print(f"workflow id: {handle.workflow_id}\nrun id:      {handle.run_id}", file=out)
    return 0


def run(ctx: Context, out: TextIO) -> int:
    """Start an execution, wait for it to close and print its result as JSON."""
    ctx.args.wait = True
    return start(ctx, out)


def _wait_and_print(ctx: Context, handle: Any, out: TextIO, ids: bool) -> int:
    if ids and not ctx.json:
        print(f"workflow id: {handle.workflow_id}\nrun id:      {handle.run_id}", file=sys.stderr)
    try:
        handle.result(timeout=ctx.args.timeout)
    except TimeoutError as exc:
        raise CommandError(str(exc)) from None
    except WorkflowExecutionError as exc:
        failure = getattr(exc, "details", None)
        print(f"swfobjects {ctx.args.command}: {exc}", file=sys.stderr)
        trace = getattr(failure, "traceback", "")
        if trace:
            print(_indent(trace), file=sys.stderr)
        return 1
    attrs = event_attributes(handle.last_event())
    result = handle.payloads.decode_data(attrs.get("result"), "workflow result")
    _print_json(out, result)
    return 0


def signal(ctx: Context, out: TextIO) -> int:
    """Send a signal (arguments as for ``start``: a JSON list or object)."""
    handle = ctx.handle(ctx.args.workflow_id, ctx.args.run)
    args, kwargs = _arguments(ctx)
    workflow_class = load_workflow(ctx.args.workflow) if ctx.args.workflow else None
    if workflow_class is None and handle.workflow is not None:
        workflow_class = handle.workflow.workflow_class
    text = encode_signal_input(handle.payloads, ctx.args.name, args, kwargs, workflow_class)
    handle.signal_raw(ctx.args.name, text)
    print(f"signal {ctx.args.name} sent to {handle.workflow_id} (run {handle.run_id})", file=out)
    return 0


def cancel(ctx: Context, out: TextIO) -> int:
    """Ask the workflow to cancel itself (``RequestCancelWorkflowExecution``)."""
    handle = ctx.handle(ctx.args.workflow_id, ctx.args.run)
    handle.cancel()
    print(f"cancellation requested for {handle.workflow_id} (run {handle.run_id})", file=out)
    return 0


def terminate(ctx: Context, out: TextIO) -> int:
    """End the run now (``TerminateWorkflowExecution``: the workflow code gets no say)."""
    handle = ctx.handle(ctx.args.workflow_id, ctx.args.run)
    handle.terminate(reason=ctx.args.reason or "")
    print(f"terminated {handle.workflow_id} (run {handle.run_id})", file=out)
    return 0


def _since(text: str | None) -> float:
    """``--since``: ``30m``, ``2h``, ``7d``, or an ISO 8601 time; epoch seconds."""
    if not text:
        return 86_400.0  # SWF needs an oldest date: any start since 1970-01-02
    match = _DURATION.match(text)
    now = dt.datetime.now(dt.timezone.utc)
    if match:
        seconds = float(match.group("n")) * _UNITS[match.group("unit")]
        return (now - dt.timedelta(seconds=seconds)).timestamp()
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"--since {text!r}: give a duration (30m, 2h, 7d) or an ISO 8601 time", 2
        ) from None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)).timestamp()


def list_executions(ctx: Context, out: TextIO) -> int:
    """Open and/or closed executions, newest first, as a table."""
    args = ctx.args
    if args.type and args.tag:
        raise CommandError("SWF filters by one of --type and --tag at a time", 2)
    request: dict[str, Any] = {
        "domain": ctx.domain,
        "startTimeFilter": {"oldestDate": _since(args.since)},
        "maximumPageSize": MAX_PAGE_SIZE,
    }
    if args.type:
        request["typeFilter"] = {"name": args.type}
    if args.tag:
        request["tagFilter"] = {"tag": args.tag}
    client = ctx.executor.client
    infos: list[dict[str, Any]] = []
    if not args.closed:
        infos += paged(client.list_open_workflow_executions, request, "executionInfos")[1]
    if not args.open:
        infos += paged(client.list_closed_workflow_executions, request, "executionInfos")[1]
    infos.sort(key=lambda info: to_datetime(info["startTimestamp"]), reverse=True)
    for info in infos:
        info["tagList"] = _tags(info)
    if ctx.json:
        _print_json(out, infos)
        return 0
    lines = []
    for info in infos:
        started = to_datetime(info["startTimestamp"])
        closed = info.get("closeTimestamp")
        took = (
            f"{(to_datetime(closed) - started).total_seconds():.1f}s" if closed is not None else ""
        )
        lines.append(
            (
                info["execution"]["workflowId"],
                info["workflowType"]["name"],
                info.get("closeStatus") or info["executionStatus"],
                f"{started:%Y-%m-%d %H:%M:%S}",
                took,
                info["execution"]["runId"],
            )
        )
    if lines:
        print(
            table(("WORKFLOW ID", "TYPE", "STATUS", "STARTED (UTC)", "TOOK", "RUN ID"), lines),
            file=out,
        )
    else:
        print("no executions", file=out)
    return 0


def show(ctx: Context, out: TextIO) -> int:
    """Status, input, result or failure, what the run waits on, and its history as a table."""
    handle = ctx.handle(ctx.args.workflow_id, ctx.args.run)
    described = handle.describe()
    info = described["executionInfo"]
    events = handle.history()
    started = event_attributes(events[0]) if events else {}
    summary: dict[str, Any] = {
        "workflowId": handle.workflow_id,
        "runId": handle.run_id,
        "type": info["workflowType"],
        "status": info.get("closeStatus") or info["executionStatus"],
        "taskList": (started.get("taskList") or {}).get("name"),
        "started": to_datetime(info["startTimestamp"]).isoformat(),
        "closed": to_datetime(info["closeTimestamp"]).isoformat()
        if info.get("closeTimestamp")
        else None,
        "tags": _tags(info),
        "input": _data(handle, started.get("input"), "input"),
    }
    last = events[-1] if events else {"eventType": ""}
    attrs = event_attributes(last) if events else {}
    if last["eventType"] == "WorkflowExecutionCompleted":
        summary["result"] = _data(handle, attrs.get("result"), "result")
    elif last["eventType"] == "WorkflowExecutionFailed":
        failure = decode_failure(attrs.get("reason"), attrs.get("details"), handle.payloads)
        summary["failure"] = {
            "type": failure.type_name,
            "message": failure.message,
            "traceback": failure.traceback,
        }
    elif last["eventType"] in ("WorkflowExecutionTerminated", "WorkflowExecutionTimedOut"):
        summary["reason"] = attrs.get("reason") or attrs.get("cause") or attrs.get("timeoutType")
    if described.get("latestExecutionContext") is not None:  # the workflow's @state
        summary["state"] = _data(handle, described["latestExecutionContext"], "state")
    if info["executionStatus"] == "OPEN":
        summary["waitingOn"] = waiting_on(events)
    summary["activityFailures"] = _activity_failures(handle, events)
    rows = event_rows(events)
    if ctx.args.html:
        _write_html(handle, events, ctx.args.html)
        summary["html"] = ctx.args.html
    if ctx.json:
        _print_json(out, dict(summary, events=[row.as_json() for row in rows]))
        return 0
    kind = summary["type"]
    print(f"{handle.workflow_id}  (run {handle.run_id})", file=out)
    fields = [
        ("type", f"{kind['name']} {kind['version']}  task list {summary['taskList']}"),
        ("status", summary["status"]),
        ("started", summary["started"]),
    ]
    if summary["closed"]:
        seconds = to_datetime(info["closeTimestamp"]) - to_datetime(info["startTimestamp"])
        fields.append(("closed", f"{summary['closed']} (took {seconds.total_seconds():.3f}s)"))
    if summary["tags"]:
        fields.append(("tags", ", ".join(summary["tags"])))
    fields.append(("input", json.dumps(summary["input"])))
    if "result" in summary:
        fields.append(("result", json.dumps(summary["result"])))
    if "state" in summary:
        fields.append(("state", json.dumps(summary["state"])))
    if "reason" in summary:
        fields.append(("reason", str(summary["reason"])))
    if "failure" in summary:
        fields.append(("failure", f"{summary['failure']['type']}: {summary['failure']['message']}"))
    for item in summary.get("waitingOn", []):
        fields.append(("waiting on", item))
    if "html" in summary:
        fields.append(("timeline", f"{summary['html']} (open it in a browser)"))
    for name, value in fields:
        print(f"{name + ':':<12}{value}", file=out)
    if summary.get("failure", {}).get("traceback"):
        print("workflow traceback:", file=out)
        print(_indent(summary["failure"]["traceback"]), file=out)
    for failed in summary["activityFailures"]:
        print(
            f"event {failed['eventId']}: {failed['activity']} attempt {failed['attempt']} "
            f"failed: {failed['type']}: {failed['message']}",
            file=out,
        )
        if failed["traceback"]:
            print(_indent(failed["traceback"]), file=out)
    print(file=out)
    print(format_rows(rows), file=out)
    return 0


def _write_html(handle: Any, events: list[dict[str, Any]], path: str) -> None:
    """``show --html FILE``: the run drawn as a timeline, from the history already read."""
    page = timeline_page(read_timeline(events), f"{handle.workflow_id} (run {handle.run_id})")
    try:
        with open(path, "w", encoding="utf-8") as file:
            file.write(page)
    except OSError as exc:
        raise CommandError(f"cannot write the timeline to {path}: {exc.strerror or exc}") from None


def _tags(info: dict[str, Any]) -> list[str]:
    """The execution's tags without the one ``SWFExecutor.start`` adds to make starts safe to
    retry (it means nothing to a reader)."""
    return [t for t in info.get("tagList") or [] if not t.startswith(START_TAG_PREFIX)]


def _activity_failures(handle: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last :data:`SHOWN_FAILURES` activity failures, decoded, with their tracebacks."""
    rows = {row.event_id: row for row in event_rows(events)}
    out = []
    for event in events:
        if event["eventType"] != "ActivityTaskFailed":
            continue
        attrs = event_attributes(event)
        failure = decode_failure(attrs.get("reason"), attrs.get("details"), handle.payloads)
        out.append(
            {
                "eventId": event["eventId"],
                "activity": rows[event["eventId"]].subject,
                "attempt": rows[event["eventId"]].attempt,
                "type": failure.type_name,
                "message": failure.message,
                "traceback": failure.traceback,
            }
        )
    return out[-SHOWN_FAILURES:]


def _data(handle: Any, text: str | None, what: str) -> Any:
    try:
        return handle.payloads.decode_data(text, what)
    except SwfObjectsError as exc:  # a store not configured here: show the text and why
        return {"undecoded": text, "error": str(exc)}


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.rstrip().splitlines())


def history(ctx: Context, out: TextIO) -> int:
    """The run's whole history (every page) as ``GetWorkflowExecutionHistory`` JSON."""
    handle = ctx.handle(ctx.args.workflow_id, ctx.args.run)
    write_history(handle.history(), out)
    return 0


def replay(ctx: Context, out: TextIO) -> int:
    """Replay history files against the current code; status 1 if any no longer replays."""
    workflow_class = load_workflow(ctx.args.workflow)
    replayer = Replayer(
        workflow_class,
        data_store=data_store_from(getattr(ctx.args, "data_store", None)),
        domain=getattr(ctx.args, "domain", None) or "",
    )
    results = [replayer.replay_file(path, run_id=ctx.args.run_id or "") for path in ctx.args.files]
    if ctx.json:
        _print_json(
            out,
            [
                {
                    "file": r.source,
                    "ok": r.ok,
                    "events": r.events,
                    "eventId": r.event_id,
                    "eventType": r.event_type or None,
                    "error": str(r.error) if r.error else None,
                    "line": r.line or None,
                }
                for r in results
            ],
        )
    else:
        for result in results:
            print(result, file=out)
    return 0 if all(result.ok for result in results) else 1
