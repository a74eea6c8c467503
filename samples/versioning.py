"""Versioning with ``self.patched()``: change a deployed workflow without breaking open runs.

    python -m samples.versioning

Lifecycle shown here on one SerialExecutor:
1. v1 of ``Onboarding`` starts a run: it creates the account, then waits for a signal;
2. the code is "redeployed" with a new step after the account creation, guarded by
   ``self.patched("send-welcome-gift")``;
3. the old run, already past that point, replays with ``patched() == False`` and finishes on
   the old path (its history has no patch marker); a new run takes the new path. Once no old
   runs are open, the ``patched`` check can be deleted.
"""

from __future__ import annotations

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    activity_task,
    decision_task,
    signal,
)

NEW_CODE_DEPLOYED = False


class Crm(ActivityWorker, task_list="crm", version="1.0"):
    @activity_task(start_to_close_timeout=60)
    def create_account(self, user: str) -> str:
        return f"account:{user}"

    @activity_task(start_to_close_timeout=60)
    def send_gift(self, user: str) -> str:
        return f"gift:{user}"

    @activity_task(start_to_close_timeout=60)
    def activate(self, user: str) -> str:
        return f"active:{user}"


class Onboarding(Workflow, task_list="onboarding", version="1.0"):
    crm = Crm.client()

    def __init__(self) -> None:
        self.confirmed = False

    @signal
    def confirm(self) -> None:
        self.confirmed = True

    @decision_task(execution_start_to_close_timeout=3600)
    async def run(self, user: str) -> list[str]:
        steps = [await self.crm.create_account(user)]
        if NEW_CODE_DEPLOYED and self.patched("send-welcome-gift"):
            steps.append(await self.crm.send_gift(user))
        await self.wait_for(lambda: self.confirmed)
        steps.append(await self.crm.activate(user))
        return steps


def main() -> None:
    global NEW_CODE_DEPLOYED
    executor = SerialExecutor()
    old = executor.start(Onboarding, "ann")
    executor.run_until_idle()  # ann's account exists; her run waits, on the old code
    NEW_CODE_DEPLOYED = True  # "deploy" the new code
    new = executor.start(Onboarding, "bob")
    old.signal("confirm")
    new.signal("confirm")
    print("run started before the change:", old.result())
    print("run started after the change: ", new.result())


if __name__ == "__main__":
    main()
