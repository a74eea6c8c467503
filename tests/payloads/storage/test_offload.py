"""OffloadingStore: what goes out of band, how it is keyed, verified, cached and cleaned up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from swfobjects.exceptions import SerializationError
from swfobjects.payloads._codecs import codec_for
from swfobjects.payloads._payload import MAX_PAYLOAD, Payloads
from swfobjects.storage import (
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
    delete_payloads,
)

SCOPE = {"workflow_id": "order-42", "run_id": "run-1"}


class CountingStore(MemoryStore):
    """A MemoryStore that counts calls, to prove what was (not) fetched or uploaded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gets = 0
        self.puts = 0
        self.fail_with: Exception | None = None

    def get(self, key: str) -> bytes:
        self.gets += 1
        if self.fail_with is not None:
            raise self.fail_with
        return super().get(key)

    def put(self, key: str, data: bytes) -> None:
        self.puts += 1
        if self.fail_with is not None:
            raise self.fail_with
        super().put(key, data)


def adapter(store: DataStore | None = None, **kwargs: Any) -> OffloadingStore:
    kwargs.setdefault("cache", PayloadCache())
    return OffloadingStore(store or CountingStore(), domain="shop", **kwargs)


def big(chars: int = MAX_PAYLOAD + 1) -> str:
    return json.dumps("x" * (chars - 2))


def reader_of(offload: OffloadingStore) -> OffloadingStore:
    """Another process: same store, its own empty cache."""
    return OffloadingStore(offload.data_store, domain=offload.domain, cache=PayloadCache())


def test_payloads_that_fit_stay_inline() -> None:
    offload = adapter()
    text = big(MAX_PAYLOAD)
    assert offload.externalize(text, "result", SCOPE) is text
    assert offload.data_store.objects == {}  # type: ignore[attr-defined]


def test_payloads_over_the_limit_become_references_that_round_trip() -> None:
    offload = adapter()
    text = big()
    ref_text = offload.externalize(text, "result of activity charge (1)", SCOPE)
    ref = Reference.parse(ref_text)
    assert len(ref_text) < 400
    assert ref.store == offload.data_store.reference
    assert ref.key.startswith("shop/order-42/run-1/result-of-activity-charge-1-")
    assert ref.size == len(text.encode()) and ref.encoding == "identity"
    assert reader_of(offload).internalize(ref_text, "result") == text


def test_threshold_and_always() -> None:
    text = big(100)
    assert adapter(threshold=99).externalize(text, "x", SCOPE).startswith('{"$swfobjects":"ref"')
    assert adapter(threshold=100).externalize(text, "x", SCOPE) == text
    always = adapter(always=True)
    assert always.externalize('"a"', "x", SCOPE).startswith('{"$swfobjects":"ref"')
    assert always.externalize("null", "x", SCOPE) == "null"
    assert adapter(threshold=10**9).threshold == MAX_PAYLOAD


def test_compression_keeps_compressible_payloads_inline() -> None:
    offload = adapter(compress=True)
    text = json.dumps([{"sku": "ABC-123", "qty": 1}] * 10_000)
    assert len(text) > MAX_PAYLOAD
    packed = offload.externalize(text, "input", SCOPE)
    assert packed.startswith('{"$swfobjects":"inline"') and len(packed) <= MAX_PAYLOAD
    assert offload.data_store.objects == {}  # type: ignore[attr-defined]
    assert reader_of(offload).internalize(packed, "input") == text


def test_incompressible_payloads_are_stored_gzipped() -> None:
    import base64
    import os

    offload = adapter(compress=True)
    text = json.dumps(base64.b64encode(os.urandom(60_000)).decode())
    ref = Reference.parse(offload.externalize(text, "input", SCOPE))
    assert ref.encoding == "gzip"
    assert reader_of(offload).internalize(ref.to_text(), "input") == text


def test_ordinary_payloads_that_look_like_envelopes_are_escaped() -> None:
    offload = adapter()
    text = json.dumps({"$swfobjects": "ref", "key": "user data"})
    sent = offload.externalize(text, "result", SCOPE)
    assert sent != text
    assert offload.internalize(sent, "result") == text
    payloads = Payloads(store=offload)
    value = {"$swfobjects": "ref", "key": "user data"}
    assert (
        payloads.decode(payloads.encode(value, codec_for(dict), "r", SCOPE), codec_for(dict), "r")
        == value
    )


def test_keys_are_scoped_random_and_never_collide() -> None:
    offload = adapter()
    text = big()
    keys = {
        Reference.parse(offload.externalize(text, "result", scope)).key
        for scope in [SCOPE, SCOPE, {"workflow_id": "order-42", "run_id": "run-2"}]
    }
    assert len(keys) == 3
    start = Reference.parse(offload.externalize(text, "input", {"workflow_id": "w", "run_id": ""}))
    assert start.key.startswith("shop/w/_start/")
    leaf = next(iter(keys)).rsplit("-", 1)[1]
    assert len(leaf) == 32  # 128 random bits


