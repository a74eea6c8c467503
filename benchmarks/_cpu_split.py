"""Where a decision worker's CPU goes, per decision task: botocore, HTTP, our replay, the rest.

cProfile's cumulative times overlap (a botocore call inside our code counts for both) and its
hooks cost more than the small calls measured here, so :class:`CpuSplit` wraps a handful of
functions instead and charges each one's *exclusive* thread CPU time (``time.thread_time``) to
a category: while a wrapped function runs, its category is charged; when it calls another
wrapped function, that one's category is charged until it returns. (The fast history parser
runs inside botocore's ``before-parse`` event and counts as parsing.) Each thread keeps its own
stack, so activity threads and the in-process service never count.

The root is ``DecisionWorker.poll_once``: what it spends outside every other category is the
worker's own (polling loop, page collection, the sticky cache, the respond request). A poll
that brought no task is not a decision task, so its time is dropped, not averaged in. Every
wrapped call costs two ``thread_time`` calls (about a microsecond), charged to the category
being measured: the figures are a little high, never missing work.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client
import botocore.endpoint
import botocore.httpsession
import botocore.parsers
import botocore.serialize
import botocore.signers
import botocore.validate

from swfobjects.replay._decider import Decider

try:  # the fast history parser (absent from older commits, which this script also measures)
    from swfobjects.worker import _history_parser
except ImportError:  # pragma: no cover
    _history_parser = None  # type: ignore[assignment]
from swfobjects.worker._pollers import DecisionWorker

__all__ = ["CATEGORIES", "CpuSplit"]

CATEGORIES = (
    "sign",
    "validate",
    "serialize",
    "http",
    "parse",
    "botocore",
    "replay",
    "worker",
)
"""Column order: botocore signing, parameter validation, request serialization, HTTP send and
receive (urllib3, http.client, the socket), response parsing (JSON and the shape walk), the
rest of botocore (events, retries, endpoint rules), our replay (``Decider.feed`` and
``.decisions``), and the rest of our worker."""

_WRAPPED: tuple[tuple[Any, str, str], ...] = (
    (botocore.client.BaseClient, "_make_api_call", "botocore"),
    (botocore.validate.ParamValidator, "validate", "validate"),
    (botocore.serialize.JSONSerializer, "serialize_to_request", "serialize"),
    (botocore.signers.RequestSigner, "sign", "sign"),
    (botocore.httpsession.URLLib3Session, "send", "http"),
    (botocore.endpoint, "convert_to_response_dict", "http"),  # reads the body
    (botocore.parsers.ResponseParser, "parse", "parse"),
    (Decider, "feed", "replay"),
    (Decider, "decisions", "replay"),
)


class CpuSplit:
    """Exclusive thread CPU seconds by category over the decision tasks handled while active.

    >>> split = CpuSplit()
    >>> with split.active():      # doctest: +SKIP
    ...     run_some_workflows()
    >>> split.per_task()          # doctest: +SKIP
    {'sign': 4.1e-05, ...}
    """

    def __init__(self) -> None:
        self.totals: Counter[str] = Counter()
        self.tasks = 0
        self.calls = 0
        self.events = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    # --- the timer stack -----------------------------------------------------------------

    def _state(self) -> tuple[list[list[Any]], Counter[str]]:
        local = self._local
        if not hasattr(local, "stack"):
            local.stack, local.spent = [], Counter()
        return local.stack, local.spent

    def _enter(self, category: str) -> None:
        now = time.thread_time()
        stack, spent = self._state()
        if stack:
            top = stack[-1]
            spent[top[0]] += now - top[1]
        stack.append([category, now])

    def _exit(self) -> None:
        now = time.thread_time()
        stack, spent = self._state()
        category, since = stack.pop()
        spent[category] += now - since
        if stack:
            stack[-1][1] = now

    def _wrap(self, function: Callable[..., Any], category: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._enter(category)
            try:
                return function(*args, **kwargs)
            finally:
                self._exit()

        return timed

    def _wrap_task(self, poll_once: Callable[..., bool]) -> Callable[..., bool]:
        def timed(worker: Any, task_list: str) -> bool:
            stack, spent = self._state()
            spent.clear()
            self._local.calls = self._local.events = 0
            self._enter("worker")
            try:
                handled = poll_once(worker, task_list)
            finally:
                self._exit()
            if handled:
                with self._lock:
                    self.totals.update(spent)
                    self.tasks += 1
                    self.calls += self._local.calls
                    self.events += self._local.events
            spent.clear()
            return handled

        return timed

    def _count(self, events: int, calls: int) -> None:
        local = self._local
        local.calls = getattr(local, "calls", 0) + calls
        local.events = getattr(local, "events", 0) + events

    @contextmanager
    def active(self) -> Iterator[CpuSplit]:
        """Wrap the measured functions for the duration of the block."""
        saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in _WRAPPED]
        saved.append((DecisionWorker, "poll_once", DecisionWorker.__dict__["poll_once"]))
        if _history_parser is not None:  # its botocore event handler parses: "parse"
            handler = _history_parser._handler
            saved.append((_history_parser, "_handler", handler))
            _history_parser._handler = lambda parse: self._wrap(handler(parse), "parse")
        make_api_call = botocore.client.BaseClient._make_api_call
        split = self

        def api_call(client: Any, operation: str, params: Any) -> Any:
            response = make_api_call(client, operation, params)
            if operation in ("PollForDecisionTask", "GetWorkflowExecutionHistory"):
                split._count(len(response.get("events") or ()), 0)
            split._count(0, 1)
            return response

        try:
            for owner, name, category in _WRAPPED:
                original = api_call if name == "_make_api_call" else getattr(owner, name)
                setattr(owner, name, self._wrap(original, category))
            DecisionWorker.poll_once = self._wrap_task(  # type: ignore[method-assign]
                DecisionWorker.poll_once
            )
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)

    def per_task(self) -> dict[str, float]:
        """Mean CPU seconds per decision task, by category, and ``total``."""
        tasks = max(self.tasks, 1)
        split = {category: self.totals[category] / tasks for category in CATEGORIES}
        split["total"] = sum(self.totals.values()) / tasks
        return split
