"""Markers: the recorded values of ``@nondeterministic``/``@cached`` calls and ``patched()``.

A marker is looked up by name in :attr:`MarkerBook.values`, which the decider fills from
*every* ``MarkerRecorded`` event it is given before replaying, so a replayed call finds its
recorded value even though the marker event comes after the decision that made the call.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from ..payloads._codecs import Codec, dumps, encode_any
from ..payloads._failures import qualified_name
from ..payloads._payload import Payloads
from ..swf.limits import MAX_NAME
from ._commands import CommandBook
from ._determinism import DeterminismGuard

__all__ = ["MarkerBook"]

T = TypeVar("T")


class MarkerBook:
    """The markers of one run: recorded values, those replay asked for, and patch answers.

    ``seeds`` are values known from elsewhere (a sticky decider's markers, when a full replay
    checks it): used before computing anew, since this decision's markers are not in history.
    """

    def __init__(
        self,
        book: CommandBook,
        payloads: Payloads,
        scope: dict[str, str],
        guard: DeterminismGuard | None,
    ) -> None:
        self.book = book
        self.payloads = payloads
        self.scope = scope
        self.guard = guard
        self.values: dict[str, str | None] = {}
        self.seeds: dict[str, str | None] = {}
        self.consumed: set[str] = set()
        self.patches: dict[str, bool] = {}
        self.calls = 0

    def _record(self, name: str, details: str | None) -> None:
        self.values[name] = details
        self.book.record_marker(name, details)

    def value(self, name: str, compute: Callable[[], T], codec: Codec, what: str) -> T:
        """The recorded value of marker ``name``, computing and recording it the first time."""
        if name not in self.values:
            if name in self.seeds:
                self._record(name, self.seeds[name])
            else:
                self._record(name, self._compute(compute, codec, what))
        self.consumed.add(name)
        data = self.payloads.decode_data(self.values[name], what) or {}
        if "error" in data:
            raise _rebuild_error(data["error"])
        return codec.decode(data.get("value"), what)  # type: ignore[no-any-return]

    def _compute(self, compute: Callable[[], Any], codec: Codec, what: str) -> str:
        """The marker details for a first call: its value, or the error it raised."""
        try:
            guard = self.guard
            if guard is None:
                value = compute()
            else:
                with guard.paused():
                    value = compute()
            body: dict[str, Any] = {"value": codec.encode(value, what)}
        except Exception as error:  # noqa: BLE001 - recorded, re-raised on every replay
            body = {"error": {"type": qualified_name(type(error)), "message": str(error)}}
        return self.payloads.encode_data(body, what, self.scope)

    def nondeterministic_name(self, method: str) -> str:
        """Marker name of the next ``@nondeterministic`` call: one per call site and order."""
        self.calls += 1
        return f"nd.{self.calls}.{method}"[:MAX_NAME]

    @staticmethod
    def cached_name(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """Marker name of a ``@cached`` call: one per distinct arguments."""
        digest = hashlib.sha256(dumps(encode_any([list(args), kwargs])).encode()).hexdigest()
        return f"cache.{method}.{digest[:24]}"[:MAX_NAME]

    def patched(self, change_id: str, replaying: bool) -> bool:
        """True for executions that run (or ran) the new code path of ``change_id``.

        A live decision records a marker and takes the new path; a replayed decision takes
        it only if history has that marker (the execution started after the change).
        """
        if change_id in self.patches:
            return self.patches[change_id]
        name = f"patch.{change_id}"[:MAX_NAME]
        if name in self.values:
            result = True
            self.consumed.add(name)
        elif not replaying:
            result = True
            self.consumed.add(name)
            self._record(name, None)
        else:
            result = False
        self.patches[change_id] = result
        return result


def _rebuild_error(data: dict[str, Any]) -> BaseException:
    """The exception a marker recorded, rebuilt the same way on every run."""
    type_name = str(data.get("type", "Exception"))
    message = str(data.get("message", ""))
    cls = getattr(builtins, type_name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:  # noqa: BLE001 - odd constructors
            pass
    return RuntimeError(f"{type_name}: {message}")
