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


def test_all_of_gives_results_in_argument_order_whatever_the_settle_order():
    a, b, c = Promise(), Promise(), Promise()
    combined = all_of(a, b, c)
    c.set_result("c")
    a.set_result("a")
    assert not combined.done()
    b.set_result("b")
    assert combined.result() == ["a", "b", "c"]
    assert a.observed and b.observed and c.observed  # subscribed: none reported unawaited


def test_all_of_keeps_the_first_failure_and_ignores_later_outcomes():
    a, b, c = Promise(), Promise(), Promise()
    combined = all_of(a, b, c)
    a.set_result(1)
    first = KeyError("first")
    c.set_exception(first)
    b.set_exception(ValueError("second"))
    assert combined.exception() is first


def test_all_of_cancels_every_input():
    cancelled = []
    inputs = [Promise(), Promise()]
    for index, promise in enumerate(inputs):
        promise._cancel_hook = lambda index=index: cancelled.append(index)
    assert all_of(*inputs).cancel()
    assert cancelled == [0, 1]


def test_all_of_refuses_what_is_neither_promise_nor_coroutine():
    with pytest.raises(TypeError, match="expected a Promise or a coroutine, got int"):
        all_of(Promise(), 3)


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
