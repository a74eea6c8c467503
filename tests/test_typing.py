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
