"""Every limit Amazon SWF enforces that swfobjects checks or relies on, in one place.

Sizes are in characters, as SWF counts them. The figures come from botocore's model of SWF
(``botocore/data/swf/2012-01-25/service-2.json``: the ``max`` of shapes such as ``Data``,
``LimitedData``, ``FailureReason``) and from the SWF developer guide's quotas page. The
framework checks them before an API call (with an error that says what to do), the in-memory
model enforces them as SWF does, and both read them from here, so they cannot drift apart.

>>> MAX_DATA
32768
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

__all__ = [
    "MAX_DATA",
    "MAX_DECISIONS_PER_RESPONSE",
    "MAX_DESCRIPTION",
    "MAX_DOMAINS",
    "MAX_EPOCH_SECONDS",
    "MAX_FUNCTION_NAME",
    "MAX_HEARTBEAT_DETAILS",
    "MAX_HISTORY_EVENTS",
    "MAX_LAMBDA_TIMEOUT_SECONDS",
    "MAX_NAME",
    "MAX_OPEN_ACTIVITIES",
    "MAX_OPEN_CHILDREN",
    "MAX_OPEN_EXECUTIONS",
    "MAX_OPEN_TIMERS",
    "MAX_PAGE_SIZE",
    "MAX_POLLERS",
    "MAX_PAGE_TOKEN",
    "MAX_REASON",
    "MAX_REQUEST_BYTES",
    "MAX_RESOURCE_TAGS",
    "MAX_RESOURCE_TAG_KEY",
    "MAX_RETENTION_DAYS",
    "MAX_TAG",
    "MAX_TAGS",
    "MAX_TYPES",
    "MAX_TASK_PRIORITY",
    "MAX_TIMEOUT_SECONDS",
    "MAX_VERSION",
    "MIN_TASK_PRIORITY",
    "LONG_POLL_SECONDS",
    "Quotas",
    "ACTIVITY_TIMEOUT_TYPES",
]

MAX_DATA = 32_768
"""Inputs, results, failure details, marker details, signal input, ``control``, and the
``executionContext`` of a decision (botocore shape ``Data``)."""

MAX_HEARTBEAT_DETAILS = 2_048
"""``details`` of ``RecordActivityTaskHeartbeat`` (shape ``LimitedData``)."""

MAX_REASON = 256
"""``reason`` of a failure, termination or cancellation (shape ``FailureReason``)."""

MAX_NAME = 256
"""Names and ids: domain, type name, task list, activity/timer/marker/signal/workflow id,
identity (shapes ``Name``, ``WorkflowId``, ``MarkerName``, ``SignalName``, ``Identity``)."""

MAX_VERSION = 64
"""A workflow or activity type version (shape ``Version``)."""

MAX_FUNCTION_NAME = 64
"""The ``name`` of a ``ScheduleLambdaFunction`` decision (shape ``FunctionName``)."""

MAX_DESCRIPTION = 1_024
"""A domain's or type's description (shape ``Description``)."""

MAX_TAGS = 5
"""Tags per workflow execution (shape ``TagList``)."""

MAX_TAG = 256
"""Characters per execution tag (shape ``Tag``), and per resource tag value."""

MAX_RESOURCE_TAGS = 50
"""Resource tags per domain (``TagResource``)."""

MAX_RESOURCE_TAG_KEY = 128
"""Characters per resource tag key (shape ``ResourceTagKey``)."""

MAX_RETENTION_DAYS = 90
"""A domain's ``workflowExecutionRetentionPeriodInDays`` (0 to this, or ``NONE``). SWF deletes
a closed execution's record and history that many days after it closed; ``0`` and ``NONE``
mean not retained at all: deleted as soon as the execution closes (botocore's
``RegisterDomain`` documentation; see :func:`swfobjects.swf.values.retention_seconds`)."""

MAX_PAGE_SIZE = 1_000
"""``maximumPageSize`` of every paged call, and its default (shape ``PageSize``)."""

MAX_PAGE_TOKEN = 2_048
"""Characters of a ``nextPageToken`` (shape ``PageToken``)."""

MAX_HISTORY_EVENTS = 25_000
"""Events in one execution's history; SWF terminates the execution beyond it."""

MAX_OPEN_ACTIVITIES = 1_000
"""Open activity tasks per execution (``OPEN_ACTIVITIES_LIMIT_EXCEEDED`` beyond)."""

MAX_OPEN_TIMERS = 1_000
"""Open timers per execution (``OPEN_TIMERS_LIMIT_EXCEEDED`` beyond)."""

MAX_OPEN_CHILDREN = 1_000
"""Open child executions per execution (``OPEN_CHILDREN_LIMIT_EXCEEDED`` beyond)."""

MAX_DOMAINS = 100
"""Domains per account and region, registered and deprecated together (``RegisterDomain``
answers ``LimitExceededFault`` beyond)."""

MAX_TYPES = 10_000
"""Workflow types per domain, and activity types per domain (each kind counted on its own,
registered and deprecated together; ``Register*Type`` answers ``LimitExceededFault``)."""

