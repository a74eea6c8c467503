"""Data stores declared on a class or on one method (inputs and results separately)."""

from __future__ import annotations

import pytest

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
)
from swfobjects.storage import MemoryStore, OffloadingStore

RESULTS = MemoryStore()
INPUTS = MemoryStore()
CLASS_STORE = MemoryStore()


class Reports(ActivityWorker, task_list="declared-reports"):
    @activity_task(result_data_store=RESULTS)
    def render(self, rows: int) -> str:
        return "r" * rows

    @activity_task(input_data_store=INPUTS)
    def measure(self, text: str) -> int:
        return len(text)

    @activity_task
    def plain(self, rows: int) -> str:
        return "p" * rows


class Archive(
    ActivityWorker,
    task_list="declared-archive",
    data_store=OffloadingStore(CLASS_STORE, always=True),
):
    @activity_task
    def echo(self, text: str) -> str:
        return text


class Pipeline(Workflow, task_list="declared-pipeline"):
    reports = Reports.client()
    archive = Archive.client()

    @decision_task
    async def run(self, rows: int) -> list[int]:
        text = await self.reports.render(rows)  # result through RESULTS
        size = await self.reports.measure(text)  # input through INPUTS
        echoed = await self.archive.echo("small")  # class store, always out of band
        return [len(text), size, len(echoed)]


class Oversized(Workflow, task_list="declared-oversized"):
    reports = Reports.client()

    @decision_task
    async def run(self, rows: int) -> int:
        return len(await self.reports.plain(rows))


def _count(store: MemoryStore) -> int:
    return len(list(store.keys("")))


def test_declared_stores_carry_their_payloads_without_an_executor_store():
    before = (_count(RESULTS), _count(INPUTS), _count(CLASS_STORE))
    assert SerialExecutor().run(Pipeline, 100_000) == [100_000, 100_000, 5]
    after = (_count(RESULTS), _count(INPUTS), _count(CLASS_STORE))
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 2]


def test_methods_without_a_store_still_refuse_oversized_payloads():
    with pytest.raises(WorkflowExecutionError) as caught:
        SerialExecutor().run(Oversized, 100_000)
    assert caught.value.details.type_name == "swfobjects.exceptions.PayloadTooLargeError"
    assert "32,768" in caught.value.details.message
