"""An execution drawn as one self-contained HTML page: where the time went and what failed.

The picture (inline SVG) has one lane per activity, child, timer, outgoing signal or cancel
request, received signal and marker (see :mod:`.timeline`), under the run's own lane and a lane
of decision tasks drawn as ticks. A bar runs from scheduled to closed: its pale part is the wait
for a worker, its solid part the work (a timer is solid while it runs). Its class says the
outcome (``completed``, ``failed``, ``timed_out``, ``canceled``, ``fired``, ``open``...);
failures are red, retried attempts have an amber outline (class ``retry``), open ones are
striped to the end of the history. Hovering shows each bar's payloads and errors in full (an
SVG ``<title>``). The event table follows the picture.

The file loads nothing (no CDN, no fonts, no script; a Content-Security-Policy says so), so it
can be mailed, attached to a ticket or opened offline. Every text from the history is escaped:
a payload can not inject markup or script.
"""

from __future__ import annotations

import math
from html import escape

from .timeline import FAILED, Lane, Span, Timeline

__all__ = ["STYLE", "timeline_fragment", "timeline_page"]

LABEL_WIDTH = 300
"""Pixels for the lane names on the left."""
CHART_WIDTH = 900
"""Pixels for the time axis."""
LANE_HEIGHT = 22
AXIS_HEIGHT = 24
_BAR = 14

STYLE = """
.swf-timeline{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222}
.swf-timeline h1{font-size:18px;margin:0 0 4px}
.swf-timeline .summary{margin:0 0 8px;color:#555}
.swf-timeline .status-FAILED,.swf-timeline .status-TIMED_OUT,.swf-timeline .status-TERMINATED
{color:#c62828;font-weight:600}
.swf-timeline .status-COMPLETED{color:#2e7d32;font-weight:600}
.swf-timeline svg{background:#fff;border:1px solid #ddd}
.swf-timeline .label{font-size:12px;fill:#333}
.swf-timeline .lane-bg:nth-of-type(odd){fill:#fafafa}
.swf-timeline .grid{stroke:#eee}
.swf-timeline .axis text{font-size:11px;fill:#777}
.swf-timeline .bar rect.wait{opacity:.35}
.swf-timeline .bar{cursor:default}
.swf-timeline .bar:hover rect,.swf-timeline .bar:hover circle{stroke:#000;stroke-width:1.5}
.swf-timeline .completed rect,.swf-timeline .completed circle{fill:#2e9d5b}
.swf-timeline .fired rect{fill:#8e6fd8}
.swf-timeline .received circle{fill:#1f77b4}
.swf-timeline .recorded circle{fill:#17becf}
.swf-timeline .open rect{fill:url(#swf-open)}
.swf-timeline .canceled rect,.swf-timeline .canceled circle,
.swf-timeline .continued rect{fill:#9e9e9e}
.swf-timeline .failed rect,.swf-timeline .failed circle,
.swf-timeline .timed_out rect,.swf-timeline .timed_out circle,
.swf-timeline .terminated rect{fill:#d62728}
.swf-timeline .retry rect{stroke:#ff9f1c;stroke-width:2}
.swf-timeline .decision line{stroke:#555;stroke-width:2}
.swf-timeline .decision.timed_out line{stroke:#d62728}
.swf-timeline .legend span{display:inline-block;margin-right:12px}
.swf-timeline .legend i{display:inline-block;width:12px;height:10px;margin-right:4px}
.swf-timeline table.events{border-collapse:collapse;margin-top:12px;font-size:12px}
.swf-timeline table.events th,.swf-timeline table.events td
{border-bottom:1px solid #eee;padding:2px 8px;text-align:left;vertical-align:top}
.swf-timeline table.events tr.failed td{color:#c62828}
.swf-timeline td.payload{font-family:ui-monospace,monospace;white-space:pre-wrap;
word-break:break-all}
"""
"""The picture's stylesheet (scoped under ``.swf-timeline``; the local console reuses it)."""

