"""swfobjects.swf: facts about Amazon SWF itself, shared by every other package.

``limits`` holds every size and count SWF enforces; ``_shapes`` knows under which key each event
type and decision type keeps its attributes. Nothing here knows about workflows or payloads.
"""

from . import limits
from ._shapes import decision_attributes, event_attributes

__all__ = ["decision_attributes", "event_attributes", "limits"]
