"""``swfobjects.storage``: the out-of-band payload stores (see :mod:`swfobjects.payloads.storage`).

Kept as the short, stable import path users already have::

    from swfobjects.storage import FileStore, MemoryStore, OffloadingStore, S3Store
"""

from __future__ import annotations

from .payloads.storage import (
    DEFAULT_CACHE,
    CorruptPayloadError,
    DataStore,
    DataStoreError,
    FileStore,
    MemoryStore,
    OffloadingStore,
    PayloadCache,
    PayloadNotFoundError,
    PayloadTooLargeForStoreError,
    Reference,
    S3Store,
    delete_payloads,
    payload_prefix,
)

__all__ = [
    "CorruptPayloadError",
    "DEFAULT_CACHE",
    "DataStore",
    "DataStoreError",
    "FileStore",
    "MemoryStore",
    "OffloadingStore",
    "PayloadCache",
    "PayloadNotFoundError",
    "PayloadTooLargeForStoreError",
    "Reference",
    "S3Store",
    "delete_payloads",
    "payload_prefix",
]
