"""Catching the classic replay bugs: workflow code reading clocks or randomness, sleeping,
or reaching for threads or asyncio.

While a decision runs, :class:`DeterminismGuard` notices calls made from workflow code to
``time.time``, ``time.monotonic``, ``time.perf_counter`` (and their ``_ns`` forms),
``datetime.now``/``utcnow``/``today``, the module-level ``random`` functions, ``os.urandom``,
``uuid.uuid1``/``uuid4``, ``time.sleep``, ``threading`` (its functions and every public method
of its classes) and asyncio's entry points (its functions, and creating its loops, queues,
locks, events, runners...). Calls made by ``logging``, swfobjects itself or (for threads and
asyncio) the standard library are fine. The decision then fails with
:class:`NonDeterministicCallError` naming the call, the line and what to use instead. Every
decider has it on by default (``strict=False`` / ``check_determinism=False`` turn it off).

How it stays cheap (a global ``sys.setprofile`` hook, which this module used before, made a
replay 7.5 times slower, so it could not be left on in production). When this module is
imported, each watched callable is replaced by a thin wrapper, once for the whole process:

* wherever it is reachable by name: the module attribute (``time.time``) and every module
  global already bound to it (``from time import monotonic`` done before swfobjects was
  imported), rebound by one pass over ``sys.modules``; names imported afterwards get the
  wrapper anyway. Implementation modules (names starting with ``_``, asyncio's submodules) are
  left alone, so that the standard library's own internals stay unwrapped;
* on the classes: public methods of ``threading``'s classes, ``__init__`` of asyncio's, and
  ``datetime.now``/``utcnow``/``date.today`` on the C types, which refuse ``setattr``: their
  type dictionary is written through ``gc.get_referents`` and CPython told with
  ``PyType_Modified`` (the one place ctypes is used; on an interpreter where that fails, a
  warning says ``datetime.now()`` goes unwatched).

A wrapper outside a decision costs one truth test of a dictionary (``_ACTIVE``: the guard on
in each thread, by thread id) and the call; inside one it looks up its thread's guard and the
caller's frame, and only then judges where the call came from. A decision itself pays two
dictionary operations (callgrind: +3% on a full replay, +4% on a cached decision). asyncio and
freezegun are wrapped the first time a decision starts after they were imported (importing
asyncio here would cost every process ~20 ms), and everything is rebound again if something
(freezegun stopping) put an original back. What is not caught: an alias captured before
swfobjects was imported somewhere other than a module global (a default argument, a class
attribute), and methods of asyncio objects made outside the workflow.

The replay-safe alternative lives here too: :func:`seeded_random`, a random source seeded by
the run, which draws the same numbers on every replay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import inspect
import logging
import os
import random
import sys
import sysconfig
import threading
import time
import types
import uuid
import warnings
from collections.abc import Callable, Iterator
from types import CodeType, FrameType
from typing import Any

from ..exceptions import NonDeterministicCallError
from ..payloads._framework_io import register_pause

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

_MARK = "__swf_guarded__"
"""Attribute set on every wrapper (its value: the wrapped original)."""

_ACTIVE: dict[int, DeterminismGuard] = {}
"""Thread id -> the guard on in that thread: a wrapper's whole cost outside decisions is testing
this for emptiness."""
_get_ident = threading.get_ident  # the original: the wrapped one would call back here
_INSTALL_LOCK = threading.RLock()
_TIME_TIME = time.time
"""The original, to notice that something (freezegun stopping) put it back."""

_CONCURRENCY_EXEMPT = (sysconfig.get_paths()["stdlib"],)
"""The standard library may use threading and asyncio itself (locks in ``queue``...); only
calls made directly from workflow code count."""
_SKIP_DIRS = (
    os.path.dirname(logging.__file__),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # the swfobjects package
    os.path.abspath(random.__file__),
    os.path.abspath(uuid.__file__),
)
_LIBRARY_CODES: dict[CodeType, bool] = {}
"""Code object -> whether it belongs to code allowed to read clocks (cached: logging inside a
decision would otherwise pay a path computation per record)."""
_ASYNCIO_HARMLESS = frozenset({"iscoroutinefunction", "iscoroutine", "isfuture"})
"""asyncio functions that only inspect a value."""
_FREEZEGUN_FAKES = (
    "time",
    "time_ns",
    "monotonic",
    "monotonic_ns",
    "perf_counter",
    "perf_counter_ns",
)
"""freezegun's fakes (``freezegun.api.fake_NAME``) of the ``time`` functions watched."""
_ASYNCIO_INTERNAL = frozenset({"Handle", "TimerHandle"})
"""asyncio classes made by the loop for every callback, never by user code: not wrapped."""


