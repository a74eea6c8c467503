"""``OffloadingStore``: the adapter between the payload layer and a :class:`DataStore`.

``Payloads`` calls :meth:`OffloadingStore.externalize` with every encoded payload and
:meth:`OffloadingStore.internalize` with every payload it decodes. Payloads that fit stay
inline (optionally gzip-compressed first, so many more fit); the rest are written to the store
under ``domain/workflow_id/run_id/...`` and replaced by a small reference carrying the store,
key, size and sha256. Reading verifies size and hash, and keeps what it fetched in a bounded
per-process cache so that replaying a history does not download its payloads again.

The decider calls :meth:`OffloadingStore.prefetch_events` before it applies a decision task's
events, so a store that is down fails the decision task (SWF hands it out again) instead of
surfacing inside workflow code, where it would fail the workflow.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ...exceptions import (
    CorruptPayloadError,
    DataStoreError,
    PayloadNotFoundError,
    PayloadTooLargeForStoreError,
)
from ...swf.limits import MAX_DATA
from .._framework_io import framework_io
from ._cache import DEFAULT_CACHE, PayloadCache
from ._references import (
    MAX_INLINE_EXPANDED,
    MAX_STORED_SIZE,
    Reference,
    decode_bytes,
    encode_bytes,
    inline_envelope,
    is_envelope,
    parse_envelope,
    sha256_hex,
)
from ._stores import DataStore

__all__ = [
    "OffloadingStore",
    "as_payload_store",
    "delete_payloads",
    "expansion_limit",
    "payload_prefix",
]

SWF_LIMIT = MAX_DATA
"""The largest payload SWF takes inline (and the cap of ``threshold``)."""
_WRITTEN_MEMORY = 10_000
_DECODED_BY_DECIDER = {
    "WorkflowExecutionStarted": ("input",),
    "WorkflowExecutionSignaled": ("input",),
    "MarkerRecorded": ("details",),
    "ActivityTaskCompleted": ("result",),
    "ActivityTaskFailed": ("details",),
    "ActivityTaskCanceled": ("details",),
    "ChildWorkflowExecutionCompleted": ("result",),
    "ChildWorkflowExecutionFailed": ("details",),
    "ChildWorkflowExecutionCanceled": ("details",),
}
"""Event payloads the decider reads (not, say, the inputs it gave to activities)."""
_SLUG = re.compile(r"[^a-z0-9]+")


def payload_prefix(domain: str, workflow_id: str = "", run_id: str = "") -> str:
    """The key prefix of a domain, a workflow id, or one run (``domain/workflow_id/run_id/``).

    A workflow's start input is written before SWF assigns the run id and lives under
    ``domain/workflow_id/_start/``.
    """
    if not domain:
        raise ValueError("payload_prefix needs a domain")
    parts = [domain]
    if workflow_id:
        parts.append(workflow_id)
        if run_id:
            parts.append(run_id)
    elif run_id:
        raise ValueError("a run id needs its workflow id")
    return "/".join(parts) + "/"


class OffloadingStore:
    """Sends payloads above ``threshold`` characters to ``data_store``; the payload-layer seam.

    ``threshold``: payloads longer than this go out of band (default, and cap: SWF's limit of
    32,768 characters). ``always``: every payload goes out of band (``null`` stays inline).
    ``compress``: gzip payloads above ``threshold`` first and send them inline if
    the compressed form fits; stored bytes are gzip-compressed too. ``dedupe``: name objects by
    their sha256 within a run, so identical content is uploaded once per run (the default names
    each object with 128 random bits). ``readers``: more stores whose references this process
    may read (payloads written by older configurations). ``cache``: fetched payloads (default:
    the shared per-process cache).

    >>> from swfobjects.storage import MemoryStore
    >>> store = OffloadingStore(MemoryStore(), domain="shop", threshold=10)
    >>> ref = store.externalize('"' + "x" * 20 + '"', "result", {"workflow_id": "w", "run_id": "r"})
    >>> store.internalize(ref, "result") == '"' + "x" * 20 + '"'
    True
    """

    def __init__(
        self,
        data_store: DataStore,
        *,
        domain: str = "",
        threshold: int | None = None,
        always: bool = False,
        compress: bool = False,
        compress_level: int = 6,
        dedupe: bool = False,
        readers: Iterable[DataStore] = (),
        cache: PayloadCache | None = None,
    ) -> None:
        if not isinstance(data_store, DataStore):
            raise TypeError(
                f"data_store must be a swfobjects.storage.DataStore, not {data_store!r}"
            )
        if threshold is not None and threshold < 0:
            raise ValueError("threshold must be >= 0")
        self.data_store = data_store
        self.domain = domain
        self.threshold = SWF_LIMIT if threshold is None else min(threshold, SWF_LIMIT)
        self.always = always
        self.compress = compress
        self.compress_level = compress_level
        self.dedupe = dedupe
        self.cache = DEFAULT_CACHE if cache is None else cache
        self.stores: dict[str, DataStore] = {data_store.reference: data_store}
        for reader in readers:
            self.stores.setdefault(reader.reference, reader)
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<OffloadingStore {self.data_store.reference} domain={self.domain!r}>"

    def bind(self, domain: str) -> OffloadingStore:
        """This adapter for ``domain`` (itself if it already names a domain)."""
        if self.domain:
            return self
        clone = object.__new__(OffloadingStore)
        clone.__dict__.update(self.__dict__)
        clone.domain = domain
        return clone

    # --- encoding ---------------------------------------------------------------------------

    def externalize(self, text: str, what: str, scope: Mapping[str, str]) -> str:
        """``text`` itself, a compressed inline envelope, or a reference to a stored copy."""
        if text == "null":
            return text
        fits = len(text) <= self.threshold and not self.always
        if fits and not is_envelope(text):
            return text
        if (
            self.compress
            and not self.always
            and self.threshold < len(text) <= MAX_INLINE_EXPANDED
            and len(text.encode("utf-8")) <= MAX_INLINE_EXPANDED  # what readers expand to
        ):
            packed = inline_envelope(text, compress=True, level=self.compress_level)
            if len(packed) <= self.threshold:
                return packed
        if fits:
            escaped = inline_envelope(text, compress=False)
            if len(escaped) <= self.threshold:
                return escaped
        return self._store(text, what, scope)

    def _store(self, text: str, what: str, scope: Mapping[str, str]) -> str:
        data, encoding = encode_bytes(text, self.compress, self.compress_level)
        store = self.data_store
        execution = self._execution(scope)
        limit = store.max_size
        # readers expand gzip only up to the store's limit: the text must fit it too
        size = len(text.encode("utf-8")) if encoding == "gzip" else len(data)
        if size > expansion_limit(store):
            raise PayloadTooLargeForStoreError(
                f"{what} is {size:,} bytes, over the {expansion_limit(store):,}-byte limit of "
                f"{store.reference}; pass a reference to your own storage instead of the "
                "value, or split it",
                store=store.reference,
                execution=execution,
            )
        if limit is not None and len(data) > limit:
            raise PayloadTooLargeForStoreError(
                f"{what} is {len(data):,} bytes{' compressed' if self.compress else ''}, over "
                f"the {limit:,}-byte limit of {store.reference}; pass a reference to your own "
                "storage instead of the value, or split it",
                store=store.reference,
                execution=execution,
            )
        digest = sha256_hex(data)
        key = self._key(scope, what, digest)
        if not (self.dedupe and self._already_written(key)):
            try:
                with framework_io():
                    store.put(key, data)
            except DataStoreError as exc:
                raise type(exc)(
                    f"storing {what} of execution {execution} out of band failed: {exc}",
                    store=store.reference,
                    key=key,
                    execution=execution,
                ) from exc
            if self.dedupe:
                with self._lock:
                    if len(self._written) >= _WRITTEN_MEMORY:
                        self._written.clear()
                    self._written.add(key)
        self.cache.put((store.reference, key, digest), text)
        return Reference(store.reference, key, len(data), digest, encoding).to_text()

    def _already_written(self, key: str) -> bool:
        with self._lock:
            if key in self._written:
                return True
        try:
            with framework_io():
                return self.data_store.exists(key)
        except DataStoreError:
            return False

    def _key(self, scope: Mapping[str, str], what: str, digest: str) -> str:
        domain = scope.get("domain") or self.domain or "_"
        workflow_id = scope.get("workflow_id") or "_"
        run_id = scope.get("run_id") or ("_start" if scope.get("workflow_id") else "_")
        if self.dedupe:
            leaf = "sha256-" + digest
        else:
            slug = _SLUG.sub("-", what.lower()).strip("-")[:40].rstrip("-") or "payload"
            with framework_io():
                token = secrets.token_hex(16)
            leaf = f"{slug}-{token}"
        return f"{domain}/{workflow_id}/{run_id}/{leaf}"

    def _execution(self, scope: Mapping[str, str]) -> str:
        domain = scope.get("domain") or self.domain or "?"
        return f"{domain}/{scope.get('workflow_id') or '?'}/{scope.get('run_id') or '?'}"

    # --- decoding ---------------------------------------------------------------------------

    def internalize(self, text: str, what: str) -> str:
        """The payload text for ``text``, fetching and verifying it if it is a reference."""
        if not is_envelope(text):
            return text
        parsed = parse_envelope(text)
        if isinstance(parsed, str):
            return parsed
        return self._fetch(parsed, what)

    def _fetch(self, ref: Reference, what: str) -> str:
        cache_key = (ref.store, ref.key, ref.sha256)
        cached = self.cache.get(cache_key)
        if cached is not None:
            return cached
        execution = _execution_of(ref.key)
        store = self.stores.get(ref.store) or DECLARED_STORES.get(ref.store)
        if store is None:
            raise DataStoreError(
                f"{what} was written to {ref.store}, but this process is configured with "
                f"{self.data_store.reference}; configure the same store (or pass "
                "readers=[...]) in every decider and worker",
                store=ref.store,
                key=ref.key,
                execution=execution,
            )
        limit = expansion_limit(store)
        if ref.size > limit:
            raise CorruptPayloadError(
                f"{what} of execution {execution}: its reference gives {ref.size:,} bytes, over "
                f"the {limit:,}-byte limit of {ref.store}; no writer stored it there",
                store=ref.store,
                key=ref.key,
                execution=execution,
            )
        try:
            with framework_io():
                data = store.get(ref.key)
        except PayloadNotFoundError as exc:
            raise PayloadNotFoundError(
                f"{what} of execution {execution} is missing from {ref.store} (key "
                f"{ref.key!r}): it was deleted (delete_payloads, a lifecycle rule) or written "
                "to another store",
                store=ref.store,
                key=ref.key,
                execution=execution,
            ) from exc
        except DataStoreError as exc:
            raise DataStoreError(
                f"fetching {what} of execution {execution} failed: {exc}",
                store=ref.store,
                key=ref.key,
                execution=execution,
            ) from exc
        ref.verify(data, execution)
        text = decode_bytes(data, ref.encoding, limit)
        self.cache.put(cache_key, text)
        return text

    def prefetch_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Fetch (into the cache) every out-of-band payload the events refer to.

        Raises the store's error, so a decider that cannot read a payload fails its decision
        task rather than handing the error to workflow code.
        """
        for event in events:
            event_type = str(event.get("eventType", ""))
            fields = _DECODED_BY_DECIDER.get(event_type)
            if not fields:
                continue
            attributes = event.get(event_type[:1].lower() + event_type[1:] + "EventAttributes")
            if not isinstance(attributes, Mapping):
                continue
            for name in fields:
                value = attributes.get(name)
                if isinstance(value, str) and is_envelope(value):
                    what = f"{name} of history event {event.get('eventId')} ({event_type})"
                    self.internalize(value, what)

    # --- cleanup ----------------------------------------------------------------------------

    def delete_payloads(self, workflow_id: str, run_id: str = "") -> int:
        """Delete the payloads written for a run (see :func:`delete_payloads`)."""
        return delete_payloads(self.data_store, self.domain, workflow_id, run_id)