def test_scope_domain_overrides_the_adapter_domain() -> None:
    offload = adapter()
    ref = Reference.parse(offload.externalize(big(), "r", dict(SCOPE, domain="other")))
    assert ref.key.startswith("other/order-42/run-1/")


def test_dedupe_uploads_identical_content_once_per_run() -> None:
    store = CountingStore()
    offload = adapter(store, dedupe=True)
    text = big()
    first = offload.externalize(text, "input", SCOPE)
    second = offload.externalize(text, "result", SCOPE)
    assert first == second and store.puts == 1
    assert Reference.parse(first).key.endswith("/sha256-" + Reference.parse(first).sha256)
    # another process (fresh adapter) asks the store before uploading
    assert adapter(store, dedupe=True).externalize(text, "input", SCOPE) == first
    assert store.puts == 1
    offload.externalize(text, "input", dict(SCOPE, run_id="run-2"))
    assert store.puts == 2


def test_fetched_payloads_are_cached_so_replay_does_not_download_again() -> None:
    store = CountingStore()
    ref = adapter(store).externalize(big(), "result", SCOPE)
    reader = reader_of(adapter(store))
    for _ in range(5):
        reader.internalize(ref, "result")
    assert store.gets == 1
    assert reader.cache.hits == 4


def test_writer_process_does_not_download_what_it_wrote() -> None:
    store = CountingStore()
    offload = adapter(store)
    ref = offload.externalize(big(), "result", SCOPE)
    offload.internalize(ref, "result")
    assert store.gets == 0


def test_missing_payload_names_store_key_and_execution() -> None:
    offload = adapter()
    ref = Reference.parse(offload.externalize(big(), "result", SCOPE))
    offload.data_store.delete(ref.key)
    with pytest.raises(PayloadNotFoundError) as info:
        reader_of(offload).internalize(ref.to_text(), "result of activity charge (1)")
    error = info.value
    assert error.store == ref.store and error.key == ref.key
    assert error.execution == "shop/order-42/run-1"
    for part in (ref.store, ref.key, "shop/order-42/run-1", "result of activity charge (1)"):
        assert part in str(error)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_altered_payloads_are_corrupt(damage: str) -> None:
    offload = adapter()
    ref = Reference.parse(offload.externalize(big(), "result", SCOPE))
    data = offload.data_store.get(ref.key)
    data = data[:-1] if damage == "truncate" else data[:-2] + b"y" + data[-1:]
    offload.data_store.put(ref.key, data)
    with pytest.raises(CorruptPayloadError) as info:
        reader_of(offload).internalize(ref.to_text(), "result")
    assert info.value.key == ref.key


def test_store_failures_are_wrapped_with_what_and_execution() -> None:
    store = CountingStore()
    offload = adapter(store)
    ref = offload.externalize(big(), "result", SCOPE)
    store.fail_with = DataStoreError("S3 GetObject of s3://b/k failed (AccessDenied)")
    with pytest.raises(DataStoreError) as info:
        reader_of(offload).internalize(ref, "result of activity charge (1)")
    message = str(info.value)
    assert "AccessDenied" in message and "result of activity charge (1)" in message
    assert "shop/order-42/run-1" in message
    assert isinstance(info.value.__cause__, DataStoreError)
    with pytest.raises(DataStoreError, match="storing input of workflow W"):
        offload.externalize(big(), "input of workflow W", SCOPE)


def test_payload_too_large_for_the_store() -> None:
    offload = adapter(CountingStore(max_size=50_000))
    offload.externalize(big(40_000), "r", SCOPE)
    with pytest.raises(PayloadTooLargeForStoreError, match="50,000-byte limit"):
        offload.externalize(big(60_000), "result of activity x", SCOPE)


def test_references_to_another_store_need_readers() -> None:
    old, new = MemoryStore(), MemoryStore()
    ref = adapter(old).externalize(big(), "result", SCOPE)
    with pytest.raises(DataStoreError, match="readers="):
        adapter(new).internalize(ref, "result")
    assert adapter(new, readers=[old]).internalize(ref, "result") == big()


def test_payloads_integration_megabytes_round_trip_and_size_check_after_offload() -> None:
    payloads = Payloads(store=adapter())
    value = {"blob": "é" * 2_000_000}
    text = payloads.encode(value, codec_for(dict), "result", SCOPE)
    assert len(text) < 400
    assert (
        Payloads(store=reader_of(payloads.store)).decode(text, codec_for(dict), "result") == value
    )  # type: ignore[arg-type]


def test_a_reference_is_never_decoded_without_a_store() -> None:
    text = adapter().externalize(big(), "result", SCOPE)
    with pytest.raises(SerializationError, match="out of band"):
        Payloads().decode(text, codec_for(dict), "result")


