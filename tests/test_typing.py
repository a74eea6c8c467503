"""Type checkers see ``Promise[R]`` for the documented typed calling style, and check its
arguments against the activity's signature (the README promises both)."""

from __future__ import annotations

import textwrap

import pytest

pytestmark = pytest.mark.slow

SNIPPET = textwrap.dedent(
    """
    from swfobjects import ActivityWorker, Workflow, activity_task, decision_task

    class Greeter(ActivityWorker, task_list="greetings"):
        @activity_task
        def greet(self, name: str) -> str:
            return name

    class Hello(Workflow):
        greeter = Greeter.client()

        @decision_task
        async def run(self, name: str) -> str:
            promise = self.greeter.call(Greeter.greet, name)
            reveal_type(promise)
            self.greeter.call(Greeter.greet, 42)
            return await promise
    """
)


def test_typed_call_style_is_seen_as_promise_of_result(tmp_path):
    api = pytest.importorskip("mypy.api")
    path = tmp_path / "typed_workflow.py"
    path.write_text(SNIPPET)
    stdout, _stderr, _status = api.run(
        [str(path), "--no-incremental", "--ignore-missing-imports", "--cache-dir", "/dev/null"]
    )
    assert 'Revealed type is "swfobjects.workflow._promise.Promise[str]"' in stdout, stdout
    assert 'Argument 2 to "call"' in stdout and '"int"; expected "str"' in stdout, stdout


FUNCTIONS = textwrap.dedent(
    """
    from swfobjects import ActivityWorker, SerialExecutor, activity_task, decision_task

    def legacy_add(a: int, b: int) -> int:
        return a + b

    add = activity_task(task_list="math")(legacy_add)

    @activity_task(task_list="math", start_to_close_timeout=30)
    def double(x: int) -> int:
        return 2 * x

    class Worker(ActivityWorker, task_list="w"):
        @activity_task(start_to_close_timeout=30)
        def method(self, x: int) -> int:
            return x

    @decision_task(task_list="flows")
    async def compute(a: int, b: int) -> int:
        reveal_type(add(a, b))
        reveal_type(double.with_options(start_to_close_timeout=5)(1))
        reveal_type(add.func(a, b))
        reveal_type(Worker().method(1))
        double("two")
        return await double(await add(a, b))

    @decision_task(task_list="flows")
    async def parent() -> int:
        reveal_type(compute(1, 2))
        return await compute(1, 2)

    SerialExecutor().run(compute, 1, 2)
    """
)


def test_function_activities_and_workflows_are_seen_as_promises(tmp_path):
    """A decorated function's call in workflow code is ``Promise[R]``; ``.func`` is ``R``; a
    decorated method keeps its own type; executors take workflow functions."""
    api = pytest.importorskip("mypy.api")
    path = tmp_path / "typed_functions.py"
    path.write_text(FUNCTIONS)
    stdout, _stderr, _status = api.run(
        [str(path), "--strict", "--no-incremental", "--cache-dir", "/dev/null"]
    )
    promise = 'Revealed type is "swfobjects.workflow._promise.Promise[int]"'
    lines = stdout.splitlines()
    revealed = [line.split("note: ", 1)[1] for line in lines if "Revealed type" in line]
    assert revealed == [
        promise,
        promise,
        'Revealed type is "int"',
        'Revealed type is "int"',
        promise,
    ], stdout
    errors = [line for line in lines if ": error:" in line]
    assert len(errors) == 1 and '"str"; expected "int"' in errors[0], stdout
