"""Megabyte payloads through a whole workflow, with an out-of-band data store.

The ``executor`` fixture here pairs an executor with a data store (MemoryStore, FileStore in a
temporary directory, S3Store against moto's S3 over HTTP); the SWF-executor variants plug in
the same way (``data_store=`` on the executor).
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
    nondeterministic,
    signal,
)
from swfobjects.payloads._payload import MAX_PAYLOAD, Payloads
from swfobjects.replay import Decider
from swfobjects.storage import (
    DataStore,
    DataStoreError,
    FileStore,
    MemoryStore,
    OffloadingStore,
    PayloadCache,
    Reference,
    S3Store,
    delete_payloads,
    payload_prefix,
)

pytestmark = pytest.mark.e2e

MB = 1024 * 1024


def blob(size: int, seed: int = 1) -> str:
    """``size`` characters of incompressible-looking hex."""
    return random.Random(seed).randbytes(size // 2).hex()


class BigDetailsError(Exception):
    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


class BlobWorker(ActivityWorker, task_list="large-payload-blobs"):
    @activity_task
    def reverse(self, data: str) -> str:
        return data[::-1]

    @activity_task
    def digest(self, data: str) -> str:
        return hashlib.sha256(data.encode()).hexdigest()

    @activity_task
    def fail_with_details(self, size: int) -> None:
        raise BigDetailsError("too big to report inline", blob(size, seed=7))


class PassBlob(Workflow, task_list="large-payload-flow"):
    blobs = BlobWorker.client()

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(self, data: str, details_size: int) -> dict[str, str]:
        once = await self.blobs.reverse(data)
        twice = await self.blobs.reverse(once)
        try:
            await self.blobs.fail_with_details(details_size)
            details = ""
        except ActivityTaskError as error:
            details = error.details
        return {"data": twice, "details_sha": hashlib.sha256(details.encode()).hexdigest()}


class ChildBlob(Workflow, task_list="large-payload-child"):
    blobs = BlobWorker.client()

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(self, data: str) -> str:
        return await self.blobs.reverse(data)


class EveryKind(Workflow, task_list="large-payload-kinds"):
    """A large value as child input/result, signal input, marker and continue-as-new input."""

    child = ChildBlob.client()

    def __init__(self) -> None:
        self.signalled = ""

    @signal
    def deliver(self, data: str) -> None:
        self.signalled = data

    @nondeterministic
    def big_marker(self, size: int) -> str:
        return blob(size, seed=3)

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(self, data: str, rounds: int) -> list[str]:
        if rounds > 0:
            self.continue_as_new(data[::-1], rounds - 1)
        await self.wait_for(lambda: bool(self.signalled))
        from_child = await self.child.run(data)
        marker = self.big_marker(len(data))
        await self.timer(1)  # forces a replay of everything above
        digest = hashlib.sha256
        return [digest(v.encode()).hexdigest() for v in (from_child, self.signalled, marker)]


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_client(moto_endpoint: str) -> Any:
    """An S3 client of the session's moto server, with the bucket ``payloads``."""
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="payloads")
    return client


@dataclass
class Setup:
    executor: Any
    store: DataStore
    domain: str


@pytest.fixture(
    params=[
        "serial-memory",
        "serial-file",
        "serial-s3",
        pytest.param("swf-local-s3", marks=pytest.mark.slow),
    ]
)
def executor(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Setup]:
    """An executor whose default data store is the parametrized store."""
    kind = request.param.rsplit("-", 1)[1]
    if kind == "memory":
        store: DataStore = MemoryStore()
    elif kind == "file":
        store = FileStore(tmp_path / "payloads")
    else:
        prefix = f"{request.node.name}/"
        store = S3Store("payloads", prefix=prefix, client=request.getfixturevalue("s3_client"))
    if request.param.startswith("serial"):
        domain = "large-payloads"
        yield Setup(SerialExecutor(data_store=store, domain=domain), store, domain)
        return
    swf = pytest.importorskip("swfobjects.client._swf_executor")
    service = request.getfixturevalue("local_swf")
    domain = f"large-{uuid.uuid4().hex[:8]}"
    adapter = OffloadingStore(store, domain=domain)
    executor = swf.SWFExecutor(
        domain, client=service.client(), data_store=adapter, poll_interval=0.1
    )
    workflows = (PassBlob, EveryKind, ChildBlob)
    executor.register(*workflows, BlobWorker)
    with executor.running(*workflows, BlobWorker(), decision_threads=2, activity_threads=2):
        yield Setup(executor, store, domain)


# --- tests --------------------------------------------------------------------------------