def seeded_random(run_id: str, *parts: object) -> random.Random:
    """A random source seeded by ``run_id`` and ``parts``: replay draws the same numbers."""
    seed = hashlib.sha256("|".join([run_id, *map(str, parts)]).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


# --- noticing a call ----------------------------------------------------------------------


def _notice(label: str, kind: str) -> None:
    """Called by a wrapper while some guard is on: flag the call if this thread's guard is on
    and the caller (two frames up: this function, the wrapper) is workflow code."""
    guard = _ACTIVE.get(_get_ident())
    if guard is None or guard.violation is not None or guard._paused:
        return
    guard._flag(label, kind, sys._getframe(2))


def _is_library(code: CodeType) -> bool:
    library = _LIBRARY_CODES.get(code)
    if library is None:
        filename = os.path.abspath(code.co_filename)
        library = filename.startswith(_SKIP_DIRS) or "freezegun" in filename
        _LIBRARY_CODES[code] = library
    return library


def _wrap(original: Callable[..., Any], label: str, kind: str) -> Callable[..., Any]:
    """``original`` behind a check of the guard (coroutine functions stay coroutine functions:
    the check runs when the coroutine first steps, as the awaiting frame's call).

    A C function or bound method is not a descriptor, and code relies on it: ``lock_class =
    threading.Lock`` or ``clock = time.monotonic`` as a class attribute, called on an instance.
    Their wrapper is therefore a (callable) ``staticmethod``, which does not bind either."""
    active = _ACTIVE
    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(original):

        async def guarded_coroutine(*args: Any, **kwargs: Any) -> Any:
            if active:
                _notice(label, kind)
            return await original(*args, **kwargs)

        wrapper = guarded_coroutine
    else:

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if active:
                _notice(label, kind)
            return original(*args, **kwargs)

        wrapper = guarded
    wrapper = functools.wraps(original)(wrapper)
    setattr(wrapper, _MARK, original)
    if isinstance(original, types.FunctionType):
        return wrapper
    unbound = staticmethod(wrapper)
    setattr(unbound, _MARK, original)
    return unbound


def _wrap_classmethod(original: Any, name: str, label: str = "") -> classmethod[Any, Any, Any]:
    """A classmethod (``datetime.now``, freezegun's fakes) behind a check of the guard;
    ``label`` (default: the class it was called on and ``name``) is what the error names."""
    active = _ACTIVE

    def guarded(cls: type, *args: Any, **kwargs: Any) -> Any:
        if active:
            _notice(label or f"{cls.__name__}.{name}()", "clock")
        return original.__get__(None, cls)(*args, **kwargs)

    guarded.__name__ = guarded.__qualname__ = name
    guarded.__doc__ = getattr(original, "__doc__", None)
    setattr(guarded, _MARK, original)
    return classmethod(guarded)


# --- installing the wrappers ----------------------------------------------------------------


def _module_functions() -> list[tuple[Any, str, str]]:
    """(callable, label, kind) for every watched callable reachable as a module attribute."""
    found: list[tuple[Any, str, str]] = [
        (time.time, "time.time()", "clock"),
        (time.time_ns, "time.time_ns()", "clock"),
        (time.monotonic, "time.monotonic()", "clock"),
        (time.monotonic_ns, "time.monotonic_ns()", "clock"),
        (time.perf_counter, "time.perf_counter()", "clock"),
        (time.perf_counter_ns, "time.perf_counter_ns()", "clock"),
        (time.sleep, "time.sleep()", "sleep"),
        (os.urandom, "os.urandom()", "clock"),
        (uuid.uuid1, "uuid.uuid1()", "clock"),
        (uuid.uuid4, "uuid.uuid4()", "clock"),
    ]
    for name, value in vars(random).items():
        if getattr(value, "__self__", None) is random._inst and not name.startswith("_"):
            found.append((value, f"random.{name}()", "clock"))
    for name in threading.__all__:
        value = getattr(threading, name)
        if callable(value) and not isinstance(value, type):
            found.append((value, f"threading.{name}()", "concurrency"))
    asyncio = sys.modules.get("asyncio")
    for name in getattr(asyncio, "__all__", ()):
        value = getattr(asyncio, name)
        if callable(value) and not isinstance(value, type) and name not in _ASYNCIO_HARMLESS:
            found.append((value, f"asyncio.{name}()", "concurrency"))
    api = sys.modules.get("freezegun.api")
    for name in _FREEZEGUN_FAKES:
        fake = getattr(api, f"fake_{name}", None)
        if fake is not None:
            found.append((fake, f"time.{name}()", "clock"))
    return [each for each in found if not hasattr(each[0], _MARK)]  # freezegun saw a wrapper


def _class_methods() -> list[tuple[type, str, Any]]:
    """(class, attribute, wrapper) for the watched methods of watched classes."""
    patches: list[tuple[type, str, Any]] = []
    for name in threading.__all__:
        cls = getattr(threading, name)
        if isinstance(cls, type) and cls.__module__ == "threading":
            for member, value in list(vars(cls).items()):
                public = not member.startswith("_") or member in ("__init__", "__enter__")
                if public and isinstance(value, types.FunctionType):
                    label = name if member == "__init__" else f"{name}.{member}"
                    patches.append(
                        (cls, member, _wrap(value, f"threading.{label}()", "concurrency"))
                    )
    asyncio = sys.modules.get("asyncio")
    for name in getattr(asyncio, "__all__", ()):
        cls = getattr(asyncio, name)
        if (
            isinstance(cls, type)
            and not issubclass(cls, BaseException)
            and name not in _ASYNCIO_INTERNAL
            and isinstance(vars(cls).get("__init__"), types.FunctionType)
        ):
            patches.append(
                (cls, "__init__", _wrap(vars(cls)["__init__"], f"asyncio.{name}()", "concurrency"))
            )
    api = sys.modules.get("freezegun.api")
    for cls_name, method in (
        ("FakeDatetime", "now"),
        ("FakeDatetime", "utcnow"),
        ("FakeDate", "today"),
    ):
        cls = getattr(api, cls_name, None)
        if isinstance(cls, type) and isinstance(vars(cls).get(method), classmethod):
            label = f"{'date' if cls_name == 'FakeDate' else 'datetime'}.{method}()"
            patches.append((cls, method, _wrap_classmethod(vars(cls)[method], method, label)))
    for cls, method in ((dt.datetime, "now"), (dt.datetime, "utcnow"), (dt.date, "today")):
        patches.append((cls, method, _wrap_classmethod(vars(cls)[method], method)))
    return [p for p in patches if not hasattr(_unwrapped(vars(p[0])[p[1]]), _MARK)]


def _unwrapped(value: Any) -> Any:
    return value.__func__ if isinstance(value, classmethod) else value


def _set_class_attribute(cls: type, name: str, value: Any) -> None:
    """``setattr``, also on C types that refuse it (``datetime``): see the module docstring."""
    try:
        setattr(cls, name, value)
        return
    except TypeError:
        pass
    try:
        import ctypes

        namespace = gc.get_referents(cls.__dict__)[0]
        namespace[name] = value
        ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))
    except Exception as error:  # noqa: BLE001 - an interpreter without the trick
        warnings.warn(
            f"the determinism guard cannot watch {cls.__name__}.{name}() on this interpreter "
            f"({error!r}); workflow code calling it will not be caught",
            RuntimeWarning,
            stacklevel=2,
        )


