"""The public surface: what each package exports, sorted, importable and documented."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import swfobjects

AUTHOR_NAMES = [
    "ActivityTaskError",
    "ActivityTaskInfo",
    "ActivityWorker",
    "CancelledError",
    "Promise",
    "RetryPolicy",
    "SWFExecutor",
    "SerialExecutor",
    "SwfObjectsError",
    "Workflow",
    "WorkflowExecutionError",
    "WorkflowHandle",
    "activity_task",
    "all_of",
    "any_of",
    "cached",
    "decision_task",
    "nondeterministic",
    "signal",
    "state",
]

PUBLIC_PACKAGES = [
    "swfobjects",
    "swfobjects.exceptions",
    "swfobjects.swf",
    "swfobjects.payloads",
    "swfobjects.payloads.storage",
    "swfobjects.storage",
    "swfobjects.workflow",
    "swfobjects.replay",
    "swfobjects.worker",
    "swfobjects.client",
    "swfobjects.testing",
    "swfobjects.model",
    "swfobjects.local",
    "swfobjects.cli",
    "swfobjects.otel",
]


def test_the_root_exports_what_a_workflow_author_needs() -> None:
    assert swfobjects.__all__ == AUTHOR_NAMES


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_each_public_module_has_a_sorted_importable_documented_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported)
    assert module.__doc__, f"{name} has no docstring"
    for member in exported:
        value = getattr(module, member)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__, f"{name}.{member} has no docstring"


def test_every_private_module_declares_all() -> None:
    missing = []
    for info in pkgutil.walk_packages(swfobjects.__path__, "swfobjects."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        if not hasattr(module, "__all__"):
            missing.append(info.name)
    assert missing == []


def test_every_library_error_derives_from_the_one_root() -> None:
    from swfobjects import exceptions

    for name in exceptions.__all__:
        error = getattr(exceptions, name)
        if name == "CancelledError":  # a BaseException, like asyncio's, by design
            assert issubclass(error, BaseException) and not issubclass(error, Exception)
            continue
        assert issubclass(error, exceptions.SwfObjectsError), name


def test_names_the_root_used_to_export_still_import_with_a_warning_naming_the_new_home() -> None:
    from swfobjects.exceptions import TimerError
    from swfobjects.replay import decide

    with pytest.warns(DeprecationWarning, match=r"from swfobjects\.exceptions import TimerError"):
        assert swfobjects.TimerError is TimerError
    with pytest.warns(DeprecationWarning, match=r"from swfobjects\.replay import decide"):
        assert swfobjects.decide is decide
    with pytest.raises(AttributeError, match="no attribute 'Nonsense'"):
        swfobjects.Nonsense  # noqa: B018


def test_the_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    assert swfobjects.__version__ == version("swfobjects")
