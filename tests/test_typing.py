"""What type checkers see of stubs, child workflows, handles and executors (README, "Calling
styles and type checking"): mypy with the shipped plugin, mypy without it, and pyright.

Each checker runs over ``tests/typing_cases/stubs_and_executors.py`` (correct and incorrect
calls); its findings are keyed by the text of the source line and compared exactly, so a lost
error, a new one or a changed type all fail. mypy with the plugin also checks ``samples/``,
which must be clean.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

REPO = pathlib.Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "typing_cases" / "stubs_and_executors.py"
PROMISE = "swfobjects.workflow._promise.Promise"
HANDLE = "swfobjects.client._handle.WorkflowHandle"


def _revealed(type_text: str) -> str:
    return f'note: Revealed type is "{type_text}"'


MYPY_WITH_PLUGIN = {
    "reveal_type(self.greeter.greet(name))": [_revealed(f"{PROMISE}[str]")],
    'reveal_type(self.eu_greeter.count(["a"], upper=True))': [_revealed(f"{PROMISE}[int]")],
    "reveal_type(self.greeter.call(Greeter.greet, name))": [_revealed(f"{PROMISE}[str]")],
    'reveal_type(self.child.ship("sku"))': [_revealed(f"{PROMISE}[list[str]]")],
    'reveal_type(self.child.call(Ship.ship, "sku"))': [_revealed(f"{PROMISE}[list[str]]")],
    "reveal_type(self.eu_greeter._overrides)": [_revealed("dict[str, Any]")],
    "self.greeter.greet(42)": [
        'error: Argument 1 to "greet" of "Greeter" has incompatible type "int"; expected "str"'
        "  [arg-type]"
    ],
    'self.greeter.count(["a"], True)': [
        'error: Too many positional arguments for "count" of "Greeter"  [call-arg]'
    ],
    "self.greeter.gret(name)": [
        'error: "Greeter" has no @activity_task "gret" (it has: count, greet)  [attr-defined]'
    ],
    "self.greeter.helper()": [
        'error: "Greeter" has no @activity_task "helper" (it has: count, greet)  [attr-defined]'
    ],
    "self.greeter.call(Greeter.greet, 42)": [
        'error: Argument 2 to "call" of "ActivityCalls" has incompatible type "int"; '
        'expected "str"  [arg-type]'
    ],
    "self.greeter.call(Other.other, 1)": [
        'error: Argument 1 to "call" of "ActivityCalls" has incompatible type '
        '"Callable[[Other, int], int]"; expected "Callable[[Greeter, int], int]"  [arg-type]',
    ],
    "self.child.ship(7)": [
        'error: Argument 1 to "ship" of "Ship" has incompatible type "int"; expected "str"'
        "  [arg-type]"
    ],
    "self.child.call(Ship.ship, 7)": [
        'error: Argument 2 to "call" of "WorkflowCalls" has incompatible type "int"; '
        'expected "str"  [arg-type]'
    ],
    "length: int = await self.greeter.greet(name)": [
        'error: Incompatible types in assignment (expression has type "str", variable has type '
        '"int")  [assignment]'
    ],
    'reveal_type(executor.start(Hello, "x"))': [_revealed(f"{HANDLE}[str]")],
    'reveal_type(executor.start(Hello, "x", workflow_id="w").result())': [_revealed("str")],
    'reveal_type(executor.run(Hello, "x"))': [_revealed("str")],
    'reveal_type(executor.run(Ship, "sku"))': [_revealed("list[str]")],
    "executor.run(Hello, 1)": [
        'error: Argument 1 to "run" of "Hello" has incompatible type "int"; expected "str"'
        "  [arg-type]"
    ],
    'executor.run(Hello, name=1, task_list="t")': [
        'error: Argument 1 to "run" of "Hello" has incompatible type "int"; expected "str"'
        "  [arg-type]"
    ],
    "executor.start(Hello)": [
        'error: Missing positional argument "name" in call to "run" of "Hello"  [call-arg]'
    ],
}

_ATTRIBUTE_STYLE = _revealed(f"{PROMISE}[Any]")
MYPY_WITHOUT_PLUGIN = {
    **{
        line: found
        for line, found in MYPY_WITH_PLUGIN.items()
        if "call(" in line
        or "executor.start(Hello, " in line
        or 'run(Hello, "x")' in line
        or "_overrides" in line
    },
    "reveal_type(self.greeter.greet(name))": [_ATTRIBUTE_STYLE],
    'reveal_type(self.eu_greeter.count(["a"], upper=True))': [_ATTRIBUTE_STYLE],
    'reveal_type(self.child.ship("sku"))': [_ATTRIBUTE_STYLE],
    'reveal_type(executor.run(Ship, "sku"))': [_revealed("Any")],
    "return await self.greeter.greet(name) + str(length)": [
        'error: Returning Any from function declared to return "str"  [no-any-return]'
    ],
}
"""Without the plugin: the call() style and run-named entries stay typed; the attribute style
is ``Promise[Any]`` and unchecked; an entry of another name gives ``Any``."""

PYRIGHT = {
    "reveal_type(self.greeter.greet(name))": ['information: Type of "{}" is "Promise[Any]"'],
    'reveal_type(self.eu_greeter.count(["a"], upper=True))': [
        'information: Type of "{}" is "Promise[Any]"'
    ],
    "reveal_type(self.greeter.call(Greeter.greet, name))": [
        'information: Type of "{}" is "Promise[str]"'
    ],
    'reveal_type(self.child.ship("sku"))': ['information: Type of "{}" is "Promise[Any]"'],
    'reveal_type(self.child.call(Ship.ship, "sku"))': [
        'information: Type of "{}" is "Promise[list[str]]"'
    ],
    "reveal_type(self.eu_greeter._overrides)": ['information: Type of "{}" is "dict[str, Any]"'],
    "self.greeter.call(Greeter.greet, 42)": [
        'error: Argument of type "Literal[42]" cannot be assigned to parameter "name" of type "str"'
    ],
    "self.greeter.call(Other.other, 1)": [
        'error: Argument of type "(Other, n: int) -> int" cannot be assigned to parameter '
        '"method" of type "(Greeter, **P@call) -> R@call" in function "call"'
    ],
    "self.child.call(Ship.ship, 7)": [
        'error: Argument of type "Literal[7]" cannot be assigned to parameter "sku" of type "str"'
    ],
    'reveal_type(executor.start(Hello, "x"))': [
        'information: Type of "{}" is "WorkflowHandle[str]"'
    ],
    'reveal_type(executor.start(Hello, "x", workflow_id="w").result())': [
        'information: Type of "{}" is "str"'
    ],
    'reveal_type(executor.run(Hello, "x"))': ['information: Type of "{}" is "str"'],
    'reveal_type(executor.run(Ship, "sku"))': ['information: Type of "{}" is "Any"'],
}
"""pyright has no plugins: it sees what mypy sees without one (its messages)."""


def _by_source_line(findings: list[tuple[pathlib.Path, int, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, line, message in findings:
        text = path.read_text().splitlines()[line - 1].strip()
        out.setdefault(text, []).append(message)
    return out


def _mypy(tmp_path: pathlib.Path, plugin: bool, *targets: pathlib.Path) -> tuple[str, int]:
    api = pytest.importorskip("mypy.api")
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\nstrict = True\n"
        f"mypy_path = {REPO}\n" + ("plugins = swfobjects.mypy_plugin\n" if plugin else "")
    )
    stdout, stderr, status = api.run(
        [*map(str, targets), "--config-file", str(config), "--no-incremental"]
        + ["--cache-dir", os.devnull, "--hide-error-context", "--no-error-summary"]
    )
    assert not stderr, stderr
    return stdout, status


def _mypy_findings(stdout: str) -> list[tuple[pathlib.Path, int, str]]:
    found = []
    for line in stdout.splitlines():
        match = re.fullmatch(r"(.+?):(\d+): (error|note): (.*)", line)
        assert match, line
        path = pathlib.Path(match[1])
        found.append(
            (path if path.is_absolute() else REPO / path, int(match[2]), f"{match[3]}: {match[4]}")
        )
    return found


def test_mypy_with_the_plugin_types_stubs_children_handles_and_executors(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # mypy reports paths relative to the working directory
    stdout, _status = _mypy(tmp_path, True, CASES, REPO / "samples")
    findings = _mypy_findings(stdout)
    assert [f for f in findings if f[0] != CASES] == [], "samples/ must type check"
    assert _by_source_line(findings) == MYPY_WITH_PLUGIN


def test_mypy_without_the_plugin_types_the_call_style_and_run_entries(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    stdout, _status = _mypy(tmp_path, False, CASES)
    assert _by_source_line(_mypy_findings(stdout)) == MYPY_WITHOUT_PLUGIN


def _pyright(tmp_path: pathlib.Path, case: pathlib.Path) -> dict[str, list[str]]:
    """pyright's findings on ``case``, by source line, or a skip saying why there are none."""
    pyright = shutil.which("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed (pip install 'pyright[nodejs]': the test extra)")
    config = tmp_path / "pyrightconfig.json"
    include = os.path.relpath(case, tmp_path)  # pyright takes only relative paths here
    config.write_text(json.dumps({"extraPaths": [str(REPO)], "include": [include]}))
    done = subprocess.run(
        [pyright, "--outputjson", "--pythonpath", sys.executable, "-p", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    pinned = re.search(r"pyright\[nodejs\]==([\d.]+)", (REPO / "setup.cfg").read_text())
    assert pinned, "setup.cfg's test extra pins pyright: its messages are compared exactly"
    if report["version"] != pinned[1]:
        pytest.skip(
            f"pyright {report['version']} is installed; its messages are pinned to "
            f"{pinned[1]} (setup.cfg's test extra)"
        )
    findings = []
    for diagnostic in report["generalDiagnostics"]:
        line = diagnostic["range"]["start"]["line"] + 1
        message = diagnostic["message"].splitlines()[0]
        findings.append(
            (pathlib.Path(diagnostic["file"]), line, f"{diagnostic['severity']}: {message}")
        )
    return _by_source_line(findings)


def _pyright_expected(table: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        line: [m.replace("{}", line.removeprefix("reveal_type(")[:-1]) for m in messages]
        for line, messages in table.items()
    }


def test_pyright_types_the_call_style_and_run_entries(tmp_path: pathlib.Path) -> None:
    assert _pyright(tmp_path, CASES) == _pyright_expected(PYRIGHT)


STUBBED = REPO / "tests" / "typing_cases" / "stubbed.py"
STUBBED_MYPY = {
    "reveal_type(self.greeter)": [_revealed("tests.typing_cases.stubbed_stubs.TypedGreeterStub")],
    "reveal_type(self.greeter.greet(name))": [_revealed(f"{PROMISE}[str]")],
    'reveal_type(self.eu_greeter.count(["a"], upper=True))': [_revealed(f"{PROMISE}[int]")],
    "reveal_type(self.greeter.when(self.now()))": [_revealed(f"{PROMISE}[datetime.date]")],
    'reveal_type(self.child.ship("sku", "gift"))': [_revealed(f"{PROMISE}[list[str]]")],
    "reveal_type(self.greeter.call(TypedGreeter.greet, name))": [_revealed(f"{PROMISE}[str]")],
    "self.greeter.greet(42)": [
        'error: Argument 1 to "greet" of "TypedGreeterStub" has incompatible type "int"; expected '
        '"str"  [arg-type]'
    ],
    'self.greeter.count(["a"], True)': [
        'error: Too many positional arguments for "count" of "TypedGreeterStub"  [call-arg]',
        'note: "count" defined in "tests.typing_cases.stubbed_stubs"',
    ],
    'self.greeter.when(self.now(), "medium")': [
        'error: Argument 2 to "when" of "TypedGreeterStub" has incompatible type '
        "\"Literal['medium']\"; expected \"Literal['fast', 'slow']\"  [arg-type]"
    ],
    "self.child.ship(7)": [
        'error: Argument 1 to "ship" of "TypedShipStub" has incompatible type "int"; expected "str"'
        "  [arg-type]"
    ],
    "length: int = await self.greeter.greet(name)": [
        'error: Incompatible types in assignment (expression has type "str", variable has type '
        '"int")  [assignment]'
    ],
    "self.greeter.gret(name)": [
        'error: "TypedGreeterStub" has no attribute "gret"; maybe "greet"?  [attr-defined]'
    ],
}
"""With generated stubs mypy needs no plugin: the same findings with it and without (a
misspelt name too: the stubs have no ``__getattr__``)."""

STUBBED_PYRIGHT = {
    "reveal_type(self.greeter)": ['information: Type of "{}" is "TypedGreeterStub"'],
    "reveal_type(self.greeter.greet(name))": ['information: Type of "{}" is "Promise[str]"'],
    'reveal_type(self.eu_greeter.count(["a"], upper=True))': [
        'information: Type of "{}" is "Promise[int]"'
    ],
    "reveal_type(self.greeter.when(self.now()))": ['information: Type of "{}" is "Promise[date]"'],
    'reveal_type(self.child.ship("sku", "gift"))': [
        'information: Type of "{}" is "Promise[list[str]]"'
    ],
    "reveal_type(self.greeter.call(TypedGreeter.greet, name))": [
        'information: Type of "{}" is "Promise[str]"'
    ],
    "self.greeter.greet(42)": [
        'error: Argument of type "Literal[42]" cannot be assigned to parameter "name" of type '
        '"str" in function "greet"'
    ],
    'self.greeter.count(["a"], True)': ["error: Expected 1 positional argument"],
    'self.greeter.when(self.now(), "medium")': [
        'error: Argument of type "Literal[\'medium\']" cannot be assigned to parameter "mode" '
        "of type \"Literal['fast', 'slow']\" in function \"when\""
    ],
    "self.child.ship(7)": [
        'error: Argument of type "Literal[7]" cannot be assigned to parameter "sku" of type '
        '"str" in function "ship"'
    ],
    "length: int = await self.greeter.greet(name)": [
        'error: Type "str" is not assignable to declared type "int"'
    ],
    "self.greeter.gret(name)": [
        'error: Cannot access attribute "gret" for class "TypedGreeterStub"'
    ],
}
"""pyright reads the generated stubs as mypy does: the attribute style typed and checked."""


@pytest.mark.parametrize("plugin", [True, False], ids=["plugin", "no-plugin"])
def test_mypy_types_the_attribute_style_through_generated_stubs(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, plugin: bool
) -> None:
    monkeypatch.chdir(REPO)
    stdout, _status = _mypy(tmp_path, plugin, STUBBED)
    assert _by_source_line(_mypy_findings(stdout)) == STUBBED_MYPY


def test_pyright_types_the_attribute_style_through_generated_stubs(
    tmp_path: pathlib.Path,
) -> None:
    assert _pyright(tmp_path, STUBBED) == _pyright_expected(STUBBED_PYRIGHT)


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
