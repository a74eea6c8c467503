"""Client stubs at run time: both calling styles, child entries, options, and clear errors."""

from __future__ import annotations

import inspect

import pytest

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task
from swfobjects.exceptions import WorkflowExecutionError
from tests.helpers.histories import scheduled_attributes


class StubGreeter(ActivityWorker, task_list="stub-greetings"):
    @activity_task
    def greet(self, name: str) -> str:
        return f"StubHello, {name}!"


class StubOther(ActivityWorker, task_list="stub-other"):
    @activity_task
    def other(self, n: int) -> int:
        return n


class StubShip(Workflow, task_list="stub-ship"):
    greeter = StubGreeter.client()

    @decision_task
    async def ship(self, sku: str) -> list[str]:
        return [await self.greeter.greet(sku)]


class StubHello(Workflow, task_list="stub-hello"):
    greeter = StubGreeter.client()
    child = StubShip.client()

    @decision_task
    async def run(self, name: str) -> str:
        by_attribute = await self.greeter.greet(name)
        by_call = await self.greeter.call(StubGreeter.greet, name)
        shipped = await self.child.call(StubShip.ship, name)
        return " | ".join([by_attribute, by_call, *shipped, *await self.child.ship("x")])


def test_attribute_and_call_styles_and_child_entries_give_the_same_results() -> None:
    result = SerialExecutor([StubGreeter()]).run(StubHello, "Ann")
    assert result == "StubHello, Ann! | StubHello, Ann! | StubHello, Ann! | StubHello, x!"


def test_a_name_that_is_no_stub_method_says_which_there_are() -> None:
    with pytest.raises(
        AttributeError, match=r"has no stub method 'gret': StubGreeter declares greet"
    ):
        StubGreeter.client().gret  # noqa: B018
    with pytest.raises(AttributeError, match="_hidden"):
        StubGreeter.client()._hidden  # noqa: B018


def test_with_options_keeps_the_client_class_and_merges_options() -> None:
    eu = StubGreeter.client(task_list="eu").with_options(start_to_close_timeout=10)
    assert type(eu) is type(StubGreeter.client())
    assert eu._overrides == {"task_list": "eu", "start_to_close_timeout": "10"}


def test_call_refuses_a_method_of_another_class() -> None:
    class StubWrongClass(Workflow, task_list="stub-wrong"):
        greeter = StubGreeter.client()

        @decision_task
        async def run(self) -> int:
            return await self.greeter.call(StubOther.other, 1)  # type: ignore[arg-type]

    with pytest.raises(
        WorkflowExecutionError, match=r"DeclarationError: .*StubOther.other.* is not an"
    ):
        SerialExecutor([StubGreeter(), StubOther()]).run(StubWrongClass)


class StubDocumented(ActivityWorker, task_list="stub-documented"):
    @activity_task
    def ping(self, n: int) -> int:
        """Answer with n."""
        return n


class StubDocumentedFlow(Workflow, task_list="stub-documented"):
    """Ping twice."""

    pinger = StubDocumented.client(task_list="elsewhere")

    @decision_task
    async def run(self) -> int:
        """Run it."""
        return await self.pinger.ping(1) + await self.pinger.ping(2)


def test_stub_methods_show_the_name_signature_and_description_of_what_they_call() -> None:
    activity, child = StubDocumented.client().ping, StubDocumentedFlow.client().run
    assert (activity.__name__, activity.__doc__) == ("ping", "Answer with n.")
    assert str(inspect.signature(activity)) == "(n: 'int') -> 'int'"
    assert (child.__name__, child.__doc__) == ("run", "Run it.")


def test_a_stub_method_calls_with_its_client_options_and_checks_arguments() -> None:
    executor = SerialExecutor([StubDocumented()])
    handle = executor.start(StubDocumentedFlow)
    assert handle.result() == 3
    scheduled = scheduled_attributes(handle.history())
    assert [a["taskList"]["name"] for a in scheduled] == ["elsewhere", "elsewhere"]
    with pytest.raises(RuntimeError, match=r"activity stub StubDocumented.ping can only be used"):
        StubDocumented.client().ping(1)


class StubMixed(ActivityWorker, task_list="stub-mixed"):
    @activity_task
    def mixed(self, n: int, name: str, ratio: float) -> None:
        pass


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1, "a", 0.5), {}),  # every type exact: the one-loop path
        ((1, "a"), {"ratio": 0.5}),
        ((True, "a", 0.5), {}),  # a bool is not exactly an int: the general path decides
        ((1, 2, 0.5), {}),  # the second argument is wrong
        ((1, "a", 1), {}),  # the last one is wrong
        ((1, "a"), {}),  # one missing
        ((1, "a", 0.5, 9), {}),  # one too many
    ],
)
def test_the_fast_argument_check_agrees_with_the_general_one(args, kwargs) -> None:
    from swfobjects.workflow._stubs import argument_check, check_arguments

    target = StubMixed._swf_activities["mixed"]
    check = argument_check(target)

    def outcome(bind):
        try:
            return bind()
        except Exception as error:  # noqa: BLE001 - compared below
            return type(error), str(error)

    fast = outcome(lambda: check.bind(args, kwargs))
    general = outcome(
        lambda: check_arguments(target.name, check.signature, check.hints, args, kwargs)
    )
    assert fast == general
    if list(map(type, args)) == [int, str, float]:
        assert fast == {"n": 1, "name": "a", "ratio": 0.5}
