"""Calls by name: activities and child workflows known only by SWF type name and version.

Flow for Java's generic activity and workflow clients, for code written in other languages or
other codebases: ``self.call_activity("ProcessOrder", "2.0", order_id, task_list="java")``
returns a :class:`Promise` exactly as a stub call does (same options, retries, errors). It
builds an ad-hoc :class:`ActivityType` / :class:`WorkflowType` carrying the name, version and
options, with :class:`~swfobjects.payloads._foreign.ForeignArguments` as its argument codec
(plain JSON of the arguments, or raw text) and a result codec from ``result_type``; the replay
runtime schedules it like any other. Options left out are left out of the decision too, so
SWF applies the defaults registered with the type.

The ad-hoc types are cached by their options, so a loop of calls builds one type (the
runtime caches decision templates per type).
"""

from __future__ import annotations

import inspect
from typing import Any

from ..payloads._foreign import ForeignArguments, result_codec_of
from ..swf.limits import MAX_VERSION
from ._context import current_runtime
from ._declarations import ActivityType, WorkflowType, check_name
from ._options import CHILD_POLICIES, RetryPolicy, timeout_value
from ._promise import Promise

__all__ = ["ForeignCode", "activity_by_name", "call_activity", "start_child", "workflow_by_name"]

_ACTIVITY_TIMEOUTS = (
    "schedule_to_start_timeout",
    "schedule_to_close_timeout",
    "start_to_close_timeout",
    "heartbeat_timeout",
)
_WORKFLOW_TIMEOUTS = ("execution_start_to_close_timeout", "task_start_to_close_timeout")
_CACHE_LIMIT = 512
_TYPES: dict[tuple[Any, ...], Any] = {}
_NO_OVERRIDES: dict[str, Any] = {}


class ForeignCode:
    """The ``worker_class`` / ``workflow_class`` of a type called by name: code elsewhere."""


def _cached(key: tuple[Any, ...], build: Any) -> Any:
    try:
        found = _TYPES.get(key)
    except TypeError:  # an unhashable option (result_type): build one each time
        return build()
    if found is None:
        if len(_TYPES) >= _CACHE_LIMIT:
            _TYPES.clear()
        found = _TYPES[key] = build()
    return found


def _timeouts(names: tuple[str, ...], options: dict[str, Any], what: str) -> dict[str, Any]:
    return {
        key: None if options.get(key) is None else timeout_value(options[key], f"{what} {key}")
        for key in names
    }


def activity_by_name(
    name: str,
    version: str,
    *,
    task_list: str | None = None,
    result_type: Any = Any,
    raw: bool = False,
    retry: RetryPolicy | None = None,
    task_priority: int | None = None,
    **timeouts: Any,
) -> ActivityType:
    """The ad-hoc :class:`ActivityType` for a call of ``name``/``version`` with these options.

    Unset timeouts and task list are ``None``: the decision leaves them out and SWF uses the
    defaults registered with the type.
    """
    unknown = set(timeouts) - set(_ACTIVITY_TIMEOUTS)
    if unknown:
        raise TypeError(
            f"call_activity({name!r}): unknown option(s) {sorted(unknown)}; options are "
            f"task_list, result_type, raw, retry, task_priority, {', '.join(_ACTIVITY_TIMEOUTS)} "
            "(the activity's own arguments go positionally, or as keywords through kwargs=)"
        )

    def build() -> ActivityType:
        what = f"activity {name}"
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"{what}: retry must be a RetryPolicy, got {retry!r}")
        return ActivityType(
            name=check_name(name, "activity name"),
            version=check_name(str(version), "version", MAX_VERSION),
            task_list=None if task_list is None else check_name(task_list, "task list"),  # type: ignore[arg-type]
            task_priority=None if task_priority is None else str(int(task_priority)),
            retry=retry or RetryPolicy(max_attempts=1),
            description=None,
            worker_class=ForeignCode,
            method_name=name,
            signature=inspect.Signature(),
            arguments=ForeignArguments(what, raw),
            result=result_codec_of(result_type, raw),
            **_timeouts(_ACTIVITY_TIMEOUTS, timeouts, what),
        )

    key = (
        "activity",
        name,
        version,
        task_list,
        result_type,
        raw,
        retry,
        task_priority,
        tuple(sorted(timeouts.items())),
    )
    return _cached(key, build)  # type: ignore[no-any-return]


