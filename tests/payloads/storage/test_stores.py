"""DataStore contract: MemoryStore, FileStore (temporary directory) and S3Store (moto over HTTP)."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from swfobjects.storage import (
    DataStore,
    DataStoreError,
    FileStore,
    MemoryStore,
    PayloadNotFoundError,
    S3Store,
)
from tests.helpers.net import free_port


@pytest.fixture
def s3_endpoint(moto_endpoint: str) -> str:
    """moto's S3 over real HTTP on 127.0.0.1 (the session's moto server; buckets per test)."""
    return moto_endpoint


def s3_client(endpoint: str, **config: object) -> object:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**config) if config else None,  # type: ignore[arg-type]
    )


@pytest.fixture
def s3_bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> tuple[object, str]:
    client = s3_client(s3_endpoint)
    bucket = "b-" + request.node.name.lower().replace("_", "-").replace("[", "-")[:40].strip("-]")
    bucket = "".join(c if c.isalnum() or c == "-" else "-" for c in bucket)
    client.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    return client, bucket


@pytest.fixture(params=["memory", "file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: object) -> DataStore:
    if request.param == "memory":
        return MemoryStore()
    if request.param == "file":
        return FileStore(tmp_path)  # type: ignore[arg-type]
    client, bucket = request.getfixturevalue("s3_bucket")
    return S3Store(bucket, prefix="swf/", client=client)


def test_put_get_delete_round_trip(store: DataStore) -> None:
    data = bytes(range(256)) * 1000
    store.put("dom/wf-1/run-1/a", data)
    assert store.get("dom/wf-1/run-1/a") == data
    assert store.exists("dom/wf-1/run-1/a")
    store.delete("dom/wf-1/run-1/a")
    assert not store.exists("dom/wf-1/run-1/a")
    store.delete("dom/wf-1/run-1/a")  # already gone: no error


def test_put_replaces(store: DataStore) -> None:
    store.put("d/w/r/k", b"first")
    store.put("d/w/r/k", b"second")
    assert store.get("d/w/r/k") == b"second"


def test_missing_key_raises_not_found_naming_store_and_key(store: DataStore) -> None:
    with pytest.raises(PayloadNotFoundError) as info:
        store.get("d/w/r/missing")
    assert info.value.key == "d/w/r/missing"
    assert info.value.store == store.reference
    assert "missing" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_keys_by_prefix_and_delete_many(store: DataStore) -> None:
    for key in ["d/w1/r1/a", "d/w1/r1/b", "d/w1/r2/a", "d/w10/r1/a", "e/w1/r1/a"]:
        store.put(key, key.encode())
    assert sorted(store.keys("d/w1/")) == ["d/w1/r1/a", "d/w1/r1/b", "d/w1/r2/a"]
    assert sorted(store.keys("d/w1/r1/")) == ["d/w1/r1/a", "d/w1/r1/b"]
    assert store.delete_many(store.keys("d/w1/r1/")) == 2
    assert sorted(store.keys("d/")) == ["d/w1/r2/a", "d/w10/r1/a"]
    assert store.get("e/w1/r1/a") == b"e/w1/r1/a"


def test_unusual_workflow_ids_are_stored_verbatim(store: DataStore) -> None:
    key = "dom/.. order #42 ü%20/run=1/x"
    store.put(key, b"v")
    assert store.get(key) == b"v"
    assert list(store.keys("dom/")) == [key]


def test_empty_object_is_returned_as_empty_bytes(store: DataStore) -> None:
    store.put("d/w/r/empty", b"")
    assert store.get("d/w/r/empty") == b""


# --- FileStore ----------------------------------------------------------------------------


def test_file_store_cannot_escape_its_directory(tmp_path: object) -> None:
    root = tmp_path / "store"  # type: ignore[operator]
    store = FileStore(root)
    store.put("../w/../r/k", b"x")
    assert store.get("../w/../r/k") == b"x"
    outside = [p for p in root.parent.rglob("*") if p.is_file() and root not in p.parents]
    assert outside == []
    with pytest.raises(ValueError):
        store.put("d//k", b"x")


def test_file_store_reference_and_name_override(tmp_path: object) -> None:
    assert FileStore(tmp_path).reference.startswith("file://")  # type: ignore[arg-type]
    assert FileStore(tmp_path, name="efs:payloads").reference == "efs:payloads"  # type: ignore[arg-type]


def test_file_store_read_error_is_wrapped(tmp_path: object) -> None:
    store = FileStore(tmp_path)  # type: ignore[arg-type]
    store.put("d/w/r/k", b"x")
    (tmp_path / "d" / "w" / "r" / "k").unlink()  # type: ignore[operator]
    (tmp_path / "d" / "w" / "r" / "k").mkdir()  # type: ignore[operator]
    with pytest.raises(DataStoreError) as info:
        store.get("d/w/r/k")
    assert not isinstance(info.value, PayloadNotFoundError)
    assert isinstance(info.value.__cause__, OSError)
    assert "d/w/r/k" in str(info.value)


def test_memory_stores_have_distinct_references() -> None:
    assert MemoryStore().reference != MemoryStore().reference


# --- S3Store ------------------------------------------------------------------------------


def test_s3_objects_live_under_the_prefix(s3_bucket: tuple[object, str]) -> None:
    client, bucket = s3_bucket
    store = S3Store(bucket, prefix="swf/", client=client)
    store.put("d/w/r/k", b"payload")
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]  # type: ignore[attr-defined]
    assert [o["Key"] for o in listed] == ["swf/d/w/r/k"]
    assert store.reference == f"s3://{bucket}/swf/"


def test_s3_server_side_encryption_is_requested(s3_bucket: tuple[object, str]) -> None:
    client, bucket = s3_bucket
    S3Store(bucket, client=client, sse="AES256").put("d/w/r/k", b"secret")
    head = client.head_object(Bucket=bucket, Key="d/w/r/k")  # type: ignore[attr-defined]
    assert head["ServerSideEncryption"] == "AES256"
    kms = S3Store(bucket, client=client, kms_key_id="alias/payloads")
    assert kms.sse == "aws:kms"
    with pytest.raises(ValueError):
        S3Store(bucket, client=client, sse="AES256", kms_key_id="alias/payloads")


def test_s3_missing_bucket_is_a_store_error_with_cause(s3_endpoint: str) -> None:
    store = S3Store("no-such-bucket", client=s3_client(s3_endpoint))
    with pytest.raises(DataStoreError) as info:
        store.put("d/w/r/k", b"x")
    assert not isinstance(info.value, PayloadNotFoundError)
    assert "NoSuchBucket" in str(info.value)
    assert "s3://no-such-bucket/d/w/r/k" in str(info.value)
    assert info.value.__cause__ is not None


def test_s3_unreachable_endpoint_is_wrapped() -> None:
    client = s3_client(
        f"http://127.0.0.1:{free_port()}", retries={"max_attempts": 0}, connect_timeout=1
    )
    store = S3Store("bucket", client=client)
    with pytest.raises(DataStoreError) as info:
        store.get("d/w/r/k")
    assert not isinstance(info.value, PayloadNotFoundError)
    assert "GetObject" in str(info.value) and "d/w/r/k" in str(info.value)
    assert "EndpointConnectionError" in str(info.value)


def test_s3_delete_many_batches(
    s3_bucket: tuple[object, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from swfobjects.payloads.storage import _s3 as s3

    monkeypatch.setattr(s3, "_DELETE_BATCH", 3)
    client, bucket = s3_bucket
    store = S3Store(bucket, prefix="p/", client=client)
    for i in range(7):
        store.put(f"d/w/r/{i}", b"")
    store.put("d/w/other/x", b"")
    calls: list[int] = []
    original = store._delete_batch
    monkeypatch.setattr(
        store, "_delete_batch", lambda keys: calls.append(len(keys)) or original(keys)
    )
    assert store.delete_many(store.keys("d/w/r/")) == 7
    assert calls == [3, 3, 1]
    assert list(store.keys("d/")) == ["d/w/other/x"]


def test_s3_lifecycle_rule_is_accepted_by_s3(s3_bucket: tuple[object, str]) -> None:
    client, bucket = s3_bucket
    rule = S3Store(bucket, prefix="swf/", client=client).lifecycle_rule(days=40)
    client.put_bucket_lifecycle_configuration(  # type: ignore[attr-defined]
        Bucket=bucket, LifecycleConfiguration={"Rules": [rule]}
    )
    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]  # type: ignore[attr-defined]
    assert rules[0]["Expiration"] == {"Days": 40}
    assert rules[0]["Filter"] == {"Prefix": "swf/"}
    with pytest.raises(ValueError):
        S3Store(bucket, client=client).lifecycle_rule(days=0)


def test_file_store_refuses_symlinks_inside_its_directory(tmp_path: object) -> None:
    root = tmp_path / "store"  # type: ignore[operator]
    secret = tmp_path / "secret"  # type: ignore[operator]
    secret.write_bytes(b"not a payload")
    store = FileStore(root)
    store.put("d/w/r/k", b"x")
    (root / "d" / "w" / "r" / "link").symlink_to(secret)
    (root / "d" / "w" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    for key in ("d/w/r/link", "d/w/elsewhere/secret"):
        with pytest.raises(DataStoreError, match="symbolic link") as info:
            store.get(key)
        assert not isinstance(info.value, PayloadNotFoundError)
        with pytest.raises(DataStoreError, match="symbolic link"):
            store.exists(key)
        with pytest.raises(DataStoreError, match="symbolic link"):
            store.delete(key)
    with pytest.raises(DataStoreError, match="symbolic link"):
        store.put("d/w/elsewhere/new", b"x")
    assert not (tmp_path / "new").exists()  # type: ignore[operator]
    assert secret.read_bytes() == b"not a payload"
    assert list(store.keys("d/")) == ["d/w/r/k"]
    assert store.get("d/w/r/k") == b"x"
