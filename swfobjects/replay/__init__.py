"""swfobjects.replay: the pure replay decider behind the workflow seam.

``Decider`` re-runs a workflow's code against its SWF history and says which decisions to
send next; ``decide`` does that for one history in one call. No I/O happens here: the worker
polls SWF and feeds the decider. ``pending_from_history`` says what an open execution waits
for (``handle.pending()`` uses it).
"""

from ._decider import Decider, decide
from ._pending import Pending, pending_from_history

__all__ = ["Decider", "Pending", "decide", "pending_from_history"]
