"""Declarations: class options, Meta, defaults, type descriptions, bad declarations."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from swfobjects import ActivityWorker, RetryPolicy, Workflow, activity_task, decision_task
from swfobjects.exceptions import DeclarationError


def test_class_keywords_and_defaults():
    class Mailer(ActivityWorker, task_list="mail", version="3"):
        @activity_task
        def send(self, to: str) -> bool:
            return True

        @activity_task(
            name="custom",
            task_list="other",
            start_to_close_timeout=timedelta(minutes=2),
            heartbeat_timeout=30,
            retry=RetryPolicy(max_attempts=4),
        )
        def other(self) -> None:
            pass

    send, other = sorted(Mailer.activity_types(), key=lambda a: a.method_name == "other")
    assert (send.name, send.version, send.task_list) == ("Mailer.send", "3", "mail")
    assert send.start_to_close_timeout == "300" and send.schedule_to_start_timeout == "NONE"
    assert send.retry.max_attempts == 1
    assert (other.name, other.task_list, other.start_to_close_timeout) == ("custom", "other", "120")
    assert other.heartbeat_timeout == "30" and other.retry.max_attempts == 4


def test_meta_options_and_keywords_win():
    class Billing(ActivityWorker, version="9"):
        class Meta:
            task_list = "billing"
            version = "1"
            start_to_close_timeout = 5

        @activity_task
        def charge(self, cents: int) -> int:
            return cents

    (charge,) = Billing.activity_types()
    assert (charge.task_list, charge.version, charge.start_to_close_timeout) == (
        "billing",
        "9",
        "5",
    )


def test_workflow_needs_exactly_one_async_decision_task():
    with pytest.raises(DeclarationError, match="exactly one"):

        class Empty(Workflow):
            pass

    with pytest.raises(DeclarationError, match="async def"):

        @decision_task
        def not_async(self):
            pass

    with pytest.raises(DeclarationError, match="plain"):

        @activity_task
        async def not_sync(self):
            pass


def test_workflow_type_description():
    class Ship(Workflow, task_list="ship", version="2", child_policy="ABANDON"):
        @decision_task(execution_start_to_close_timeout=timedelta(days=2))
        async def run(self, order: str) -> str:
            return order

    wtype = Ship.workflow_type()
    assert (wtype.name, wtype.version, wtype.task_list, wtype.child_policy) == (
        "Ship",
        "2",
        "ship",
        "ABANDON",
    )
    assert wtype.execution_start_to_close_timeout == str(2 * 86400)
    assert list(wtype.signature.parameters) == ["order"]


def test_bad_options_are_named():
    with pytest.raises(DeclarationError, match="unknown option"):

        class Bad(ActivityWorker, tasklist="x"):
            pass

    with pytest.raises(DeclarationError, match="task list"):

        class Colon(ActivityWorker, task_list="a:b"):
            @activity_task
            def f(self) -> None:
                pass

    with pytest.raises(DeclarationError, match="negative"):

        @activity_task(start_to_close_timeout=-1)
        def g(self):
            pass

        class Neg(ActivityWorker):
            h = g


def test_retry_policy_validates_and_computes_delays():
    policy = RetryPolicy(
        max_attempts=4,
        initial_interval=1,
        backoff_coefficient=2,
        maximum_interval=3,
        non_retryable=(KeyError, "mod.Custom"),
    )
    assert [policy.delay(n) for n in (1, 2, 3)] == [1, 2, 3]
    assert not policy.is_retryable("KeyError") and not policy.is_retryable("mod.Custom")
    assert policy.allows(3, "RuntimeError") and not policy.allows(4, "RuntimeError")
    with pytest.raises(DeclarationError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(DeclarationError):
        RetryPolicy(jitter=2)


@pytest.mark.parametrize(
    "bad", ["²", "٣", "abc", "nan", "1.5", " 1", "31536001", math.inf, math.nan]
)
def test_timeout_value_takes_only_what_swf_takes(bad: object) -> None:
    from swfobjects.workflow._options import timeout_value

    with pytest.raises(DeclarationError):
        timeout_value(bad)  # type: ignore[arg-type]
