"""Manual activity completion: the token an activity hands out, and the answers given later.

Flow for Java's ``@ManualActivityCompletion``. An activity declared
``@activity_task(manual_completion=True)`` gives its task token to someone else (an approval
e-mail, a ticket, another system) and returns without answering SWF; whoever holds the token
answers later, from any process, with ``executor.complete_activity(token, result)``,
``fail_activity(token, error)`` or ``heartbeat_activity(token, details)``.

The token such an activity sees (``self.activity_task.task_token``) wraps SWF's own token with
the activity type's name and version, so the answer is encoded, and checked, against the
declared result type before SWF sees it: a wrong result fails the call that gave it, not the
workflow days later. The wrapped token is an opaque URL-safe string; a raw SWF task token is
accepted too (its result is then encoded as plain JSON, unchecked).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..exceptions import UnknownActivityTypeError
from ..payloads._codecs import codec_for
from ..payloads._failures import encode_failure
from ..payloads._payload import Payloads
from ..swf.client import SWFClient
from ..swf.limits import MAX_HEARTBEAT_DETAILS
from ..workflow._declarations import REGISTRY, ActivityType, Registry

__all__ = [
    "MANUAL_TOKEN_PREFIX",
    "complete_activity",
    "fail_activity",
    "heartbeat_activity",
    "manual_token",
    "parse_manual_token",
]

MANUAL_TOKEN_PREFIX = "swfobjects-manual-1."
"""What starts a token wrapped by :func:`manual_token` (versioned, should the format change)."""


def manual_token(activity: ActivityType, task: dict[str, Any]) -> str:
    """The token a manual-completion activity hands out: SWF's token, the activity type, and
    the workflow execution (whose payload scope an out-of-band result is stored under)."""
    execution = task.get("workflowExecution") or {}
    data = json.dumps(
        [
            activity.name,
            activity.version,
            execution.get("workflowId", ""),
            execution.get("runId", ""),
            task["taskToken"],
        ],
        separators=(",", ":"),
    )
    return MANUAL_TOKEN_PREFIX + base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def parse_manual_token(token: str) -> tuple[str, str, dict[str, str], str] | None:
    """``(activity name, version, payload scope, SWF token)`` of a wrapped token; None for a
    raw SWF token."""
    if not isinstance(token, str) or not token:
        raise TypeError(f"an activity task token is a non-empty string, not {token!r:.60}")
    if not token.startswith(MANUAL_TOKEN_PREFIX):
        return None
    body = token[len(MANUAL_TOKEN_PREFIX) :]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):
        data = None
    if not (isinstance(data, list) and len(data) == 5 and all(isinstance(x, str) for x in data)):
        raise ValueError(
            "this activity task token is damaged (it starts like a swfobjects manual-completion "
            "token but does not decode); pass the token exactly as the activity handed it out"
        )
    name, version, workflow_id, run_id, swf_token = data
    return name, version, {"workflow_id": workflow_id, "run_id": run_id}, swf_token


def _resolve(
    token: str, registry: Registry
) -> tuple[ActivityType | None, dict[str, str] | None, str]:
    parsed = parse_manual_token(token)
    if parsed is None:
        return None, None, token
    name, version, scope, swf_token = parsed
    activity = registry.activities.get((name, version))
    if activity is None:
        raise UnknownActivityTypeError(
            f"the token answers activity {name!r} version {version!r}, which no class imported "
            "in this process declares; import the module of its ActivityWorker so the result "
            "can be checked against the declared type"
        )
    return activity, scope, swf_token


def complete_activity(
    client: SWFClient,
    payloads: Payloads,
    token: str,
    result: Any,
    registry: Registry = REGISTRY,
) -> None:
    """``RespondActivityTaskCompleted`` with ``result`` encoded as the activity declared it.

    A result the declared type refuses raises (``SerializationError``) before any call.
    """
    activity, scope, swf_token = _resolve(token, registry)
    codec = activity.result if activity is not None else codec_for(Any)
    what = f"result of activity {activity.name}" if activity is not None else "activity result"
    store = activity.result_store if activity is not None else None
    text = payloads.encode(result, codec, what, scope, store)
    params: dict[str, Any] = {"taskToken": swf_token}
    if text != "null":
        params["result"] = text
    client.respond_activity_task_completed(**params)


def fail_activity(
    client: SWFClient,
    payloads: Payloads,
    token: str,
    error: BaseException,
    registry: Registry = REGISTRY,
) -> None:
    """``RespondActivityTaskFailed`` with ``error`` encoded as a failure: the workflow sees an
    ``ActivityTaskError`` as if the activity had raised it (and its retry policy applies)."""
    if not isinstance(error, BaseException):
        raise TypeError(f"fail_activity() takes an exception, not {error!r:.60}")
    activity, scope, swf_token = _resolve(token, registry)
    what = f"failure of activity {activity.name}" if activity is not None else "activity failure"
    reason, details = encode_failure(error, payloads, what, scope)
    client.respond_activity_task_failed(taskToken=swf_token, reason=reason, details=details)


def heartbeat_activity(
    client: SWFClient,
    payloads: Payloads,
    token: str,
    details: Any = None,
    registry: Registry = REGISTRY,
) -> bool:
    """``RecordActivityTaskHeartbeat``; True when the workflow asked to cancel the activity."""
    _, _, swf_token = _resolve(token, registry)
    params: dict[str, Any] = {"taskToken": swf_token}
    if details is not None:
        text = payloads.encode_data(details, "heartbeat details")
        if len(text) > MAX_HEARTBEAT_DETAILS:
            raise ValueError(
                f"heartbeat details are {len(text):,} characters encoded, over SWF's limit of "
                f"{MAX_HEARTBEAT_DETAILS:,}; send a small progress marker"
            )
        params["details"] = text
    response = client.record_activity_task_heartbeat(**params)
    return bool(response.get("cancelRequested"))