def _rebinds(module_name: str) -> bool:
    """Whether module globals of ``module_name`` are rebound to the wrappers: not the
    standard library's implementation modules (``_thread``, asyncio's submodules), not
    freezegun (it compares ids of the originals it saw), not this module (it keeps them)."""
    if module_name == __name__ or module_name.startswith(("asyncio.", "freezegun")):
        return False
    return module_name == "__main__" or not module_name.startswith("_")


def _install() -> None:
    """Wrap every watched callable not wrapped yet and rebind every module global still
    bound to an original (see the module docstring)."""
    with _INSTALL_LOCK:
        for value, label, kind in _module_functions():
            if id(value) not in _KNOWN:
                _KNOWN[id(value)] = (value, _wrap(value, label, kind))
        for module_name, module in list(sys.modules.items()):
            if not isinstance(module, types.ModuleType) or not _rebinds(module_name):
                continue
            namespace = vars(module)
            for key, value in list(namespace.items()):
                found = _KNOWN.get(id(value))
                if found is not None and found[0] is value:
                    namespace[key] = found[1]
        api = sys.modules.get("freezegun.api")
        for name in _FREEZEGUN_FAKES if api is not None else ():
            value = getattr(api, f"fake_{name}", None)
            found = _KNOWN.get(id(value))
            if found is not None and found[0] is value:
                setattr(api, f"fake_{name}", found[1])  # what freezing puts in place
        for cls, name, wrapper in _class_methods():
            _set_class_attribute(cls, name, wrapper)
        _SEEN[:] = [sys.modules.get("asyncio"), sys.modules.get("freezegun.api")]


