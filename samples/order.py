"""An order: a payment that fails twice and is retried with backoff, then a shipping delay.

    python -m samples.order

Retries wait on durable SWF timers and the shipping delay is a 2-day timer: on the
SerialExecutor both are skipped ahead, so the run takes milliseconds.
"""

from __future__ import annotations

import dataclasses
import decimal
import zlib
from datetime import timedelta

from swfobjects import (
    ActivityTaskError,
    ActivityWorker,
    RetryPolicy,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
)


@dataclasses.dataclass
class Order:
    id: str
    amount: decimal.Decimal
    address: str


@dataclasses.dataclass
class Confirmation:
    order_id: str
    receipt: str
    tracking: str
    shipped_after_days: int


class PaymentDeclined(Exception):
    """Not worth retrying: the card was refused."""


class Payments(ActivityWorker, task_list="payments", version="1.0"):
    def __init__(self) -> None:
        self.attempts = 0

    @activity_task(
        start_to_close_timeout=60,
        retry=RetryPolicy(
            max_attempts=5,
            initial_interval=2,
            backoff_coefficient=2,
            non_retryable=(PaymentDeclined,),
        ),
    )
    def charge(self, order_id: str, amount: decimal.Decimal) -> str:
        self.attempts += 1
        if self.attempts <= 2:
            raise ConnectionError(f"payment gateway unreachable (attempt {self.attempts})")
        return f"receipt-{order_id}-{amount}"


class Shipping(ActivityWorker, task_list="shipping", version="1.0"):
    @activity_task(start_to_close_timeout=60)
    def label(self, address: str) -> str:
        return f"TRACK-{zlib.crc32(address.encode()) % 100000:05d}"


class Checkout(Workflow, task_list="checkout", version="1.0"):
    payments = Payments.client()
    shipping = Shipping.client()

    @decision_task(execution_start_to_close_timeout=timedelta(days=7))
    async def run(self, order: Order) -> Confirmation:
        receipt = self.payments.charge(order.id, order.amount)  # scheduled now
        label = self.shipping.label(order.address)  # in parallel
        started = self.now()
        try:
            paid = await receipt
        except ActivityTaskError as error:
            raise RuntimeError(f"order {order.id} not paid: {error.message}") from error
        await self.timer(timedelta(days=2))  # a durable 2-day wait
        days = (self.now() - started).days
        return Confirmation(order.id, paid, await label, days)


def main() -> None:
    payments = Payments()
    executor = SerialExecutor(workers=[payments])
    order = Order("42", decimal.Decimal("19.99"), "1 Main St")
    confirmation = executor.run(Checkout, order)
    print(confirmation)
    print(f"payment attempts: {payments.attempts}")


if __name__ == "__main__":
    main()
