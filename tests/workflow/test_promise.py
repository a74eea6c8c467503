"""Promises, combinators and the deterministic scheduler."""

from __future__ import annotations

import pytest

from swfobjects import Promise, all_of, any_of
from swfobjects.exceptions import WorkflowCodeError
from swfobjects.replay._scheduler import Scheduler


def test_promise_settles_once_and_runs_callbacks_in_order():
    p: Promise[int] = Promise()
    seen = []
    p.add_done_callback(lambda q: seen.append(("a", q.result())))
    p.add_done_callback(lambda q: seen.append(("b", q.result())))
    p.set_result(1)
    assert seen == [("a", 1), ("b", 1)]
    with pytest.raises(RuntimeError):
        p.set_result(2)
    with pytest.raises(RuntimeError, match="not settled"):
        Promise().result()


def test_all_of_fails_fast_and_any_of_gives_first():
    a, b = Promise(), Promise()
    both = all_of(a, b)
    b.set_exception(ValueError("x"))
    assert both.failed() and isinstance(both.exception(), ValueError)
    c, d = Promise(), Promise()
    first = any_of(c, d)
    d.set_result("d")
    assert first.result() is d
    assert all_of().result() == []


def test_scheduler_steps_coroutines_when_promises_settle():
    gate: Promise[int] = Promise()
    order = []

    async def waiter(name):
        order.append(f"{name} start")
        value = await gate
        order.append(f"{name} got {value}")
        return value

    scheduler = Scheduler()
    one = scheduler.spawn(waiter("one"))
    two = scheduler.spawn(waiter("two"))
    scheduler.run()
    assert order == ["one start", "two start"]
    gate.set_result(7)
    scheduler.run()
    assert order[2:] == ["one got 7", "two got 7"]
    assert one.result() == two.result() == 7


def test_awaiting_a_foreign_awaitable_is_a_clear_error():
    class Foreign:
        def __await__(self):
            yield "not a promise"

    async def bad():
        await Foreign()

    scheduler = Scheduler()
    p = scheduler.spawn(bad())
    scheduler.run()
    with pytest.raises(WorkflowCodeError, match="not a swfobjects Promise"):
        p.result()
