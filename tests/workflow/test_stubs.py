"""Client stubs at run time: both calling styles, child entries, options, and clear errors."""

from __future__ import annotations

import pytest

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task
from swfobjects.exceptions import WorkflowExecutionError


class Greeter(ActivityWorker, task_list="stub-greetings"):
    @activity_task
    def greet(self, name: str) -> str:
        return f"Hello, {name}!"


class Other(ActivityWorker, task_list="stub-other"):
    @activity_task
    def other(self, n: int) -> int:
        return n


class Ship(Workflow, task_list="stub-ship"):
    greeter = Greeter.client()

    @decision_task
    async def ship(self, sku: str) -> list[str]:
        return [await self.greeter.greet(sku)]


class Hello(Workflow, task_list="stub-hello"):
    greeter = Greeter.client()
    child = Ship.client()

    @decision_task
    async def run(self, name: str) -> str:
        by_attribute = await self.greeter.greet(name)
        by_call = await self.greeter.call(Greeter.greet, name)
        shipped = await self.child.call(Ship.ship, name)
        return " | ".join([by_attribute, by_call, *shipped, *await self.child.ship("x")])


def test_attribute_and_call_styles_and_child_entries_give_the_same_results() -> None:
    result = SerialExecutor([Greeter()]).run(Hello, "Ann")
    assert result == "Hello, Ann! | Hello, Ann! | Hello, Ann! | Hello, x!"


def test_a_name_that_is_no_stub_method_says_which_there_are() -> None:
    with pytest.raises(AttributeError, match=r"has no stub method 'gret': Greeter declares greet"):
        Greeter.client().gret  # noqa: B018
    with pytest.raises(AttributeError, match="_hidden"):
        Greeter.client()._hidden  # noqa: B018


def test_with_options_keeps_the_client_class_and_merges_options() -> None:
    eu = Greeter.client(task_list="eu").with_options(start_to_close_timeout=10)
    assert type(eu) is type(Greeter.client())
    assert eu._overrides == {"task_list": "eu", "start_to_close_timeout": "10"}


def test_call_refuses_a_method_of_another_class() -> None:
    class Wrong(Workflow, task_list="stub-wrong"):
        greeter = Greeter.client()

        @decision_task
        async def run(self) -> int:
            return await self.greeter.call(Other.other, 1)  # type: ignore[arg-type]

    with pytest.raises(
        WorkflowExecutionError, match=r"DeclarationError: .*Other.other.* is not an"
    ):
        SerialExecutor([Greeter(), Other()]).run(Wrong)