_KNOWN: dict[int, tuple[Any, Any]] = {}
"""id(original) -> (original, wrapper), for every callable wrapped so far (kept so that the
originals stay alive and their ids stay theirs)."""
_SEEN: list[Any] = [None, None]
"""[asyncio, freezegun.api] as they were at the last install."""


# --- the guard ----------------------------------------------------------------------------


class DeterminismGuard:
    """Context manager recording the first non-deterministic call made by workflow code."""

    def __init__(self) -> None:
        self.violation: str | None = None
        self.advice = ""
        self._paused = 0
        self._previous: DeterminismGuard | None = None
        self._thread = 0

    def __enter__(self) -> DeterminismGuard:
        self.violation = None
        modules = sys.modules
        if (
            _SEEN[0] is not modules.get("asyncio")
            or _SEEN[1] is not modules.get("freezegun.api")
            or time.time is _TIME_TIME  # freezegun put the original back
        ):
            _install()
        self._thread = thread = _get_ident()
        self._previous = _ACTIVE.get(thread)
        _ACTIVE[thread] = self
        return self

    def __exit__(self, *exc: Any) -> None:
        previous = self._previous
        if previous is None:
            del _ACTIVE[self._thread]
        else:
            _ACTIVE[self._thread] = previous
            self._previous = None

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Let recorded code (``@nondeterministic``, ``@cached``) and framework I/O read clocks
        and randomness."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    def _flag(self, label: str, kind: str, caller: FrameType) -> None:
        code = caller.f_code
        if _is_library(code):
            return
        if kind == "concurrency" and code.co_filename.startswith(_CONCURRENCY_EXEMPT):
            return
        self.violation = f"{label} called at {code.co_filename}:{caller.f_lineno} in {code.co_name}"
        self.advice = _ADVICE[kind]

    def raise_if_violated(self, event_id: int) -> None:
        """Fail the decision (never the workflow) if workflow code broke determinism."""
        if self.violation is not None:
            raise NonDeterministicCallError(
                f"workflow code made a non-deterministic call during the decision at event "
                f"{event_id}: {self.violation}; {self.advice}"
            )


def _pause_this_thread() -> contextlib.AbstractContextManager[None]:
    """How framework I/O (payload stores) pauses the guard of the calling thread, if any."""
    guard = _ACTIVE.get(_get_ident()) if _ACTIVE else None
    return contextlib.nullcontext() if guard is None else guard.paused()


_install()
register_pause(_pause_this_thread)
