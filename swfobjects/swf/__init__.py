"""SWF itself, as the framework sees it: its limits, its JSON shapes and the client seam.

The bottom layer above ``exceptions``: every other package may use it, it uses none of them.
"""

from .client import OPERATIONS, InProcessSWFClient, SWFClient, TaskKind, full_history, paged

__all__ = ["OPERATIONS", "InProcessSWFClient", "SWFClient", "TaskKind", "full_history", "paged"]