def delete_payloads(
    store: DataStore | OffloadingStore, domain: str, workflow_id: str, run_id: str = ""
) -> int:
    """Delete what was stored out of band for a run, or for every run of ``workflow_id``.

    With ``run_id``: the objects the run wrote (its results, activity inputs and results, and
    the inputs it gave to child workflows and to its continue-as-new successor; delete those
    once they have closed too). Without: every run of the workflow id, including start inputs
    (``_start/``). Returns the number of objects deleted. Only closed executions should be
    cleaned up: an open one fails its next decision task on the missing payload.

    >>> store = MemoryStore(); store.put("shop/order-1/run1/x", b"1")   # doctest: +SKIP
    >>> delete_payloads(store, "shop", "order-1", "run1")               # doctest: +SKIP
    1
    """
    if not workflow_id:
        raise ValueError("delete_payloads needs a workflow id")
    data_store = store.data_store if isinstance(store, OffloadingStore) else store
    prefix = payload_prefix(domain, workflow_id, run_id)
    return data_store.delete_many(list(data_store.keys(prefix)))


DECLARED_STORES: dict[str, DataStore] = {}
"""Data stores named by classes and decorators (``data_store=...``), by reference: any adapter
can read payloads they hold, so a decider needs no extra configuration for them."""


def declare_store(data_store: Any) -> Any:
    """The payload-layer adapter for a store declared on a class or method (domain unbound)."""
    adapter = as_payload_store(data_store, "")
    if isinstance(adapter, OffloadingStore):
        for reference, store in adapter.stores.items():
            DECLARED_STORES.setdefault(reference, store)
    return adapter


def as_payload_store(data_store: Any, domain: str) -> Any:
    """What an executor's ``data_store=`` argument means for its payload layer.

    A :class:`DataStore` is wrapped in an :class:`OffloadingStore` for ``domain``; an adapter
    is bound to ``domain`` unless it names one; any other object with ``externalize`` and
    ``internalize`` is used as it is.
    """
    if data_store is None:
        return None
    if isinstance(data_store, OffloadingStore):
        return data_store.bind(domain)
    if isinstance(data_store, DataStore):
        return OffloadingStore(data_store, domain=domain)
    if hasattr(data_store, "externalize") and hasattr(data_store, "internalize"):
        return data_store
    raise TypeError(
        f"data_store must be a swfobjects.storage.DataStore (S3Store, FileStore, MemoryStore) or "
        f"an OffloadingStore, not {data_store!r}"
    )


def expansion_limit(store: DataStore) -> int:
    """The most bytes one object of ``store`` may hold, stored or once decompressed."""
    limit = store.max_size
    return MAX_STORED_SIZE if limit is None else min(limit, MAX_STORED_SIZE)


def _execution_of(key: str) -> str:
    parts = key.split("/")
    return "/".join(parts[:3]) if len(parts) == 4 else "?"
