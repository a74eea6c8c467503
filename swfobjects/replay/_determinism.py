"""Catching the classic replay bugs: workflow code reading clocks or randomness, sleeping,
or reaching for threads or asyncio.

While a decision runs, :class:`DeterminismGuard` installs a profile hook (``sys.setprofile``)
that notices calls made from workflow code to ``time.time``, ``time.monotonic``,
``time.perf_counter``, ``datetime.now``/``utcnow``/``today``, the module-level ``random``
functions, ``uuid.uuid1``/``uuid4``, ``time.sleep``, and anything in ``threading`` or
``asyncio`` (calls made by ``logging`` or the standard library itself are fine). The decision
then fails with :class:`NonDeterministicCallError` naming the call, the line and what to use
instead. It costs a little CPU, so the SerialExecutor and ``decide()`` turn it on and production
deciders leave it off. Python functions are recognised by their code objects (one dictionary
lookup per call, however many are watched), C functions by identity.

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
import sysconfig
import threading
import time
import types
import uuid
from collections.abc import Iterator
from types import FrameType
from typing import Any

from ..exceptions import NonDeterministicCallError

__all__ = ["DeterminismGuard", "seeded_random"]

_ADVICE = {
    "clock": "replay would see a different value. Use self.now() for time, self.random() / "
    "self.uuid4() for randomness, or move the call into a @nondeterministic method (its "
    "result is recorded once)",
    "sleep": "a decision must never block, and replay would sleep again. Use "
    "`await self.timer(seconds)`: a durable SWF timer",
    "concurrency": "workflow code runs on swfobjects' deterministic scheduler, not on threads or "
    "asyncio. Call activities (promises run in parallel), wait with all_of()/any_of() or "
    "self.timer(), and put threads or asyncio inside activities",
}
"""What to do instead, by kind of violation."""

_C_FUNCTIONS: dict[Any, tuple[str, str]] = {
    time.time: ("time.time()", "clock"),
    time.time_ns: ("time.time_ns()", "clock"),
    time.monotonic: ("time.monotonic()", "clock"),
    time.monotonic_ns: ("time.monotonic_ns()", "clock"),
    time.perf_counter: ("time.perf_counter()", "clock"),
    time.perf_counter_ns: ("time.perf_counter_ns()", "clock"),
    time.sleep: ("time.sleep()", "sleep"),
    os.urandom: ("os.urandom()", "clock"),
    threading.Lock: ("threading.Lock()", "concurrency"),
    threading.get_ident: ("threading.get_ident()", "concurrency"),
}


def _module_codes(*modules: types.ModuleType) -> dict[Any, tuple[str, str]]:
    """The code objects of every function and method defined in ``modules`` (asyncio's
    submodules, ``threading``), labelled ``module.Name()``: calls to them from workflow code are
    concurrency the deterministic scheduler cannot replay."""
    codes: dict[Any, tuple[str, str]] = {}
    for module in modules:
        public = module.__name__.partition(".")[0]
        for name, value in vars(module).items():
            members = vars(value).items() if isinstance(value, type) else [("", value)]
            for member, item in members:
                item = getattr(item, "__func__", getattr(item, "fget", item))
                code = getattr(item, "__code__", None)
                if code is None or getattr(item, "__module__", None) != module.__name__:
                    continue
                label = name if member in ("", "__init__", "__new__") else f"{name}.{member}"
                codes.setdefault(code, (f"{public}.{label}()", "concurrency"))
    return codes


_PY_FUNCTIONS: dict[Any, tuple[str, str]] = {
    uuid.uuid4.__code__: ("uuid.uuid4()", "clock"),
    uuid.uuid1.__code__: ("uuid.uuid1()", "clock"),
    **_module_codes(threading),
}
_WATCHED: list[Any] = [None, None, _PY_FUNCTIONS]
"""[asyncio module, freezegun's api module, the codes watched]: asyncio's functions and
freezegun's fakes are added once something has imported them (importing asyncio here would
cost every process ~20 ms for nothing); the merged table is rebuilt only when they change."""


def _watched_codes() -> dict[Any, tuple[str, str]]:
    asyncio = sys.modules.get("asyncio")
    freezegun = sys.modules.get("freezegun.api")
    if _WATCHED[0] is not asyncio or _WATCHED[1] is not freezegun:
        loaded = [m for n, m in sorted(sys.modules.items()) if n.startswith("asyncio.") and m]
        codes = {**_module_codes(*loaded), **_PY_FUNCTIONS, **_freezegun_codes()}
        _WATCHED[:] = [asyncio, freezegun, codes]
    table: dict[Any, tuple[str, str]] = _WATCHED[2]
    return table


_CONCURRENCY_EXEMPT = (sysconfig.get_paths()["stdlib"],)
"""The standard library may use threading and asyncio itself (locks in ``queue``...); only
calls made directly from workflow code count."""
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


def _freezegun_codes() -> dict[Any, tuple[str, str]]:
    api = sys.modules.get("freezegun.api")
    if api is None:
        return {}
    codes: dict[Any, tuple[str, str]] = {}
    for name, label in (
        ("fake_time", "time.time()"),
        ("fake_time_ns", "time.time_ns()"),
        ("fake_monotonic", "time.monotonic()"),
        ("fake_monotonic_ns", "time.monotonic_ns()"),
        ("fake_perf_counter", "time.perf_counter()"),
        ("fake_perf_counter_ns", "time.perf_counter_ns()"),
    ):
        function = getattr(api, name, None)
        if function is not None:
            codes[function.__code__] = (label, "clock")
    for cls, method in (
        (getattr(api, "FakeDatetime", None), "now"),
        (getattr(api, "FakeDatetime", None), "utcnow"),
        (getattr(api, "FakeDate", None), "today"),
    ):
        function = getattr(cls, method, None) if cls is not None else None
        function = getattr(function, "__func__", function)
        if function is not None and hasattr(function, "__code__"):
            codes[function.__code__] = (f"datetime.{method}()", "clock")
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
        self.advice = ""
        self._previous: Any = None
        self._py_codes: dict[Any, tuple[str, str]] = {}

    def __enter__(self) -> DeterminismGuard:
        self.violation = None
        self._py_codes = _watched_codes()
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

    def _flag(self, found: tuple[str, str], caller: FrameType | None) -> None:
        if self.violation is not None or _is_library(caller):
            return
        assert caller is not None
        label, kind = found
        if kind == "concurrency" and caller.f_code.co_filename.startswith(_CONCURRENCY_EXEMPT):
            return
        where = f"{caller.f_code.co_filename}:{caller.f_lineno} in {caller.f_code.co_name}"
        self.violation = f"{label} called at {where}"
        self.advice = _ADVICE[kind]

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if self.violation is not None:
            return
        if event == "c_call":
            found = _C_FUNCTIONS.get(arg) if _hashable(arg) else None
            if found is None:
                owner = getattr(arg, "__self__", None)
                if owner is random._inst:
                    found = (f"random.{arg.__name__}()", "clock")
                elif owner in (dt.datetime, dt.date) and arg.__name__ in _NOW_NAMES:
                    found = (f"{owner.__name__}.{arg.__name__}()", "clock")
            if found is not None:
                self._flag(found, frame)
        elif event == "call":
            code = frame.f_code
            found = self._py_codes.get(code)
            if found is None and frame.f_locals.get("self") is random._inst:
                found = (f"random.{code.co_name}()", "clock")
            if found is not None:
                self._flag(found, frame.f_back)

    def raise_if_violated(self, event_id: int) -> None:
        """Fail the decision (never the workflow) if workflow code broke determinism."""
        if self.violation is not None:
            raise NonDeterministicCallError(
                f"workflow code made a non-deterministic call during the decision at event "
                f"{event_id}: {self.violation}; {self.advice}"
            )


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
