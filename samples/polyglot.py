"""A workflow calling an activity written in another language, by name.

    python -m samples.polyglot [ORDER_ID] [CENTS]

The "foreign" worker below uses nothing of swfobjects: plain boto3, as a Java, Go or Node
worker would use its own SDK. It registers activity type ``ProcessOrder`` version ``2.0``,
polls task list ``java-workers``, reads the input as plain JSON (an array of the arguments)
and answers plain JSON. The workflow calls it by name with ``self.call_activity(...)``, and a
second call uses raw mode: the text goes through untouched, for code with its own format.
Everything runs against ``swfobjects local`` on 127.0.0.1 (an SWF-compatible service in this
process), so the sample needs no AWS account.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
from typing import Any

from swfobjects import SWFExecutor, Workflow, decision_task
from swfobjects.local import LocalSWF

DOMAIN = "polyglot"


@dataclasses.dataclass
class Invoice:
    order_id: str
    total_cents: int
    currency: str


class Checkout(Workflow, task_list="checkout", version="1.0"):
    @decision_task(execution_start_to_close_timeout=60, task_start_to_close_timeout=10)
    async def run(self, order_id: str, cents: int) -> str:
        invoice = await self.call_activity(
            "ProcessOrder", "2.0", order_id, cents, task_list="java-workers", result_type=Invoice
        )
        stamped = await self.call_activity(
            "ProcessOrder", "2.0", f"STAMP|{order_id}", raw=True, task_list="java-workers"
        )
        return f"{invoice.order_id}: {invoice.total_cents / 100:.2f} {invoice.currency}; {stamped}"


def foreign_worker(client: Any, stop: threading.Event) -> None:
    """Stands for a worker in another language: raw SWF calls, plain JSON in and out."""
    while not stop.is_set():
        task = client.poll_for_activity_task(
            domain=DOMAIN, taskList={"name": "java-workers"}, identity="java-worker-1"
        )
        if not task.get("taskToken"):
            continue  # the long poll ended empty
        text = task.get("input", "")
        if text.startswith("STAMP|"):  # its own format, passed through untouched
            result = f"stamped:{text.split('|', 1)[1]}"
        else:
            order_id, cents = json.loads(text)  # a JSON array of the arguments
            total = round(cents * 1.2)  # VAT
            result = json.dumps({"order_id": order_id, "total_cents": total, "currency": "EUR"})
        client.respond_activity_task_completed(taskToken=task["taskToken"], result=result)


def main(argv: list[str]) -> None:
    order_id = argv[0] if argv else "order-7"
    cents = int(argv[1]) if len(argv) > 1 else 1000
    with LocalSWF(poll_timeout=1) as swf:
        client = swf.client()
        executor = SWFExecutor(DOMAIN, client=client, poll_interval=0.2)
        executor.register(Checkout)
        client.register_activity_type(  # what the foreign code's deployment does
            domain=DOMAIN,
            name="ProcessOrder",
            version="2.0",
            defaultTaskList={"name": "java-workers"},
            defaultTaskStartToCloseTimeout="30",
            defaultTaskScheduleToStartTimeout="60",
            defaultTaskScheduleToCloseTimeout="90",
            defaultTaskHeartbeatTimeout="NONE",
        )
        stop = threading.Event()
        foreign = threading.Thread(target=foreign_worker, args=(swf.client(), stop), daemon=True)
        foreign.start()
        try:
            with executor.running(Checkout):
                print(executor.start(Checkout, order_id, cents).result(timeout=60))
        finally:
            stop.set()
            foreign.join(timeout=5)


if __name__ == "__main__":
    main(sys.argv[1:])
