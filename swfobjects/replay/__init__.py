"""swfobjects.replay: the pure replay decider, (workflow class, history) -> decisions."""

from ._decider import Decider, decide

__all__ = ["Decider", "decide"]
