"""Catching the classic replay bug: workflow code reading the clock or randomness directly.

While a decision runs, :class:`DeterminismGuard` installs a profile hook (``sys.setprofile``)
that notices calls to ``time.time``, ``datetime.now``/``utcnow``/``today``, the module-level
``random`` functions and ``uuid.uuid1``/``uuid4`` made from workflow code (calls made by
``logging`` or the standard library itself are fine). The decision then fails with
:class:`NonDeterministicCallError` naming the call and the line. It costs a little CPU, so the
SerialExecutor and ``decide()`` turn it on and production deciders leave it off.

The replay-safe alternative lives here too: :func:`seeded_random`, a random source seeded by
the run, which draws the same numbers on every replay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from types import FrameType
from typing import Any

from ..exceptions import NonDeterministicCallError

__all__ = ["DeterminismGuard", "seeded_random"]

_C_FUNCTIONS = {
    time.time: "time.time()",
    time.time_ns: "time.time_ns()",
    os.urandom: "os.urandom()",
}
_PY_FUNCTIONS = {uuid.uuid4.__code__: "uuid.uuid4()", uuid.uuid1.__code__: "uuid.uuid1()"}
_NOW_NAMES = frozenset({"now", "utcnow", "today"})
_SKIP_DIRS = (
    os.path.dirname(logging.__file__),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # the swfobjects package
    os.path.abspath(random.__file__),
    os.path.abspath(uuid.__file__),
)


def seeded_random(run_id: str, *parts: object) -> random.Random:
    """A random source seeded by ``run_id`` and ``parts``: replay draws the same numbers."""
    seed = hashlib.sha256("|".join([run_id, *map(str, parts)]).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _freezegun_codes() -> dict[Any, str]:
    api = sys.modules.get("freezegun.api")
    if api is None:
        return {}
    codes: dict[Any, str] = {}
    for name, label in (("fake_time", "time.time()"), ("fake_time_ns", "time.time_ns()")):
        function = getattr(api, name, None)
        if function is not None:
            codes[function.__code__] = label
    for cls, method in (
        (getattr(api, "FakeDatetime", None), "now"),
        (getattr(api, "FakeDatetime", None), "utcnow"),
        (getattr(api, "FakeDate", None), "today"),
    ):
        function = getattr(cls, method, None) if cls is not None else None
        function = getattr(function, "__func__", function)
        if function is not None and hasattr(function, "__code__"):
            codes[function.__code__] = f"datetime.{method}()"
    return codes


def _is_library(frame: FrameType | None) -> bool:
    if frame is None:
        return True
    filename = os.path.abspath(frame.f_code.co_filename)
    return filename.startswith(_SKIP_DIRS) or "freezegun" in filename


class DeterminismGuard:
    """Context manager recording the first non-deterministic call made by workflow code."""

    def __init__(self) -> None:
        self.violation: str | None = None
        self._previous: Any = None
        self._py_codes: dict[Any, str] = {}

    def __enter__(self) -> DeterminismGuard:
        self.violation = None
        self._py_codes = {**_PY_FUNCTIONS, **_freezegun_codes()}
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.setprofile(self._previous)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Let recorded code (``@nondeterministic``, ``@cached``) read clocks and randomness."""
        active = sys.getprofile() == self._profile
        if active:
            sys.setprofile(self._previous)
        try:
            yield
        finally:
            if active:
                sys.setprofile(self._profile)

    def _flag(self, label: str, caller: FrameType | None) -> None:
        if self.violation is None and not _is_library(caller):
            assert caller is not None
            where = f"{caller.f_code.co_filename}:{caller.f_lineno} in {caller.f_code.co_name}"
            self.violation = f"{label} called at {where}"

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if self.violation is not None:
            return
        if event == "c_call":
            label = _C_FUNCTIONS.get(arg) if _hashable(arg) else None
            if label is None:
                owner = getattr(arg, "__self__", None)
                if owner is random._inst:
                    label = f"random.{arg.__name__}()"
                elif owner in (dt.datetime, dt.date) and arg.__name__ in _NOW_NAMES:
                    label = f"{owner.__name__}.{arg.__name__}()"
            if label is not None:
                self._flag(label, frame)
        elif event == "call":
            code = frame.f_code
            label = self._py_codes.get(code)
            if label is None and frame.f_locals.get("self") is random._inst:
                label = f"random.{code.co_name}()"
            if label is not None:
                self._flag(label, frame.f_back)

    def raise_if_violated(self, event_id: int) -> None:
        """Fail the decision (never the workflow) if workflow code broke determinism."""
        if self.violation is not None:
            raise NonDeterministicCallError(
                f"workflow code made a non-deterministic call during the decision at event "
                f"{event_id}: {self.violation}; replay would see a different value. Use "
                "self.now() for time, self.random() / self.uuid4() for randomness, or move the "
                "call into a @nondeterministic method (its result is recorded once)"
            )


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
