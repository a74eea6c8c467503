"""Approval by e-mail: an activity completed days later by whoever holds its task token.

    python -m samples.approval_by_email

The ``request`` activity is declared ``manual_completion=True``: it e-mails a link carrying
its task token (here: puts it in an outbox) and returns without answering. The manager's click
(here: ``executor.complete_activity``) answers it later, from any process, with a result
checked against the declared ``bool``. On the SerialExecutor the "days later" is simply the
gap between two ``run_until_idle()`` calls.
"""

from __future__ import annotations

from datetime import timedelta

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
)
from swfobjects.exceptions import SerializationError

OUTBOX: dict[str, str] = {}
"""Expense -> approval link, as a mail server would hold them."""


class Mailer(ActivityWorker, task_list="approvals-mail", version="1.0"):
    @activity_task(manual_completion=True, start_to_close_timeout=timedelta(days=3))
    def request(self, expense: str, approver: str) -> bool:
        link = f"https://approve.example/?token={self.activity_task.task_token}"
        OUTBOX[expense] = link
        self.log.info("mailed %s to %s", expense, approver)
        print(f"  (email to {approver}: approve {expense}? {link[:48]}...)")
        return None  # type: ignore[return-value]  # the approver answers, not this method


class Expense(Workflow, task_list="approvals", version="1.0"):
    mailer = Mailer.client()

    @decision_task(execution_start_to_close_timeout=timedelta(days=7))
    async def run(self, expense: str) -> str:
        approved = await self.mailer.request(expense, "maria@example.com")
        return f"{expense}: {'approved' if approved else 'rejected'}"


def clicked(link: str) -> str:
    """What the web page behind the link does with it: take the token back out."""
    return link.partition("?token=")[2]


def main() -> None:
    executor = SerialExecutor()
    laptop = executor.start(Expense, "laptop")
    yacht = executor.start(Expense, "yacht")
    executor.run_until_idle()  # both e-mails sent; both runs wait (time does not skip ahead)
    print(f"waiting: {laptop.is_open() and yacht.is_open()}")
    try:
        executor.complete_activity(clicked(OUTBOX["laptop"]), "sure")
    except SerializationError as error:
        print(f"refused before SWF saw it: {error}")
    executor.complete_activity(clicked(OUTBOX["laptop"]), True)
    executor.complete_activity(clicked(OUTBOX["yacht"]), False)
    print(laptop.result())
    print(yacht.result())


if __name__ == "__main__":
    main()
