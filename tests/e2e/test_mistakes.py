"""A new user's mistakes fail loudly, with the user's own line, on every executor (issue 12).

Each test is one mistake the README alone let through: a value not matching its annotation,
a forgotten ``await``, a failure whose traceback hid the user's code.
"""

from __future__ import annotations

import dataclasses
import traceback

import pytest

from swfobjects import (
    ActivityWorker,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
    nondeterministic,
    signal,
)
from swfobjects.exceptions import RemoteTraceback, SerializationError, WorkflowStuckError
from swfobjects.payloads import RemoteFailure

pytestmark = pytest.mark.e2e


@dataclasses.dataclass
class Line:
    sku: str
    qty: int


class Shop(ActivityWorker, task_list="e2e-mistakes-shop", version="1.0"):
    @activity_task(start_to_close_timeout=30)
    def label(self, n: int) -> str:
        return n  # type: ignore[return-value]  # the mistake: an int for `-> str`

    @activity_task(start_to_close_timeout=30)
    def lines(self, n: int) -> list[Line]:
        return [Line("a", 1), Line("b", "two")]  # type: ignore[arg-type]

    @activity_task(start_to_close_timeout=30)
    def name(self, n: int) -> str:
        return f"item {n}"

    @activity_task(start_to_close_timeout=30)
    def explode(self, n: int) -> str:
        raise ValueError(f"cannot ship {n} parcels")  # USER-LINE: the line users look for


class WrongActivityResult(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    shop = Shop.client()

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> str:
        return await self.shop.label(n)


class WrongNestedResult(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    shop = Shop.client()

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> int:
        return len(await self.shop.lines(n))


class SetInDict(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> dict:  # type: ignore[type-arg]
        return {"order": {"tags": {"a", "b"}}}


class ForgotAwait(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    shop = Shop.client()

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> str:
        return self.shop.name(n)  # type: ignore[return-value]  # the mistake: no await


async def _helper(shop: object, n: int) -> str:
    return "never"


class ForgotAwaitHelper(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> str:
        return _helper(self, n)  # type: ignore[return-value]


class WrongMarker(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    @nondeterministic
    def count(self) -> int:
        return "many"  # type: ignore[return-value]

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> int:
        return self.count()


class Failing(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    shop = Shop.client()

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> str:
        return await self.shop.explode(n)


class TypedGate(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    def __init__(self) -> None:
        self.by = ""

    @signal
    def open(self, by: str) -> None:
        self.by = by

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self) -> str:
        await self.wait_for(lambda: bool(self.by))
        return self.by


class Names(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, names: list[str]) -> int:
        return len(names)


class WrongChildInput(Workflow, task_list="e2e-mistakes-wf", version="1.0"):
    names = Names.client()

    @decision_task(execution_start_to_close_timeout=60)
    async def run(self, n: int) -> int:
        return await self.names.run(["a", n])  # the mistake: an int in list[str]


def _failure(executor: object, workflow: type, *args: object) -> WorkflowExecutionError:
    with pytest.raises(WorkflowExecutionError) as caught:
        executor.run(workflow, *args)  # type: ignore[attr-defined]
    return caught.value


def test_an_activity_result_that_is_not_its_annotation_fails_naming_the_type(executor):
    error = _failure(executor, WrongActivityResult, 12)
    assert "SerializationError" in str(error)
    assert "result of activity Shop.label" in str(error)
    assert "expected str, got int 12" in str(error)
    assert "'12'" not in str(error)


def test_a_nested_mismatch_names_the_field_path(executor):
    error = _failure(executor, WrongNestedResult, 1)
    assert "1.qty: expected int, got str 'two'" in str(error)


def test_a_set_inside_an_untyped_dict_names_its_path(executor):
    error = _failure(executor, SetInDict, 1)
    assert "order.tags" in str(error) and "set" in str(error)
    assert "not JSON serializable" not in str(error)


def test_returning_a_promise_without_await_says_so_and_names_the_call(executor):
    error = _failure(executor, ForgotAwait, 3)
    assert "did you forget `await`?" in str(error)
    assert "activity Shop.name (1)" in str(error)


def test_returning_a_helper_coroutine_without_await_says_so(executor):
    error = _failure(executor, ForgotAwaitHelper, 3)
    assert "did you forget `await`?" in str(error) and "_helper()" in str(error)


def test_a_marker_value_not_matching_its_annotation_fails(executor):
    error = _failure(executor, WrongMarker, 1)
    assert "expected int, got str 'many'" in str(error)


def test_a_signal_argument_not_matching_the_handler_is_refused_before_sending(executor):
    handle = executor.start(TypedGate)
    with pytest.raises(SerializationError, match="expected str, got int 5"):
        handle.signal(TypedGate.open, 5)
    handle.signal(TypedGate.open, "ann")
    assert handle.result() == "ann"


def test_a_failure_shows_the_users_own_line(executor):
    error = _failure(executor, Failing, 2)
    assert isinstance(error.__cause__, RemoteTraceback)
    printed = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    assert __file__ in printed and "USER-LINE" in printed  # the raising line, as Python prints it
    assert "ValueError: cannot ship 2 parcels" in printed
    failure = error.details
    assert isinstance(failure, RemoteFailure)
    assert repr(failure) == (
        "RemoteFailure(type_name='ValueError', message='Shop.explode (1, attempt 1) failed: "
        "ValueError: cannot ship 2 parcels', details=None)"
    )
    assert error.reason == "Shop.explode (1, attempt 1) failed: ValueError: cannot ship 2 parcels"


def test_a_waiting_workflow_says_what_it_waits_for(executor):
    handle = executor.start(TypedGate)
    if executor.name == "serial":
        with pytest.raises(WorkflowStuckError) as stuck:
            handle.result()
        message = str(stuck.value)
        assert [p.name for p in stuck.value.pending] == [p.name for p in handle.pending()]
    else:
        with pytest.raises(TimeoutError) as timed_out:
            handle.result(timeout=3)
        message = str(timed_out.value)
        assert "workers running" not in message
    assert "wait_for at " + __file__ in message and "lambda: bool(self.by)" in message
    (pending,) = handle.pending()
    assert (pending.kind, pending.since is not None, pending.age >= 0) == ("signal", True, True)
    handle.signal(TypedGate.open, "ann")
    assert handle.result() == "ann"
    assert handle.pending() == []


@pytest.mark.swf_features("child_workflows")
def test_a_child_input_not_matching_its_annotation_fails_the_parent(executor):
    error = _failure(executor, WrongChildInput, 7)
    assert "cannot encode workflow Names argument 'names': 1: expected str, got int 7" in str(error)