MAX_OPEN_EXECUTIONS = 100_000
"""Open executions per domain, children included (``StartWorkflowExecution`` answers
``LimitExceededFault``; a child start fails with ``OPEN_WORKFLOWS_LIMIT_EXCEEDED``)."""

MAX_POLLERS = 1_000
"""Concurrent polls waiting on one task list (``PollFor*Task`` answers ``LimitExceededFault``)."""

MAX_REQUEST_BYTES = 1_048_576
"""The size of one API request (a decision task's response included)."""

MAX_DECISIONS_PER_RESPONSE = 100
"""Decisions the framework sends per ``RespondDecisionTaskCompleted`` (not an SWF quota: a
bound that keeps each response well under :data:`MAX_REQUEST_BYTES`; the rest go next time)."""

LONG_POLL_SECONDS = 60
"""How long SWF holds a ``PollFor*Task`` call open before answering with no task."""


@dataclass(frozen=True)
class Quotas:
    """SWF's documented quotas (the developer guide's quotas page), as one value.

    SWF raises its quotas on request, and a test wants to reach them cheaply, so the in-memory
    model and ``swfobjects local`` take them as a parameter; the defaults are SWF's own. Each
    field names what it counts and what SWF answers beyond it:

    - ``domains``: registered + deprecated domains (``LimitExceededFault``);
    - ``workflow_types`` / ``activity_types``: registered + deprecated types of that kind per
      domain (``LimitExceededFault``);
    - ``open_executions``: open executions per domain, children included
      (``LimitExceededFault``; a child start: ``OPEN_WORKFLOWS_LIMIT_EXCEEDED``);
    - ``open_children``, ``open_activities``, ``open_timers``: per execution (the decision fails
      with ``OPEN_CHILDREN_LIMIT_EXCEEDED``, ``OPEN_ACTIVITIES_LIMIT_EXCEEDED``,
      ``OPEN_TIMERS_LIMIT_EXCEEDED``);
    - ``history_events``: events per history (the run is terminated, ``EVENT_LIMIT_EXCEEDED``);
    - ``pollers``: polls waiting at once on one task list (``LimitExceededFault``).

    >>> Quotas.from_mapping({"domains": 3}).domains
    3
    >>> Quotas.from_mapping({"domain": 3})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown SWF quota 'domain'; the quotas are: activity_types, domains, ...
    """

    domains: int = MAX_DOMAINS
    workflow_types: int = MAX_TYPES
    activity_types: int = MAX_TYPES
    open_executions: int = MAX_OPEN_EXECUTIONS
    open_children: int = MAX_OPEN_CHILDREN
    open_activities: int = MAX_OPEN_ACTIVITIES
    open_timers: int = MAX_OPEN_TIMERS
    history_events: int = MAX_HISTORY_EVENTS
    pollers: int = MAX_POLLERS

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"SWF quota {field.name} must be a positive integer, not {value!r}"
                )
        if self.history_events < 3:  # started, decision scheduled, terminated
            raise ValueError(
                f"SWF quota history_events must be at least 3, not {self.history_events}"
            )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The quota names, sorted (what ``--quota NAME=N`` accepts)."""
        return tuple(sorted(field.name for field in fields(cls)))

    @classmethod
    def from_mapping(cls, values: Mapping[str, int] | Quotas | None = None) -> Quotas:
        """SWF's defaults with ``values`` overriding some; ``ValueError`` names an unknown one."""
        if values is None:
            return cls()
        if isinstance(values, Quotas):
            return values
        for name in values:
            if name not in cls.names():
                raise ValueError(
                    f"unknown SWF quota {name!r}; the quotas are: {', '.join(cls.names())}"
                )
        return cls(**dict(values))


ACTIVITY_TIMEOUT_TYPES = frozenset(
    {"START_TO_CLOSE", "SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE", "HEARTBEAT"}
)
"""The ``timeoutType`` of an ``ActivityTaskTimedOut`` event (``ActivityTaskTimeoutType``)."""
MAX_TIMEOUT_SECONDS = 31_536_000
"""The longest timeout SWF takes (one year): every timeout is ``[0-9]+`` seconds up to this, or
``NONE`` where the call allows it (SWF developer guide, "Setting timeout values")."""

MAX_LAMBDA_TIMEOUT_SECONDS = 900
"""``startToCloseTimeout`` of a ``ScheduleLambdaFunction`` decision (SWF: 1 to 900 seconds)."""

MIN_TASK_PRIORITY = -2_147_483_648
"""The lowest ``taskPriority`` (a decimal integer string within Java's ``int``)."""

MAX_TASK_PRIORITY = 2_147_483_647
"""The highest ``taskPriority``."""

MAX_EPOCH_SECONDS = 253_402_300_799
"""The latest timestamp (``oldestDate``, ``latestDate``...) the service takes: the last second of
year 9999, the last date a timestamp can be written as. Not an SWF quota: the bound that keeps
a number like ``1e400`` (infinite once parsed) from reaching a comparison or a date."""
