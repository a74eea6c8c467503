"""SWF's rules for the values of a request that are not names: the numbers its API writes as
strings (timeouts, retention days, priorities) and its enumerations.

SWF takes a timeout as decimal ASCII digits (``[0-9]+``) of seconds up to one year, or
``NONE`` where the call allows "no timeout"; a retention period as days (0 to 90) or ``NONE``;
a task priority as a decimal integer within Java's ``int``. ``str.isdigit()`` is not the rule:
it is true of ``"²"`` and ``"٣"``, which ``int()`` or ``float()`` then refuse or misread, so a
check built on it lets a value through that breaks whatever later computes with it. The
framework (before an API call), the model and ``swfobjects local`` (before any state changes)
all ask these functions.

>>> timeout_problem("300") is None
True
>>> timeout_problem("²")
"is not decimal digits (0-9) of seconds or 'NONE'"
>>> timeout_problem("NONE", allow_none=False)
"must be a number of seconds ('NONE' is not allowed here)"
"""

from __future__ import annotations

import re

from .limits import (
    MAX_RETENTION_DAYS,
    MAX_TASK_PRIORITY,
    MAX_TIMEOUT_SECONDS,
    MIN_TASK_PRIORITY,
)

__all__ = [
    "CHILD_POLICIES",
    "CLOSE_STATUSES",
    "NO_TIMEOUT",
    "REGISTRATION_STATUSES",
    "is_timeout",
    "priority_problem",
    "retention_problem",
    "retention_seconds",
    "timeout_problem",
]

NO_TIMEOUT = "NONE"
"""SWF's spelling of "no timeout" (and, as a retention period, of "not retained": the same as
``0`` days, see :func:`retention_seconds`)."""
CHILD_POLICIES = ("TERMINATE", "REQUEST_CANCEL", "ABANDON")
"""SWF's ``ChildPolicy`` members."""
REGISTRATION_STATUSES = ("REGISTERED", "DEPRECATED")
"""SWF's ``RegistrationStatus`` members."""
CLOSE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT")
"""SWF's ``CloseStatus`` members."""

_DIGITS = re.compile(r"[0-9]+").fullmatch
_PRIORITY = re.compile(r"[+-]?[0-9]+").fullmatch


def is_timeout(value: object, allow_none: bool, maximum: int = MAX_TIMEOUT_SECONDS) -> bool:
    """True when SWF takes ``value`` as a timeout: the check for hot paths (every decision
    that carries timeouts); :func:`timeout_problem` says what is wrong."""
    if type(value) is not str:
        return False
    if value == NO_TIMEOUT:
        return allow_none
    return value.isascii() and value.isdigit() and int(value) <= maximum


def timeout_problem(
    value: object, *, allow_none: bool = True, maximum: int = MAX_TIMEOUT_SECONDS
) -> str | None:
    """Why SWF would refuse ``value`` as a timeout, or None if it takes it."""
    if not isinstance(value, str):
        return "must be a string of seconds"
    if value == NO_TIMEOUT:
        return None if allow_none else "must be a number of seconds ('NONE' is not allowed here)"
    if not _DIGITS(value):
        what = "'NONE'" if allow_none else "nothing else"
        return f"is not decimal digits (0-9) of seconds or {what}"
    if int(value) > maximum:
        return f"is more than {maximum} seconds"
    return None


def retention_problem(value: object) -> str | None:
    """Why SWF would refuse ``value`` as ``workflowExecutionRetentionPeriodInDays``, or None."""
    if not isinstance(value, str):
        return "must be a string of days"
    if value == NO_TIMEOUT:
        return None
    if not _DIGITS(value) or int(value) > MAX_RETENTION_DAYS:
        return f"must be 0 to {MAX_RETENTION_DAYS} days (decimal digits) or 'NONE'"
    return None


def retention_seconds(value: str) -> int:
    """How long SWF keeps a closed execution of a domain with retention ``value`` (a value
    :func:`retention_problem` accepts), in seconds after it closed.

    ``NONE`` is not "for ever": SWF documents ``NONE`` and ``0`` alike as "the workflow
    execution history isn't retained. As soon as the workflow execution completes, the
    execution record and its history are deleted."

    >>> retention_seconds("1"), retention_seconds("0"), retention_seconds("NONE")
    (86400, 0, 0)
    """
    return 0 if value == NO_TIMEOUT else int(value) * _SECONDS_PER_DAY


_SECONDS_PER_DAY = 86_400


def priority_problem(value: object) -> str | None:
    """Why SWF would refuse ``value`` as a ``taskPriority``, or None if it takes it."""
    if not isinstance(value, str):
        return "must be a string holding an integer"
    if not _PRIORITY(value) or not MIN_TASK_PRIORITY <= int(value) <= MAX_TASK_PRIORITY:
        return f"must be a decimal integer from {MIN_TASK_PRIORITY} to {MAX_TASK_PRIORITY}"
    return None
