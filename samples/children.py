"""Child workflows: a parent ships each order line as its own child workflow.

python -m samples.children
"""

from __future__ import annotations

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    all_of,
    decision_task,
)
from swfobjects.exceptions import ChildWorkflowFailedError


class Warehouse(ActivityWorker, task_list="warehouse", version="1.0"):
    @activity_task(start_to_close_timeout=60)
    def pick(self, sku: str) -> str:
        if sku.startswith("X"):
            raise LookupError(f"{sku} is out of stock")
        return f"box-{sku}"


class ShipLine(Workflow, task_list="ship-line", version="1.0"):
    warehouse = Warehouse.client()

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(self, sku: str) -> str:
        return await self.warehouse.pick(sku)


class ShipOrder(Workflow, task_list="ship-order", version="1.0"):
    lines = ShipLine.client(child_policy="TERMINATE")

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(self, skus: list[str]) -> dict[str, str]:
        async def ship(sku: str) -> str:
            try:
                return await self.lines.run(sku)  # one child workflow per line, in parallel
            except ChildWorkflowFailedError as error:
                return f"failed: {error.details.message}"

        boxes = await all_of(*[ship(sku) for sku in skus])  # helper coroutines, in parallel
        return dict(zip(skus, boxes, strict=True))


def main() -> None:
    print(SerialExecutor().run(ShipOrder, ["A1", "B2", "X9"]))


if __name__ == "__main__":
    main()
