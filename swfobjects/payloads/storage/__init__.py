"""Out-of-band payload storage: pass megabytes between activities and workflows.

SWF refuses any input, result, detail, marker or signal over 32,768 characters. Give an
executor a data store and payloads that do not fit travel through the store instead; only a
small JSON reference (store, key, size, sha256) goes through SWF, and readers verify what they
fetch::

    from swfobjects import SerialExecutor
    from swfobjects.storage import FileStore, MemoryStore, OffloadingStore, S3Store

    SerialExecutor(data_store=MemoryStore())                          # tests
    SerialExecutor(data_store=FileStore("/mnt/shared/swf-payloads"))  # one machine / NFS
    store = OffloadingStore(S3Store("my-bucket", prefix="swf/", sse="aws:kms"),
                            compress=True, threshold=4096)           # tuned
    SWFExecutor(domain="shop", client=swf, data_store=store)

Objects are keyed ``domain/workflow_id/run_id/<random or sha256>``; remove a closed run's
objects with :func:`delete_payloads` and give S3 prefixes a lifecycle rule
(:meth:`S3Store.lifecycle_rule`).

Inside: ``_references`` (what travels inside SWF), ``_stores`` and ``_s3`` (where bytes
live), ``_cache`` (replay must not re-download) and ``_offload`` (the adapter the payload
layer calls).
"""

from __future__ import annotations

from ...exceptions import (
    CorruptPayloadError,
    DataStoreError,
    PayloadNotFoundError,
    PayloadTooLargeForStoreError,
)
from ._cache import DEFAULT_CACHE, PayloadCache
from ._offload import OffloadingStore, delete_payloads, payload_prefix
from ._references import Reference
from ._s3 import S3Store
from ._stores import DataStore, FileStore, MemoryStore

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
