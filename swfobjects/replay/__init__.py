"""swfobjects.replay: the pure replay decider behind the workflow seam.

``Decider`` re-runs a workflow's code against its SWF history and says which decisions to
send next; ``decide`` does that for one history in one call. No I/O happens here: the worker
polls SWF and feeds the decider.
"""

from ._decider import Decider, decide

__all__ = ["Decider", "decide"]
