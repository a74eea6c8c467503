"""Three existing functions made a workflow without changing them.

    python -m samples.legacy [CUSTOMER_ID] [MONTHS]

``samples._legacy_billing`` is ordinary code that knows nothing of SWF. ``activity_task(...)``
applied to each function makes it an activity (named ``module.function``); ``@decision_task`` on
an ``async def`` makes a workflow whose body calls them. Inside the workflow each call schedules
the activity and returns a promise; everywhere else the functions still run as before.
"""

from __future__ import annotations

import sys

from samples import _legacy_billing as billing
from swfobjects import RetryPolicy, SerialExecutor, activity_task, decision_task, workflow

find_customer = activity_task(task_list="billing", start_to_close_timeout=30)(billing.find_customer)
compute_invoice = activity_task(task_list="billing", start_to_close_timeout=30)(
    billing.compute_invoice
)
send_invoice = activity_task(
    task_list="mail", start_to_close_timeout=60, retry=RetryPolicy(max_attempts=5)
)(billing.send_invoice)


@decision_task(name="legacy.invoice", task_list="billing-flows", version="1.0")
async def invoice(customer_id: str, months: int) -> str:
    """Bill a customer: look them up, compute the amount, wait for the billing run, send."""
    customer = await find_customer(customer_id)
    cents = await compute_invoice(customer, months)
    await workflow.timer(3600)  # a durable timer: the nightly billing run
    message_id = await send_invoice(customer["email"], cents)
    return f"{message_id}: {customer['name']} owes {cents / 100:.2f} EUR"


def main(argv: list[str]) -> None:
    customer_id = argv[0] if argv else "c-1"
    months = int(argv[1]) if len(argv) > 1 else 3
    executor = SerialExecutor(workers=[find_customer, compute_invoice, send_invoice])
    print(executor.run(invoice, customer_id, months))
    print("outbox:", billing.OUTBOX)
    print("called directly, still the plain function:", compute_invoice({"plan": "pro"}, 1))


if __name__ == "__main__":
    main(sys.argv[1:])
