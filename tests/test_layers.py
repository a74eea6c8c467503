"""The package layout is the architecture: imports run one way, and no module imports itself
back through a circle.

Every import counts: top-level ones, those inside functions, and those under
``TYPE_CHECKING``. The allowed direction (see CONTRIBUTING.rst)::

    exceptions <- swf <- payloads <- workflow <- replay <- worker <- client <- testing
                  swf <- model <- local                                 (testing may use both)
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "swfobjects"

_CHAIN = ["exceptions", "swf", "payloads", "workflow", "replay", "worker", "client", "testing"]
ALLOWED: dict[str, set[str]] = {layer: set(_CHAIN[:i]) for i, layer in enumerate(_CHAIN)}
ALLOWED["model"] = {"exceptions", "swf"}
ALLOWED["local"] = {"exceptions", "swf", "model"}
ALLOWED["testing"] |= {"model", "local"}
TOP_LEVEL = {"__init__", "__main__", "_cli", "cli", "mypy_plugin", "otel", "storage"}
"""Root modules: the public faces, which may import any layer."""


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Every swfobjects module ``path`` imports, as absolute dotted names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "swfobjects":
                continue
            if node.module is None or _is_package(target):
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    found.add(candidate if _exists(candidate) else target)
            else:
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "swfobjects")
    found.discard(name)
    return found


def _path_of(module: str) -> pathlib.Path:
    return PACKAGE.parent.joinpath(*module.split("."))


def _is_package(module: str) -> bool:
    return (_path_of(module) / "__init__.py").exists()


def _exists(module: str) -> bool:
    return _is_package(module) or _path_of(module).with_suffix(".py").exists()


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    first = parts[1]
    return first[:-3] if first.endswith(".py") else first


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        source = _layer(module)
        if source in TOP_LEVEL:
            continue
        assert source in ALLOWED, f"{module}: layer {source!r} is not in the layer table"
        for target in sorted(targets):
            layer = _layer(target)
            if layer != source and layer not in ALLOWED[source]:
                found.append(f"{module} imports {target} ({source} may not use {layer})")
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_every_import_runs_down_the_layers() -> None:
    assert _violations(GRAPH) == []


def test_no_import_circles() -> None:
    # A package's __init__ re-exports its private modules; those never import the __init__
    # back, so a circle through an __init__ is as real as any other.
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("swfobjects.payloads._payload", "swfobjects.workflow._context"),
        ("swfobjects.model._executions", "swfobjects.replay._decider"),
        ("swfobjects.swf._shapes", "swfobjects.exceptions"),
    ],
)
def test_the_checks_catch_a_back_import(module: str, target: str) -> None:
    graph = {name: set(targets) for name, targets in GRAPH.items()}
    graph[module].add(target)
    added = set(_violations(graph)) - set(_violations(GRAPH))
    assert bool(added) is (module != "swfobjects.swf._shapes")  # swf may use exceptions


def test_the_checks_catch_a_circle() -> None:
    graph = {name: set(targets) for name, targets in GRAPH.items()}
    graph["swfobjects.exceptions"].add("swfobjects.swf.limits")
    graph["swfobjects.swf.limits"].add("swfobjects.exceptions")
    assert ["swfobjects.exceptions", "swfobjects.swf.limits"] in _cycles(graph)


def test_function_level_and_type_checking_imports_count(tmp_path: pathlib.Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..replay import _decider\n"
        "def f():\n    from ..client._handle import WorkflowHandle\n"
    )
    path = PACKAGE / "payloads" / "_layer_probe_tmp.py"
    path.write_text(source)
    try:
        found = _imports(path)
    finally:
        path.unlink()
    assert found == {"swfobjects.replay._decider", "swfobjects.client._handle"}


def test_only_the_otel_module_imports_opentelemetry() -> None:
    """OpenTelemetry is an optional extra (``swfobjects[otel]``): nothing else may need it."""
    importers = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(m.split(".")[0] == "opentelemetry" for m in modules):
                importers.append(name)
    assert sorted(set(importers)) == ["swfobjects.otel"]
