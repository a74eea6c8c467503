"""Correct and incorrect typed calls, checked by tests/test_typing.py (never imported by it).

Each line that a checker reports on is matched by its text, so keep lines unique.
"""
# ruff: noqa: F821  (reveal_type is known to type checkers only)

from __future__ import annotations

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task


class Greeter(ActivityWorker, task_list="greetings"):
    @activity_task
    def greet(self, name: str) -> str:
        return name

    @activity_task(start_to_close_timeout=30)
    def count(self, words: list[str], *, upper: bool = False) -> int:
        return len(words)

    def helper(self) -> None:
        """Not an activity: no stub method."""


class Other(ActivityWorker):
    @activity_task
    def other(self, n: int) -> int:
        return n


class Ship(Workflow):
    greeter = Greeter.client()

    @decision_task
    async def ship(self, sku: str) -> list[str]:
        return [await self.greeter.greet(sku)]


class Hello(Workflow):
    greeter = Greeter.client()
    eu_greeter = Greeter.client(task_list="eu").with_options(start_to_close_timeout=10)
    child = Ship.client()

    @decision_task
    async def run(self, name: str) -> str:
        reveal_type(self.greeter.greet(name))
        reveal_type(self.eu_greeter.count(["a"], upper=True))
        reveal_type(self.greeter.call(Greeter.greet, name))
        reveal_type(self.child.ship("sku"))
        reveal_type(self.child.call(Ship.ship, "sku"))
        reveal_type(self.eu_greeter._overrides)
        self.greeter.greet(42)
        self.greeter.count(["a"], True)
        self.greeter.gret(name)
        self.greeter.helper()
        self.greeter.call(Greeter.greet, 42)
        self.greeter.call(Other.other, 1)
        self.child.ship(7)
        self.child.call(Ship.ship, 7)
        length: int = await self.greeter.greet(name)
        return await self.greeter.greet(name) + str(length)


executor = SerialExecutor()
reveal_type(executor.start(Hello, "x"))
reveal_type(executor.start(Hello, "x", workflow_id="w").result())
reveal_type(executor.run(Hello, "x"))
reveal_type(executor.run(Ship, "sku"))
executor.run(Hello, 1)
executor.run(Hello, name=1, task_list="t")
executor.start(Hello)
