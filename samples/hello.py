"""Hello world: one activity, one workflow, run in-process.

python -m samples.hello [NAME]
"""

from __future__ import annotations

import sys

from swfobjects import ActivityWorker, SerialExecutor, Workflow, activity_task, decision_task


class Greeter(ActivityWorker, task_list="greetings", version="1.0"):
    """Activities do the real work (I/O, databases...); here, string formatting."""

    @activity_task(start_to_close_timeout=30)
    def greet(self, name: str) -> str:
        return f"Hello, {name}!"


class Hello(Workflow, task_list="hello", version="1.0"):
    """The workflow decides what runs; it is replayed, so it only awaits stubs and timers."""

    greeter = Greeter.client()

    @decision_task(execution_start_to_close_timeout=300)
    async def run(self, name: str) -> str:
        return await self.greeter.greet(name)


def main(argv: list[str]) -> None:
    name = argv[0] if argv else "world"
    print(SerialExecutor().run(Hello, name))


if __name__ == "__main__":
    main(sys.argv[1:])
