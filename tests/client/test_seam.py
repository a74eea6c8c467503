"""The typed seam between the framework and SWF: every client the framework runs on provides
the operations of ``SWFClient``, and heartbeats behave the same on every executor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from swfobjects import ActivityWorker, Workflow, activity_task, decision_task
from swfobjects.client import SWFExecutor
from swfobjects.exceptions import PayloadTooLargeError
from swfobjects.model._client import InProcessClient
from swfobjects.model._model import SwfModel
from swfobjects.swf import OPERATIONS, InProcessSWFClient, SWFClient
from swfobjects.swf.limits import MAX_HEARTBEAT_DETAILS
from swfobjects.testing import LocalSWF, SerialExecutor
from swfobjects.worker._retrying import RetryingClient

# --- the client seam ------------------------------------------------------------------------


def test_the_protocol_names_the_operations_the_framework_calls() -> None:
    assert "poll_for_decision_task" in OPERATIONS
    assert "record_activity_task_heartbeat" in OPERATIONS
    assert "list_open_workflow_executions" in OPERATIONS
    assert len(OPERATIONS) == len(set(OPERATIONS)) == 20


def test_the_in_process_client_provides_every_operation() -> None:
    client = InProcessClient(SwfModel(clock=lambda: 1e9))
    for name in OPERATIONS:
        assert callable(getattr(client, name)), name
    assert isinstance(client, SWFClient)
    assert isinstance(client, InProcessSWFClient)  # and what only an in-process model offers
    typed: InProcessSWFClient = client  # checked by mypy as well
    assert typed.task_queues("activity") == {} and typed.next_due() is None


def test_a_botocore_swf_client_has_every_operation() -> None:
    client = boto3.session.Session().client(
        "swf",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    missing = [name for name in OPERATIONS if not callable(getattr(client, name, None))]
    assert missing == []
    assert isinstance(client, SWFClient)


def test_the_retrying_client_is_an_swf_client() -> None:
    assert isinstance(RetryingClient(InProcessClient(SwfModel())), SWFClient)


# --- one heartbeat for every executor -------------------------------------------------------

BIG = "x" * 5_000


class Chatty(ActivityWorker, task_list="seam-chatty", version="1.0"):
    @activity_task(start_to_close_timeout=30, heartbeat_timeout=30)
    def report(self, size: int) -> list[Any]:
        try:
            self.heartbeat("x" * size)
        except PayloadTooLargeError as error:
            return [type(error).__name__, error.size, error.limit, str(error)]
        return ["accepted"]


class ChattyFlow(Workflow, task_list="seam-chatty-flow", version="1.0"):
    chatty = Chatty.client()

    @decision_task(execution_start_to_close_timeout=60, task_start_to_close_timeout=10)
    async def run(self, size: int) -> list[Any]:
        return await self.chatty.report(size)


@pytest.fixture(scope="module")
def local_service() -> Iterator[LocalSWF]:
    with LocalSWF(poll_timeout=1.0) as service:
        yield service


def on_swf(local_service: LocalSWF, size: int) -> list[Any]:
    executor = SWFExecutor(
        f"seam-{uuid.uuid4().hex[:8]}", client=local_service.client(), poll_interval=0.1
    )
    executor.register(ChattyFlow, Chatty)
    with executor.running(ChattyFlow, Chatty()):
        result: list[Any] = executor.run(ChattyFlow, size)
    return result


def test_oversized_heartbeat_details_raise_the_same_error_on_both_executors(
    local_service: LocalSWF,
) -> None:
    serial = SerialExecutor().run(ChattyFlow, len(BIG))
    swf = on_swf(local_service, len(BIG))
    assert serial == swf
    name, size, limit, message = serial
    assert name == "PayloadTooLargeError"
    assert limit == MAX_HEARTBEAT_DETAILS and size == len(BIG) + 2  # the JSON string's quotes
    assert f"{size:,} characters" in message and f"{MAX_HEARTBEAT_DETAILS:,}" in message
    assert "progress marker" in message  # and what to do about it


def test_heartbeat_details_within_the_limit_are_accepted_on_both_executors(
    local_service: LocalSWF,
) -> None:
    fits = MAX_HEARTBEAT_DETAILS - 2
    assert SerialExecutor().run(ChattyFlow, fits) == ["accepted"]
    assert on_swf(local_service, fits) == ["accepted"]
