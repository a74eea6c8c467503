"""SWF itself, as the framework sees it: its limits, its JSON shapes and the client seam.

The bottom layer above ``exceptions``: every other package may use it, it uses none of them.
``limits`` holds every size and count SWF enforces; ``_shapes`` knows under which key each
event type and decision type keeps its attributes; ``client`` names the SWF operations the
framework calls (``SWFClient``, which boto3's client and the in-process model client both
satisfy) and pages through them; ``names`` holds SWF's rule for the names and ids a
client chooses, ``values`` its rules for timeouts, retention days, priorities and enumerations;
``wire`` (imported on demand: it loads botocore's model of SWF) checks a request's JSON as
SWF's front end does. ``timeline`` reads a history once for people (a row per event, a lane per
activity, timer, child, signal and marker) and ``timeline_html`` draws that as a self-contained
HTML page: the CLI's ``show``, ``WorkflowHandle.timeline`` and the local console share them.
"""

from . import limits, names, values
from ._shapes import decision_attributes, event_attributes
from .client import OPERATIONS, InProcessSWFClient, SWFClient, TaskKind, full_history, paged

__all__ = [
    "InProcessSWFClient",
    "OPERATIONS",
    "SWFClient",
    "TaskKind",
    "decision_attributes",
    "event_attributes",
    "full_history",
    "limits",
    "names",
    "paged",
    "values",
]
