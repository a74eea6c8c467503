"""``swfobjects worker``: deciders and activity workers, in one process or N supervised ones.

One process runs :meth:`SWFExecutor.run_workers` (its poll threads finish the tasks in hand on
SIGINT/SIGTERM). Python runs one thread of Python code at a time, so activities that compute
scale past one core only in more processes: ``--processes N`` starts N children running the
same command with ``--processes 1`` and supervises them:

- a child that exits on its own (a crash, a kill, an out-of-memory) is started again, after a
  pause that grows while children keep dying young (so a broken deploy does not spin);
- SIGTERM or SIGINT is passed to every child, which finishes its tasks in hand; the supervisor
  waits for them all and exits 0 (a second signal kills them).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any, TextIO

from ._context import CommandError, Context, is_workflow, load_classes

__all__ = ["worker"]

_YOUNG = 10.0
"""Seconds: a child that dies younger than this makes the next restart wait longer."""
_MAX_PAUSE = 30.0


def worker(ctx: Context, out: TextIO) -> int:
    """Run the workers of the modules given, in ``--processes`` processes."""
    args = ctx.args
    if args.processes < 1 or args.threads < 1:
        raise CommandError("--processes and --threads must be at least 1", 2)
    parts = [cls for spec in args.modules for cls in load_classes(spec)]
    workflows = [cls for cls in parts if is_workflow(cls)]
    activities = [cls for cls in parts if not is_workflow(cls)]
    if args.decision_only:
        activities = []
    if args.activity_only:
        workflows = []
    if not workflows and not activities:
        raise CommandError(
            "nothing to run: the modules give no "
            + ("Workflow" if args.decision_only else "ActivityWorker" if args.activity_only else "")
            + " class",
            2,
        )
    ctx.executor  # noqa: B018 - report a missing domain or region before starting children
    if args.processes > 1:
        return _supervise(args.processes, ctx.argv, out)
    names = ", ".join(cls.__qualname__ for cls in [*workflows, *activities])
    print(f"swfobjects worker: polling domain {ctx.domain} for {names}", file=out, flush=True)
    ctx.executor.run_workers(
        *workflows,
        *activities,
        decision_threads=args.threads,
        activity_threads=args.threads,
        max_concurrent_activities=args.max_concurrent_activities,
        max_activities_per_second=args.max_activities_per_second,
        graceful_shutdown_timeout=args.graceful_shutdown_timeout,
    )
    print("swfobjects worker: stopped", file=out, flush=True)
    return 0


def _child_command(argv: list[str]) -> list[str]:
    """This command line with ``--processes 1``: what each child runs."""
    out: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
            continue
        if item == "--processes":
            skip = True
            continue
        if item.startswith("--processes="):
            continue
        out.append(item)
    return [sys.executable, "-m", "swfobjects", *out, "--processes", "1"]


class _Supervisor:
    def __init__(self, count: int, argv: list[str], out: TextIO) -> None:
        self.count = count
        self.command = _child_command(argv)
        self.out = out
        self.children: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        self.stopping = 0
        self.pause = 0.0

    def say(self, text: str) -> None:
        print(f"swfobjects worker: {text}", file=self.out, flush=True)

    def spawn(self, slot: int) -> None:
        child = subprocess.Popen(self.command)
        self.children[slot] = (child, time.monotonic())
        self.say(f"process {slot} started (pid {child.pid})")

    def on_signal(self, signum: int, frame: Any) -> None:
        self.stopping += 1
        forward = signal.SIGTERM if self.stopping == 1 else signal.SIGKILL
        if self.stopping == 1:
            self.say(f"signal {signum}: stopping the processes (they finish their tasks)")
        for child, _ in self.children.values():
            if child.poll() is None:
                child.send_signal(forward)

    def run(self) -> int:
        previous = {s: signal.signal(s, self.on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for slot in range(1, self.count + 1):
                self.spawn(slot)
            while not self.stopping:
                time.sleep(0.2)
                for slot, (child, born) in list(self.children.items()):
                    code = child.poll()
                    if code is None or self.stopping:
                        continue
                    young = time.monotonic() - born < _YOUNG
                    self.pause = min(_MAX_PAUSE, max(1.0, self.pause * 2)) if young else 0.0
                    self.say(
                        f"process {slot} (pid {child.pid}) exited with status {code}; "
                        f"restarting it in {self.pause:.0f} s"
                    )
                    self._sleep(self.pause)
                    if not self.stopping:
                        self.spawn(slot)
            for child, _ in self.children.values():
                child.wait()
            self.say("stopped")
            return 0
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)


def _supervise(count: int, argv: list[str], out: TextIO) -> int:
    return _Supervisor(count, argv, out).run()
