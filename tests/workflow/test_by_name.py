"""Calls by name (``call_activity``, ``start_child``, ``start_by_name``) on the SerialExecutor:
plain JSON of the arguments, raw text untouched, the stub's options, retries and errors."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from swfobjects import (
    ActivityWorker,
    RetryPolicy,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
    workflow,
)
from swfobjects.exceptions import ActivityTaskError, WorkflowExecutionError
from swfobjects.payloads._payload import Payloads
from swfobjects.workflow._by_name import activity_by_name


@dataclasses.dataclass
class Receipt:
    order_id: str
    cents: int


class Orders(ActivityWorker, task_list="byname-java", version="2.0"):
    """Stands for code in another language: registered as ``UnitProcessOrder`` 2.0."""

    attempts = 0

    @activity_task(name="UnitProcessOrder", start_to_close_timeout=30)
    def process(self, order_id: str, cents: int = 1) -> Receipt:
        return Receipt(order_id, cents)

    @activity_task(name="UnitEcho")
    def echo(self, text: str) -> str:
        return f"echo {text}"

    @activity_task(name="UnitFlaky")
    def flaky(self, n: int) -> int:
        Orders.attempts += 1
        if Orders.attempts < 3:
            raise ValueError(f"attempt {Orders.attempts} failed")
        return n * 2


class UnitOrderFlow(Workflow, version="3", task_list="byname-child"):
    @decision_task
    async def run(self, order_id: str, cents: int) -> str:
        return f"{order_id}:{cents}"


class Caller(Workflow, task_list="byname-caller"):
    @decision_task
    async def run(self, order_id: str) -> list[Any]:
        positional = await self.call_activity(
            "UnitProcessOrder", "2.0", order_id, 250, task_list="byname-java", result_type=Receipt
        )
        keywords = await workflow.call_activity(
            "UnitProcessOrder", "2.0", kwargs={"order_id": order_id}
        )  # no task list: the registered default; no result_type: plain JSON
        child = await self.start_child("UnitOrderFlow", "3", order_id, 7, result_type=str)
        return [type(positional).__name__, positional.cents, keywords, child]


def test_call_activity_and_start_child_by_name_reach_python_workers():
    executor = SerialExecutor()
    kind, cents, plain, child = executor.run(Caller, "o-1")
    assert (kind, cents) == ("Receipt", 250)  # decoded to result_type in the workflow
    assert plain == {"order_id": "o-1", "cents": 1}
    assert child == "o-1:7"


def test_the_input_is_plain_json_of_the_arguments():
    executor = SerialExecutor()
    handle = executor.start(Caller, "o-2")
    handle.result()
    inputs = [
        event["activityTaskScheduledEventAttributes"]["input"]
        for event in handle.history()
        if event["eventType"] == "ActivityTaskScheduled"
    ]
    assert [json.loads(text) for text in inputs] == [["o-2", 250], {"order_id": "o-2"}]
    scheduled = next(
        event["activityTaskScheduledEventAttributes"]
        for event in handle.history()
        if event["eventType"] == "ActivityTaskScheduled"
    )
    assert scheduled["taskList"] == {"name": "byname-java"}


class RawCaller(Workflow, task_list="byname-raw"):
    @decision_task
    async def run(self, text: str) -> str:
        return await self.call_activity("UnitEcho", "2.0", text, raw=True)  # type: ignore[no-any-return]


def test_raw_mode_passes_input_and_result_through_untouched():
    executor = SerialExecutor()
    text = '{"text":  "spaced"}'
    handle = executor.start(RawCaller, text)
    assert handle.result() == '"echo spaced"'  # the activity's JSON result text, not decoded
    scheduled = next(
        event["activityTaskScheduledEventAttributes"]
        for event in handle.history()
        if event["eventType"] == "ActivityTaskScheduled"
    )
    assert scheduled["input"] == text  # spacing kept: not re-encoded


class Retrying(Workflow, task_list="byname-retry"):
    @decision_task
    async def run(self) -> int:
        return await self.call_activity(  # type: ignore[no-any-return]
            "UnitFlaky", "2.0", 21, retry=RetryPolicy(max_attempts=3, initial_interval=1)
        )


def test_retry_policy_applies_to_calls_by_name():
    Orders.attempts = 0
    assert SerialExecutor().run(Retrying) == 42
    assert Orders.attempts == 3


class ByNameFailing(Workflow, task_list="byname-fail"):
    @decision_task
    async def run(self) -> str:
        try:
            await self.call_activity("UnitFlaky", "2.0", 1)
        except ActivityTaskError as error:
            return f"{error.type_name}: {error}"
        return "no error"


def test_activity_errors_reach_the_caller_as_for_stubs():
    Orders.attempts = 0
    assert SerialExecutor().run(ByNameFailing).startswith("ValueError: ")


class Unknown(Workflow, task_list="byname-unknown"):
    @decision_task
    async def run(self) -> None:
        await self.call_activity("NoSuchActivity", "1", task_list="x", start_to_close_timeout=5)


def test_an_unregistered_name_fails_clearly():
    with pytest.raises(WorkflowExecutionError, match="NoSuchActivity"):
        SerialExecutor().run(Unknown)


def test_start_by_name_from_outside():
    executor = SerialExecutor()
    handle = executor.start_by_name("UnitOrderFlow", "3", kwargs={"order_id": "o-3", "cents": 9})
    assert handle.result() == "o-3:9"
    raw = executor.start_by_name("UnitOrderFlow", "3", '["o-4", 1]', raw=True)
    assert [p.kind for p in raw.pending()]  # open: listed without replaying code from here
    assert raw.result() == '"o-4:1"'


def test_mistakes_are_type_errors_naming_what_to_pass():
    with pytest.raises(TypeError, match="not both"):
        activity_by_name("A", "1").arguments.bind(("x",), {"y": 1})  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="exactly one positional str"):
        activity_by_name("A", "1", raw=True).arguments.bind((1,), {})  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="unknown option"):
        activity_by_name("A", "1", tasklist="x")
    with pytest.raises(TypeError, match="raw=True results are the text"):
        activity_by_name("A", "1", raw=True, result_type=int)
    with pytest.raises(RuntimeError, match="call_activity"):
        workflow.call_activity("A", "1")


def test_ad_hoc_types_are_cached_by_their_options():
    assert activity_by_name("A", "1", task_list="t") is activity_by_name("A", "1", task_list="t")
    assert activity_by_name("A", "1") is not activity_by_name("A", "1", task_list="t")


def test_raw_text_keeps_the_size_limit():
    from swfobjects.exceptions import PayloadTooLargeError
    from swfobjects.payloads._foreign import RawText

    with pytest.raises(PayloadTooLargeError):
        Payloads(limit=3).encode_data(RawText("four"), "raw input")