def test_prefetch_reads_the_payloads_the_decider_decodes_and_raises_on_failure() -> None:
    store = CountingStore()
    offload = adapter(store, always=True)
    ref = offload.externalize('"v"', "result", SCOPE)
    reader = reader_of(offload)
    events = [
        {"eventId": 5, "eventType": "ActivityTaskScheduled",
         "activityTaskScheduledEventAttributes": {"input": ref}},
        {"eventId": 7, "eventType": "ActivityTaskCompleted",
         "activityTaskCompletedEventAttributes": {"result": ref}},
    ]  # fmt: skip
    reader.prefetch_events(events[:1])
    assert store.gets == 0  # the decider never decodes what it sent to activities
    reader.prefetch_events(events)
    assert store.gets == 1
    store.delete(Reference.parse(ref).key)
    with pytest.raises(PayloadNotFoundError, match="history event 7"):
        reader_of(offload).prefetch_events(events)


def test_delete_payloads_by_run_and_by_workflow(tmp_path: Any) -> None:
    offload = adapter(FileStore(tmp_path))
    refs = {
        name: Reference.parse(offload.externalize(big(), "r", scope)).key
        for name, scope in {
            "start": {"workflow_id": "order-42", "run_id": ""},
            "run1": SCOPE,
            "run2": dict(SCOPE, run_id="run-2"),
            "other": {"workflow_id": "order-420", "run_id": "run-1"},
        }.items()
    }
    assert offload.delete_payloads("order-42", "run-1") == 1
    remaining = set(offload.data_store.keys())
    assert remaining == {refs["start"], refs["run2"], refs["other"]}
    assert delete_payloads(offload.data_store, "shop", "order-42") == 2
    assert set(offload.data_store.keys()) == {refs["other"]}
    with pytest.raises(ValueError):
        delete_payloads(offload, "shop", "")


def test_executor_argument_conversion() -> None:
    from swfobjects.payloads.storage._offload import as_payload_store

    store = MemoryStore()
    wrapped = as_payload_store(store, "shop")
    assert isinstance(wrapped, OffloadingStore) and wrapped.domain == "shop"
    unbound = OffloadingStore(store, compress=True)
    bound = as_payload_store(unbound, "shop")
    assert bound.domain == "shop" and bound.compress and unbound.domain == ""
    named = OffloadingStore(store, domain="mine")
    assert as_payload_store(named, "shop") is named
    assert as_payload_store(None, "shop") is None
    with pytest.raises(TypeError):
        as_payload_store(object(), "shop")
    with pytest.raises(TypeError):
        OffloadingStore(object())  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_shared_cache_leaks() -> Iterator[None]:
    from swfobjects.storage import DEFAULT_CACHE

    size = DEFAULT_CACHE.size
    yield
    assert DEFAULT_CACHE.size == size  # every test here uses private caches


def test_a_reference_over_the_stores_limit_is_refused_before_fetching() -> None:
    store = CountingStore(max_size=1_000)
    ref = Reference(store.reference, "shop/w/r/k", 2_000, "a" * 64).to_text()
    with pytest.raises(CorruptPayloadError, match="over the 1,000-byte limit"):
        adapter(store).internalize(ref, "result")
    assert store.gets == 0


def test_stored_gzip_expands_only_to_the_stores_limit() -> None:
    import gzip
    import hashlib

    store = CountingStore(max_size=10_000)
    bomb = gzip.compress(b"0" * 1_000_000, mtime=0)
    store.put("shop/w/r/bomb", bomb)
    ref = Reference(
        store.reference, "shop/w/r/bomb", len(bomb), hashlib.sha256(bomb).hexdigest(), "gzip"
    )
    with pytest.raises(CorruptPayloadError, match="beyond the limit of 10,000"):
        adapter(store).internalize(ref.to_text(), "result")
    with pytest.raises(PayloadTooLargeForStoreError, match="10,000-byte limit"):
        adapter(store, compress=True, threshold=10).externalize(
            json.dumps("0" * 20_000), "result", SCOPE
        )


def test_compressed_payloads_are_inlined_only_up_to_what_readers_expand() -> None:
    from swfobjects.payloads.storage._references import MAX_INLINE_EXPANDED

    offload = adapter(compress=True)
    huge = json.dumps("0" * MAX_INLINE_EXPANDED)
    sent = offload.externalize(huge, "input", SCOPE)
    assert sent.startswith('{"$swfobjects":"ref"')
    assert reader_of(offload).internalize(sent, "input") == huge


def test_forged_file_store_keys_are_corrupt_references(tmp_path: object) -> None:
    store = FileStore(tmp_path)  # type: ignore[arg-type]
    for key in ("a//b", "/etc/passwd", "shop/../../x"):
        text = json.dumps(
            {
                "$swfobjects": "ref",
                "v": 1,
                "store": store.reference,
                "key": key,
                "size": 1,
                "sha256": "a" * 64,
                "encoding": "identity",
            }
        )
        with pytest.raises(CorruptPayloadError, match="key must be segments"):
            adapter(store).internalize(text, "result")
