"""swfobjects.payloads: values to SWF's text and back, and failures across processes.

Every input, result, detail, marker and signal goes through one encode/decode pair
(``_payload``), which checks SWF's size limits before any API call and hands oversized
payloads to ``storage`` (out-of-band data stores). Codecs (``_codecs``) are built from type
hints on marshmallow; nothing is ever pickled. ``_failures`` turns exceptions into SWF's
``reason`` + ``details`` and back.
"""

from ._codecs import Codec, codec_for
from ._failures import RemoteFailure

__all__ = ["Codec", "RemoteFailure", "codec_for"]
