"""The plugin's own facts about the library stay true (its behaviour: tests/test_typing.py)."""

from __future__ import annotations

import inspect

import pytest

from swfobjects.client import ExecutorBase
from swfobjects.workflow import ActivityClient, WorkflowClient

plugin = pytest.importorskip("swfobjects.mypy_plugin")


def test_the_option_keywords_are_those_of_executor_start() -> None:
    parameters = inspect.signature(ExecutorBase.start).parameters.values()
    keywords = {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert plugin._START_OPTIONS == keywords


def test_the_names_it_hooks_exist() -> None:
    import swfobjects
    from swfobjects.workflow import _declarations, _functions, _stubs

    assert f"{ExecutorBase.__module__}.{ExecutorBase.__qualname__}" == plugin._EXECUTOR
    assert plugin._CLIENTS == {
        f"{_stubs.__name__}.{cls.__name__}" for cls in (ActivityClient, WorkflowClient)
    }
    assert all("__getattr__" in vars(cls) for cls in (ActivityClient, WorkflowClient))
    assert not hasattr(_stubs.ActivityCalls, "__getattr__")  # stubgen's base: names checked
    for client, decorators in [
        (ActivityClient, [_declarations.activity_task, _functions.activity_task]),
        (WorkflowClient, [_declarations.decision_task, _functions.decision_task]),
    ]:
        name = f"{client.__module__}.{client.__qualname__}"
        names = {f"{d.__module__}.{d.__qualname__}" for d in decorators}
        assert plugin._DECORATORS[name] == names
    assert swfobjects.activity_task is _functions.activity_task  # what users import
    assert plugin._DECISION_TASK == plugin._DECORATORS[f"{_stubs.__name__}.WorkflowClient"]


def test_mypy_finds_the_plugin_entry_point() -> None:
    assert plugin.plugin("2.0") is plugin.SwfObjectsPlugin
