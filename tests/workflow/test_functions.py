"""Plain functions as activities and workflows, the module-level workflow API, and decorators
that cannot work refused (issue 18)."""

from __future__ import annotations

import time

import pytest

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    Promise,
    SerialExecutor,
    Workflow,
    WorkflowExecutionError,
    activity_task,
    decision_task,
    nondeterministic,
    signal,
    workflow,
)
from swfobjects.exceptions import DeclarationError, NonDeterministicCallError
from swfobjects.workflow import ActivityFunction, WorkflowFunction
from swfobjects.workflow._declarations import REGISTRY
from tests.helpers.histories import scheduled_attributes

CALLS: list[tuple[int, int]] = []


def legacy_add(a: int, b: int) -> int:
    """Existing code: adds two numbers."""
    CALLS.append((a, b))
    return a + b


def legacy_fail(message: str) -> None:
    raise ValueError(message)


add = activity_task(task_list="fn-math", start_to_close_timeout=30)(legacy_add)
fail = activity_task(task_list="fn-math", name="fn.fail")(legacy_fail)


@activity_task(task_list="fn-math", version="2.0")
def double(x: int) -> int:
    return 2 * x


@decision_task(task_list="fn-flows", execution_start_to_close_timeout=300)
async def compute(a: int, b: int) -> int:
    total = await add(a, b)
    await workflow.timer(30)
    return await double(total)


@decision_task(task_list="fn-flows")
async def parent(a: int) -> list[int]:
    first = compute(a, a)
    second = compute.with_options(workflow_id=f"second-{workflow.workflow_id()}")(a, 1)
    return [await first, await second]


@decision_task(task_list="fn-flows")
async def catches(message: str) -> str:
    try:
        await fail(message)
    except ActivityTaskError as error:
        return f"{error.type_name}: {error.message}"
    return "no error"


def test_a_decorated_function_is_an_activity_type_named_after_it() -> None:
    assert isinstance(add, ActivityFunction)
    activity = add.activity_type
    assert activity.name == f"{__name__}.legacy_add"
    assert (activity.version, activity.task_list) == ("1.0", "fn-math")
    assert activity.start_to_close_timeout == "30"
    assert list(activity.signature.parameters) == ["a", "b"]
    assert activity.description == "Existing code: adds two numbers."
    assert REGISTRY.activities[activity.key] is activity
    assert fail.activity_type.name == "fn.fail"
    assert double.activity_type.key == (f"{__name__}.double", "2.0")
    assert add.func is legacy_add
    assert "legacy_add" in repr(add)


def test_outside_a_workflow_it_is_the_plain_function() -> None:
    CALLS.clear()
    assert add(2, 3) == 5 and CALLS == [(2, 3)]
    assert double(4) == 8
    assert legacy_add(1, 1) == 2  # the function itself is unchanged


def test_function_workflows_run_on_the_serial_executor() -> None:
    assert isinstance(compute, WorkflowFunction)
    assert compute.workflow_type().name == f"{__name__}.compute"
    assert compute.workflow_type().execution_start_to_close_timeout == "300"
    executor = SerialExecutor(check_replay=True)
    assert executor.run(compute, 1, 2) == 6
    assert executor.run(parent, 3) == [12, 8]
    assert executor.run(catches, "boom") == "ValueError: boom"


def test_workers_take_functions_directly() -> None:
    executor = SerialExecutor(workers=[add, double])
    assert {a.name for a in executor.activities.activity_types()} == {
        add.activity_type.name,
        double.activity_type.name,
    }
    assert executor.run(compute, 2, 2) == 8


def test_an_activity_call_in_a_workflow_schedules_and_checks_arguments() -> None:
    seen: list[object] = []

    @decision_task(task_list="fn-flows")
    async def inspects() -> str:
        promise = add(1, 2)
        seen.append(promise)
        try:
            add("one", 2)  # type: ignore[arg-type]
        except TypeError as error:
            return str(error)
        return "accepted"

    message = SerialExecutor().run(inspects)
    assert isinstance(seen[0], Promise)
    assert "argument 'a' must be int" in message


def test_with_options_overrides_per_call_site() -> None:
    fast = add.with_options(task_list="fn-elsewhere", start_to_close_timeout=5)
    assert fast.activity_type is add.activity_type
    assert fast._overrides == {"task_list": "fn-elsewhere", "start_to_close_timeout": 5}

    @decision_task(task_list="fn-flows")
    async def elsewhere() -> int:
        return await fast(1, 1)

    executor = SerialExecutor()
    handle = executor.start(elsewhere)
    assert handle.result() == 2
    scheduled = scheduled_attributes(handle.history())
    assert scheduled[0]["taskList"] == {"name": "fn-elsewhere"}
    assert scheduled[0]["startToCloseTimeout"] == "5"
    with pytest.raises(TypeError, match="unexpected keyword"):
        add.with_options(nope=1)  # type: ignore[call-arg]


