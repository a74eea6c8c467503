"""The attribute style with generated stubs (``swfobjects stubgen``), checked by
tests/test_typing.py: ``stubbed_stubs.py`` beside it is that command's output, and the
classes opt in with ``swf_stub``. Importable (stubgen imports it); never run.

Each line that a checker reports on is matched by its text, so keep lines unique.
"""
# ruff: noqa: F821  (reveal_type is known to type checkers only)

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from swfobjects import ActivityWorker, Workflow, activity_task, decision_task

if TYPE_CHECKING:
    from .stubbed_stubs import TypedGreeterStub, TypedShipStub


class TypedGreeter(ActivityWorker, task_list="greetings"):
    swf_stub: TypedGreeterStub

    @activity_task
    def greet(self, name: str) -> str:
        return name

    @activity_task(start_to_close_timeout=30)
    def count(self, words: list[str], *, upper: bool = False) -> int:
        return len(words)

    @activity_task
    def when(self, at: dt.datetime, mode: Literal["fast", "slow"] = "fast", /) -> dt.date:
        return at.date()

    def helper(self) -> None:
        """Not an activity: no stub method."""


class TypedShip(Workflow):
    swf_stub: TypedShipStub
    greeter = TypedGreeter.client()

    @decision_task
    async def ship(self, sku: str, *extra: str) -> list[str]:
        return [await self.greeter.greet(sku), *extra]


class TypedHello(Workflow):
    greeter = TypedGreeter.client()
    eu_greeter = TypedGreeter.client(task_list="eu").with_options(start_to_close_timeout=10)
    child = TypedShip.client()

    @decision_task
    async def run(self, name: str) -> str:
        reveal_type(self.greeter)
        reveal_type(self.greeter.greet(name))
        reveal_type(self.eu_greeter.count(["a"], upper=True))
        reveal_type(self.greeter.when(self.now()))
        reveal_type(self.child.ship("sku", "gift"))
        reveal_type(self.greeter.call(TypedGreeter.greet, name))
        self.greeter.greet(42)
        self.greeter.count(["a"], True)
        self.greeter.when(self.now(), "medium")
        self.child.ship(7)
        length: int = await self.greeter.greet(name)
        self.greeter.gret(name)
        return await self.greeter.greet(name) + str(length)