def test_five_megabytes_through_two_activities(executor: Setup) -> None:
    data = blob(5 * MB)
    handle = executor.executor.start(PassBlob, data, 100_000, workflow_id="blob-1")
    result = handle.result()
    assert result["data"] == data
    assert result["details_sha"] == hashlib.sha256(blob(100_000, seed=7).encode()).hexdigest()

    payload_fields = [
        value
        for event in handle.history()
        for key, attrs in event.items()
        if key.endswith("EventAttributes")
        for name, value in attrs.items()
        if name in ("input", "result", "details")
    ]
    assert max(len(value) for value in payload_fields) <= MAX_PAYLOAD
    refs = [Reference.parse(v) for v in payload_fields if v.startswith('{"$swfobjects":"ref"')]
    # workflow input, 2 x (activity input + result), failure details, workflow result
    assert len({ref.key for ref in refs}) == 7

    store, domain = executor.store, executor.domain
    run_prefix = payload_prefix(domain, "blob-1", handle.run_id)
    start_prefix = payload_prefix(domain, "blob-1") + "_start/"
    keys = set(store.keys(payload_prefix(domain)))
    assert keys == {ref.key for ref in refs}
    assert len([k for k in keys if k.startswith(start_prefix)]) == 1
    assert len([k for k in keys if k.startswith(run_prefix)]) == 6
    for ref in refs:
        ref.verify(store.get(ref.key))
    assert sum(ref.size for ref in {r.key: r for r in refs}.values()) > 6 * 5 * MB

    assert delete_payloads(store, domain, "blob-1", handle.run_id) == 6
    assert set(store.keys(payload_prefix(domain))) == {
        k for k in keys if k.startswith(start_prefix)
    }
    assert delete_payloads(store, domain, "blob-1") == 1
    assert list(store.keys(payload_prefix(domain))) == []


def test_child_signal_marker_and_continue_as_new_payloads(executor: Setup) -> None:
    data = blob(MB)
    first_run = executor.executor.start(EveryKind, data, 1, workflow_id="kinds-1").run_id
    if isinstance(executor.executor, SerialExecutor):
        executor.executor.run_until_idle()
    deadline = time.monotonic() + 30
    while (handle := executor.executor.get_handle("kinds-1")).run_id == first_run:
        assert time.monotonic() < deadline, "the run did not continue as new"
        time.sleep(0.05)
    handle.signal("deliver", data=blob(MB, seed=2))
    digests = handle.result()
    digest = hashlib.sha256
    assert digests == [
        digest(data.encode()).hexdigest(),  # reversed by continue-as-new, then by the child
        digest(blob(MB, seed=2).encode()).hexdigest(),
        digest(blob(MB, seed=3).encode()).hexdigest(),
    ]
    assert handle.run_id != first_run
    history = handle.history()
    kinds = {
        event["eventType"]
        for event in history
        for key, attrs in event.items()
        if key.endswith("EventAttributes")
        for name in ("input", "result", "details")
        if str(attrs.get(name, "")).startswith('{"$swfobjects":"ref"')
    }
    assert {
        "WorkflowExecutionStarted",
        "WorkflowExecutionSignaled",
        "MarkerRecorded",
        "StartChildWorkflowExecutionInitiated",
        "ChildWorkflowExecutionCompleted",
    } <= kinds


def test_replaying_the_history_does_not_download_again(executor: Setup) -> None:
    handle = executor.executor.start(PassBlob, blob(100_000), 10, workflow_id="blob-replay")
    handle.result()
    history = handle.history()
    gets: list[str] = []
    store = executor.store
    original = store.get

    def counting_get(key: str) -> bytes:
        gets.append(key)
        return original(key)

    store.get = counting_get  # type: ignore[method-assign]
    reader = OffloadingStore(store, domain=executor.domain, cache=PayloadCache())
    workflow = PassBlob.workflow_type()
    for _ in range(3):  # three deciders with no replay state: full replays
        decider = Decider(workflow, Payloads(store=reader), "blob-replay", handle.run_id)
        decider.feed(history)
    # the decider decodes the workflow input and the two activity results, once each
    assert len(gets) == 3 and len(set(gets)) == 3


def test_a_store_failure_fails_the_decision_task_not_the_workflow(executor: Setup) -> None:
    if not isinstance(executor.executor, SerialExecutor):
        pytest.skip("drives a SerialExecutor of its own over the store: the serial variants")
    store = executor.store
    failing = {"on": False}
    original = store.get

    def flaky_get(key: str) -> bytes:
        if failing["on"]:
            raise DataStoreError("store unreachable (simulated)", key=key)
        return original(key)

    store.get = flaky_get  # type: ignore[method-assign]
    # no cache: every decode goes to the store, as in a decider process that did not write it
    adapter = OffloadingStore(store, cache=PayloadCache(max_chars=0))
    serial = SerialExecutor(data_store=adapter, domain=executor.domain)
    handle = serial.start(PassBlob, blob(50_000), 10, workflow_id="blob-flaky")
    failing["on"] = True
    with pytest.raises(DataStoreError, match="simulated"):
        handle.result()
    assert handle.is_open()
    types = [e["eventType"] for e in handle.history()]
    assert "WorkflowExecutionFailed" not in types
    failing["on"] = False
    assert handle.result()["data"] == blob(50_000)
    types = [e["eventType"] for e in handle.history()]
    assert "DecisionTaskTimedOut" in types  # SWF handed the decision task out again


def test_missing_payload_is_not_decoded_as_none(executor: Setup) -> None:
    handle = executor.executor.start(PassBlob, blob(50_000), 10, workflow_id="blob-gone")
    handle.result()
    executor.store.delete_many(list(executor.store.keys(payload_prefix(executor.domain))))
    reader = OffloadingStore(executor.store, domain=executor.domain, cache=PayloadCache())
    fresh = Payloads(store=reader)
    result = handle.history()[-1]["workflowExecutionCompletedEventAttributes"]["result"]
    with pytest.raises(DataStoreError, match="blob-gone"):
        fresh.decode_data(result, "result of PassBlob")
