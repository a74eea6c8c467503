"""Human approval: wait for an ``approve`` signal, give up after a deadline.

    python -m samples.approval

Runs twice on the SerialExecutor: once a manager approves in time (a signal sent through the
handle), once nobody does and the 3-day deadline passes (skipped ahead in milliseconds).
"""

from __future__ import annotations

from datetime import timedelta

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
    signal,
)


class Notifier(ActivityWorker, task_list="notify", version="1.0"):
    @activity_task(start_to_close_timeout=60)
    def ask(self, expense: str) -> None:
        print(f"  (email sent: please approve {expense})")


class ExpenseApproval(Workflow, task_list="expenses", version="1.0"):
    notifier = Notifier.client()

    def __init__(self) -> None:
        self.approved_by: str | None = None

    @signal
    def approve(self, by: str) -> None:
        self.approved_by = by

    @decision_task(execution_start_to_close_timeout=timedelta(days=7))
    async def run(self, expense: str) -> str:
        await self.notifier.ask(expense)
        try:
            async with self.timeout(timedelta(days=3)):
                await self.wait_for(lambda: self.approved_by is not None)
        except TimeoutError:
            return f"{expense}: not approved within 3 days"
        return f"{expense}: approved by {self.approved_by}"


def main() -> None:
    executor = SerialExecutor()
    handle = executor.start(ExpenseApproval, "laptop")
    handle.signal("approve", by="maria")
    print(handle.result())
    print(executor.run(ExpenseApproval, "yacht"))


if __name__ == "__main__":
    main()
