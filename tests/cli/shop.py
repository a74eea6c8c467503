"""The user module the CLI tests name on the command line (``tests.cli.shop:Checkout``...).

``Checkout`` packs an order, waits for a signal ``approve`` unless told not to, and charges
(``charge`` fails its first attempt for amounts over 100, so a retry shows in the history).
Its ``@state`` is the step it is at. ``Refuse`` always fails, for the failure display of ``show``.
"""

from __future__ import annotations

from swfobjects import (
    ActivityWorker,
    RetryPolicy,
    Workflow,
    activity_task,
    decision_task,
    signal,
    state,
)

TIMEOUTS = {"execution_start_to_close_timeout": 300, "task_start_to_close_timeout": 10}

_charged: dict[str, int] = {}


class Warehouse(ActivityWorker, task_list="cli-shop-activities", version="1.0"):
    @activity_task(start_to_close_timeout=30)
    def pack(self, item: str) -> str:
        return f"box({item})"

    @activity_task(
        start_to_close_timeout=30,
        retry=RetryPolicy(max_attempts=3, initial_interval=0.1, backoff_coefficient=1),
    )
    def charge(self, order: str, cents: int) -> int:
        tries = _charged[order] = _charged.get(order, 0) + 1
        if cents > 100 and tries == 1:
            raise ConnectionError(f"card network busy for {order}")
        return cents

    @activity_task(start_to_close_timeout=30)
    def refuse(self, item: str) -> str:
        raise PermissionError(f"{item} may not ship")


class Checkout(Workflow, task_list="cli-shop", version="1.0", **TIMEOUTS):
    warehouse = Warehouse.client()

    def __init__(self) -> None:
        self.approved_by = ""
        self.step = "packing"

    @state
    def status(self) -> str:
        return self.step

    @signal
    def approve(self, by: str) -> None:
        self.approved_by = by

    @decision_task
    async def run(self, item: str, cents: int = 50, wait: bool = False) -> dict[str, object]:
        box = await self.warehouse.pack(item)
        if wait:
            self.step = "waiting for approval"
            await self.wait_for(lambda: bool(self.approved_by))
        self.step = "charging"
        paid = await self.warehouse.charge(item, cents)
        self.step = "done"
        return {"box": box, "paid": paid, "approved_by": self.approved_by}


class Refuse(Workflow, task_list="cli-shop", version="1.0", **TIMEOUTS):
    warehouse = Warehouse.client()

    @decision_task
    async def run(self, item: str) -> str:
        return await self.warehouse.refuse(item)
