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
    from swfobjects.workflow import _declarations, _stubs

    assert f"{ExecutorBase.__module__}.{ExecutorBase.__qualname__}" == plugin._EXECUTOR
    assert f"{_stubs.__name__}._Client" == plugin._CLIENT and "__getattr__" in vars(_stubs._Client)
    for client, decorator in [
        (ActivityClient, _declarations.activity_task),
        (WorkflowClient, _declarations.decision_task),
    ]:
        name = f"{client.__module__}.{client.__qualname__}"
        assert plugin._DECORATORS[name] == f"{decorator.__module__}.{decorator.__qualname__}"
    assert plugin._DECISION_TASK == plugin._DECORATORS[f"{_stubs.__name__}.WorkflowClient"]


def test_mypy_finds_the_plugin_entry_point() -> None:
    assert plugin.plugin("2.0") is plugin.SwfObjectsPlugin