def test_the_module_level_api_works_in_class_workflows_too() -> None:
    class Timed(Workflow, task_list="fn-flows"):
        @decision_task
        async def run(self) -> list[object]:
            before = workflow.now()
            await workflow.timer(60)
            return [
                (workflow.now() - before).total_seconds() >= 60,
                workflow.now() == self.now(),
                workflow.workflow_id() == self.workflow_id,
                workflow.run_id() == self.run_id,
                workflow.in_workflow(),
                workflow.history_length() > 0,
                workflow.cancel_requested(),
                workflow.patched("change-1"),
                isinstance(workflow.uuid4().hex, str),
                0 <= workflow.random().random() < 1,
            ]

    first = SerialExecutor(check_replay=True).run(Timed)
    assert first == [True, True, True, True, True, True, False, True, True, True]


def test_the_module_level_api_outside_a_workflow_says_where_it_works() -> None:
    assert workflow.in_workflow() is False
    with pytest.raises(RuntimeError, match=r"workflow.timer\(\) can only be used inside"):
        workflow.timer(5)
    with pytest.raises(RuntimeError, match="while an executor runs an activity task"):
        workflow.heartbeat()


def test_function_activities_can_heartbeat_and_see_their_task() -> None:
    @activity_task(task_list="fn-math", heartbeat_timeout=60)
    def beating() -> str:
        workflow.heartbeat({"done": 1})
        return workflow.activity_info().activity_id

    @decision_task(task_list="fn-flows")
    async def runs_it() -> str:
        return await beating()

    assert SerialExecutor().run(runs_it) == "1"


def test_workflow_functions_are_watched_by_the_determinism_guard() -> None:
    @decision_task(task_list="fn-flows")
    async def reads_the_clock() -> float:
        return time.time()

    handle = SerialExecutor().start(reads_the_clock)
    with pytest.raises(NonDeterministicCallError, match="time.time"):
        handle.result()


# --- decorators that cannot work are refused --------------------------------------------


def test_an_async_activity_function_is_refused() -> None:
    async def fetch() -> None:
        pass

    with pytest.raises(DeclarationError, match="fetch must be a plain .sync. function"):
        activity_task(task_list="x")(fetch)


def test_a_sync_workflow_function_is_refused() -> None:
    def body() -> None:
        pass

    with pytest.raises(DeclarationError, match="must be an `async def`.*use @activity_task"):
        decision_task(task_list="x")(body)


def test_a_class_is_not_an_activity() -> None:
    class Vendor:
        pass

    with pytest.raises(DeclarationError, match="subclass ActivityWorker"):
        activity_task(task_list="x")(Vendor)


def test_decision_task_in_an_activity_worker_is_refused() -> None:
    with pytest.raises(DeclarationError, match=r"Mixed.run: @decision_task does nothing in an"):

        class Mixed(ActivityWorker, task_list="x"):
            @decision_task
            async def run(self) -> None:
                pass


def test_signal_in_an_activity_worker_is_refused() -> None:
    with pytest.raises(DeclarationError, match="@signal does nothing in an ActivityWorker"):

        class Signalled(ActivityWorker, task_list="x"):
            @signal
            def poke(self) -> None:
                pass


def test_activity_task_in_a_workflow_is_refused() -> None:
    with pytest.raises(DeclarationError, match="inline in the decider, on every replay"):

        class Inline(Workflow, task_list="x"):
            @activity_task
            def work(self) -> int:
                return 1

            @decision_task
            async def run(self) -> int:
                return self.work()


def test_signal_and_recorded_decorators_outside_a_class_are_refused() -> None:
    def poke() -> None:
        pass

    def pick() -> int:
        return 4

    with pytest.raises(DeclarationError, match=r"@signal .*poke. is not a method"):
        signal(poke)
    with pytest.raises(DeclarationError, match="@nondeterministic .*is not a method"):
        nondeterministic(pick)


def test_is_method_tells_methods_from_functions() -> None:
    from swfobjects.workflow._declarations import is_method

    class Holder:
        def method(self) -> None:
            pass

    def local(x: int) -> None:
        pass

    def to_be_put_in_a_class(self: object) -> None:
        pass

    assert is_method(Holder.method)
    assert not is_method(local)
    assert not is_method(legacy_add)
    assert not is_method(Holder().method)  # bound: called without self
    assert is_method(to_be_put_in_a_class)


def test_an_activity_method_called_directly_in_a_workflow_is_refused() -> None:
    class NotAWorker:
        @activity_task(task_list="x")
        def work(self, n: int) -> int:
            return n

    assert NotAWorker().work(3) == 3  # outside a workflow: the method

    @decision_task(task_list="fn-flows")
    async def inline() -> int:
        return NotAWorker().work(1)

    with pytest.raises(WorkflowExecutionError, match="NotAWorker.work was called directly"):
        SerialExecutor().run(inline)


def test_decorating_a_decorated_function_again_is_refused() -> None:
    with pytest.raises(DeclarationError, match="already one; decorate the plain function once"):
        activity_task(task_list="x")(add)
    with pytest.raises(DeclarationError, match="already one"):
        decision_task(task_list="x")(compute)
