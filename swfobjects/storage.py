"""``swfobjects.storage``: the out-of-band payload stores (see :mod:`swfobjects.payloads.storage`).

Kept as the short, stable import path users already have::

    from swfobjects.storage import FileStore, MemoryStore, OffloadingStore, S3Store
"""

from __future__ import annotations

from .payloads.storage import *  # noqa: F403 - the same names, under the short path
from .payloads.storage import __all__ as __all__