def workflow_by_name(
    name: str,
    version: str,
    *,
    task_list: str | None = None,
    result_type: Any = Any,
    raw: bool = False,
    child_policy: str | None = None,
    task_priority: int | None = None,
    **timeouts: Any,
) -> WorkflowType:
    """The ad-hoc :class:`WorkflowType` for starting ``name``/``version`` with these options."""
    unknown = set(timeouts) - set(_WORKFLOW_TIMEOUTS)
    if unknown:
        raise TypeError(
            f"start_child({name!r}): unknown option(s) {sorted(unknown)}; options are "
            "task_list, result_type, raw, child_policy, task_priority, workflow_id, tags, "
            f"{', '.join(_WORKFLOW_TIMEOUTS)} (the workflow's own arguments go positionally, "
            "or as keywords through kwargs=)"
        )
    if child_policy is not None and child_policy not in CHILD_POLICIES:
        raise TypeError(f"workflow {name}: child_policy must be one of {CHILD_POLICIES}")

    def build() -> WorkflowType:
        what = f"workflow {name}"
        return WorkflowType(
            name=check_name(name, "workflow name"),
            version=check_name(str(version), "version", MAX_VERSION),
            task_list=None if task_list is None else check_name(task_list, "task list"),  # type: ignore[arg-type]
            child_policy=child_policy,  # type: ignore[arg-type]
            task_priority=None if task_priority is None else str(int(task_priority)),
            description=None,
            workflow_class=ForeignCode,
            method_name=name,
            signature=inspect.Signature(),
            arguments=ForeignArguments(what, raw),
            result=result_codec_of(result_type, raw),
            **_timeouts(_WORKFLOW_TIMEOUTS, timeouts, what),
        )

    key = (
        "workflow",
        name,
        version,
        task_list,
        result_type,
        raw,
        child_policy,
        task_priority,
        tuple(sorted(timeouts.items())),
    )
    return _cached(key, build)  # type: ignore[no-any-return]


def call_activity(
    name: str,
    version: str,
    /,
    *args: Any,
    kwargs: dict[str, Any] | None = None,
    task_list: str | None = None,
    result_type: Any = Any,
    raw: bool = False,
    retry: RetryPolicy | None = None,
    task_priority: int | None = None,
    **timeouts: Any,
) -> Promise[Any]:
    """Schedule activity ``name``/``version`` from workflow code; a promise of its result.

    ``args`` go to SWF as a JSON array, or ``kwargs`` (a dict) as a JSON object; with
    ``raw=True`` one ``str`` goes as it is and the result comes back as the text SWF holds.
    ``result_type`` decodes the result (``Any``: plain JSON values). The options are a stub's:
    ``task_list``, the four timeouts, ``task_priority``, ``retry``.
    """
    runtime = current_runtime(f"call_activity({name!r})")
    activity = activity_by_name(
        name,
        version,
        task_list=task_list,
        result_type=result_type,
        raw=raw,
        retry=retry,
        task_priority=task_priority,
        **timeouts,
    )
    codec = activity.arguments
    assert isinstance(codec, ForeignArguments)  # noqa: S101 - built just above
    arguments = codec.bind(args, kwargs or {})
    return runtime.schedule_activity(activity, arguments, _NO_OVERRIDES)


def start_child(
    name: str,
    version: str,
    /,
    *args: Any,
    kwargs: dict[str, Any] | None = None,
    task_list: str | None = None,
    result_type: Any = Any,
    raw: bool = False,
    workflow_id: str | None = None,
    tags: tuple[str, ...] | list[str] = (),
    child_policy: str | None = None,
    task_priority: int | None = None,
    **timeouts: Any,
) -> Promise[Any]:
    """Start child workflow ``name``/``version`` from workflow code; a promise of its result.

    Arguments and ``raw`` as for :func:`call_activity`; the options are a workflow stub's.
    """
    runtime = current_runtime(f"start_child({name!r})")
    workflow = workflow_by_name(
        name,
        version,
        task_list=task_list,
        result_type=result_type,
        raw=raw,
        child_policy=child_policy,
        task_priority=task_priority,
        **timeouts,
    )
    codec = workflow.arguments
    assert isinstance(codec, ForeignArguments)  # noqa: S101 - built just above
    arguments = codec.bind(args, kwargs or {})
    overrides: dict[str, Any] = {}
    if workflow_id is not None:
        overrides["workflow_id"] = check_name(workflow_id, "workflow_id")
    if tags:
        overrides["tags"] = list(tags)
    return runtime.start_child(workflow, arguments, overrides)