_LEGEND = [
    ("completed", "#2e9d5b"),
    ("failed / timed out", "#d62728"),
    ("retry", "#ff9f1c"),
    ("timer", "#8e6fd8"),
    ("canceled", "#9e9e9e"),
    ("open", "#7aa6e6"),
    ("signal", "#1f77b4"),
    ("marker", "#17becf"),
]


def timeline_page(timeline: Timeline, title: str) -> str:
    """A whole HTML document drawing ``timeline`` under the heading ``title``."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{timeline_fragment(timeline, title)}</body></html>\n"
    )


def timeline_fragment(timeline: Timeline, title: str = "") -> str:
    """The picture and the event table as one ``<div class="swf-timeline">``."""
    failures = sum(span.failed for lane in timeline.lanes for span in lane.spans)
    retries = sum((span.attempt or 1) > 1 for lane in timeline.lanes for span in lane.spans)
    status = escape(timeline.status)
    parts = ['<div class="swf-timeline">']
    if title:
        parts.append(f"<h1>{escape(title)}</h1>")
    parts.append(
        f'<p class="summary">{escape(timeline.workflow_type)} · status '
        f'<span class="status status-{status}">{status}</span> · '
        f"{_seconds(timeline.duration)} · {len(timeline.rows)} events · "
        f"{len(timeline.ticks)} decision tasks · {failures} failed · {retries} retries</p>"
    )
    parts.append(
        '<p class="legend">'
        + "".join(
            f'<span><i style="background:{colour}"></i>{escape(name)}</span>'
            for name, colour in _LEGEND
        )
        + "</p>"
    )
    parts.append(_svg(timeline))
    parts.append(_table(timeline))
    parts.append("</div>")
    return "\n".join(parts)


def _svg(timeline: Timeline) -> str:
    duration = timeline.duration if timeline.duration > 0 else 1.0
    scale = CHART_WIDTH / duration
    lanes = len(timeline.lanes) + 1
    height = AXIS_HEIGHT + lanes * LANE_HEIGHT + 4
    width = LABEL_WIDTH + CHART_WIDTH + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">',
        '<defs><pattern id="swf-open" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#a9c6f0"/>'
        '<rect width="4" height="8" fill="#7aa6e6"/></pattern></defs>',
    ]
    out.append(_axis(duration, scale, height))
    y = AXIS_HEIGHT
    out.append(
        f'<g class="lane decisions"><text class="label" x="4" y="{y + 15}">decision tasks</text>'
    )
    for tick in timeline.ticks:
        x = LABEL_WIDTH + tick.closed * scale if tick.closed is not None else LABEL_WIDTH
        tip = f"decision task {tick.outcome}: scheduled {_seconds(tick.scheduled)}"
        if tick.started is not None:
            tip += f", taken {_seconds(tick.started)}"
        tip += f", answered {_seconds(tick.closed or 0)}"
        out.append(
            f'<g class="decision {escape(tick.outcome)}"><title>{escape(tip)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 4}" y2="{y + LANE_HEIGHT - 4}"/></g>'
        )
    out.append("</g>")
    for lane in timeline.lanes:
        y += LANE_HEIGHT
        out.append(_lane(lane, y, scale, timeline.duration))
    out.append("</svg>")
    return "\n".join(out)


def _axis(duration: float, scale: float, height: int) -> str:
    step = _step(duration)
    out = ['<g class="axis">']
    n = 0
    while n * step <= duration + 1e-9:
        x = LABEL_WIDTH + n * step * scale
        out.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{AXIS_HEIGHT - 6}" y2="{height}"/>'
            f'<text x="{x + 2:.1f}" y="{AXIS_HEIGHT - 10}">{_seconds(n * step)}</text>'
        )
        n += 1
    out.append("</g>")
    return "".join(out)


def _step(duration: float) -> float:
    """A round interval giving about eight grid lines."""
    raw = duration / 8
    power: float = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _lane(lane: Lane, y: int, scale: float, end: float) -> str:
    label = lane.label if len(lane.label) <= 44 else lane.label[:43] + "…"
    full = "" if label == lane.label else f"<title>{escape(lane.label)}</title>"
    out = [
        f'<g class="lane {escape(lane.kind)}">'
        f'<rect class="lane-bg" x="0" y="{y}" width="{LABEL_WIDTH + CHART_WIDTH + 20}" '
        f'height="{LANE_HEIGHT}" fill="none"/>'
        f'<text class="label" x="4" y="{y + 15}">{escape(label)}{full}</text>'
    ]
    for span in lane.spans:
        out.append(_bar(lane, span, y, scale, end))
    out.append("</g>")
    return "".join(out)


def _bar(lane: Lane, span: Span, y: int, scale: float, end: float) -> str:
    classes = ["bar", span.outcome]
    if span.outcome in FAILED:
        classes.append("failed")
    if (span.attempt or 1) > 1:
        classes.append("retry")
    tip = [f"{lane.label}" + (f" attempt {span.attempt}" if span.attempt else "")]
    tip.append(f"{span.outcome}: scheduled {_seconds(span.scheduled)}")
    if span.started is not None:
        tip.append(f"started {_seconds(span.started)}")
    if span.closed is not None:
        tip.append(
            f"closed {_seconds(span.closed)} (took {_seconds(span.closed - span.scheduled)})"
        )
    tip.extend(span.details)
    names = " ".join(escape(name) for name in classes)
    head = f'<g class="{names}"><title>{escape(chr(10).join(tip))}</title>'
    mid = y + LANE_HEIGHT / 2
    if span.instant:
        x = LABEL_WIDTH + span.scheduled * scale
        return f'{head}<circle cx="{x:.1f}" cy="{mid:.1f}" r="5"/></g>'
    top = y + (LANE_HEIGHT - _BAR) / 2
    x0 = LABEL_WIDTH + span.scheduled * scale
    x2 = LABEL_WIDTH + (end if span.closed is None else span.closed) * scale
    x1 = x0 if span.started is None else LABEL_WIDTH + span.started * scale
    if span.started is None and span.closed is None:
        x1 = x0  # waiting still: all of it is the open (striped) bar
    rects = []
    if x1 > x0:
        rects.append(
            f'<rect class="wait" x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" height="{_BAR}"/>'
        )
    rects.append(
        f'<rect class="run" x="{x1:.1f}" y="{top:.1f}" width="{max(x2 - x1, 2.0):.1f}" '
        f'height="{_BAR}"/>'
    )
    return head + "".join(rects) + "</g>"


def _table(timeline: Timeline) -> str:
    out = [
        '<table class="events"><thead><tr><th>ID</th><th>+TIME</th><th>EVENT</th>'
        "<th>FOR</th><th>TRY</th><th>PAYLOAD</th></tr></thead><tbody>"
    ]
    for row in timeline.rows:
        failed = any(word in row.event_type for word in ("Failed", "TimedOut", "Terminated"))
        cls = ' class="failed"' if failed else ""
        attempt = "" if row.attempt is None else str(row.attempt)
        out.append(
            f"<tr{cls}><td>{row.event_id}</td><td>{row.seconds:.3f}s</td>"
            f"<td>{escape(row.event_type)}</td><td>{escape(row.subject)}</td>"
            f'<td>{attempt}</td><td class="payload">{escape(row.payload)}</td></tr>'
        )
    out.append("</tbody></table>")
    return "\n".join(out)


def _seconds(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.1f}min"
    if 0 < seconds < 1:
        return f"{seconds * 1000:.3g}ms"
    return f"{seconds:.3g}s" if seconds < 10 else f"{seconds:.1f}s"
