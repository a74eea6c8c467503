"""The ``swfobjects`` command line.

``swfobjects local [--host 127.0.0.1] [--port 8650] [--db FILE]`` serves an SWF-compatible
endpoint on this machine; point any SWF client at it::

    swfobjects local --db swf.sqlite &
    aws swf list-domains --registration-status REGISTERED --endpoint-url http://127.0.0.1:8650

``swfobjects local compact --db FILE`` compacts a journal no service is using and shrinks it
(a running service compacts on its own every ``--compact-every`` rows).

The verbs that operate workflows (register, worker, start, run, signal, cancel, terminate,
list, show, history, replay) live in :mod:`swfobjects.cli`.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from .cli import add_commands, run_command
from .local._engine import DEFAULT_COMPACT_EVERY
from .local._server import DEFAULT_READ_TIMEOUT
from .swf.limits import Quotas

__all__ = ["main"]

DEFAULT_PORT = 8650


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="swfobjects", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    local = commands.add_parser(
        "local",
        help="serve an SWF-compatible endpoint on this machine",
        description="Serve Amazon SWF's JSON API on this machine (no authentication).",
    )
    local.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    local.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    local.add_argument("--db", metavar="FILE", help="SQLite file: state survives restarts")
    local.add_argument(
        "--poll-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="longest wait of an empty PollFor*Task (SWF: 60)",
    )
    local.add_argument(
        "--account-id",
        type=_account_id,
        default="123456789012",
        metavar="DIGITS",
        help="the account id in ARNs (123456789012); their region is the one each request is "
        "signed for",
    )
    local.add_argument(
        "--quota",
        action="append",
        type=_quota,
        default=[],
        metavar="NAME=N",
        help="enforce an SWF quota with another value than SWF's, e.g. --quota domains=3 "
        f"(repeatable; names: {', '.join(Quotas.names())})",
    )
    local.add_argument(
        "--close-connections",
        action="store_true",
        help="answer every request with 'Connection: close' (for clients that fork after "
        "opening a keep-alive connection, e.g. simpleflow's standalone supervisor)",
    )
    local.add_argument(
        "--read-timeout",
        type=float,
        default=DEFAULT_READ_TIMEOUT,
        metavar="SECONDS",
        help="close a connection that sends nothing for this long, waiting for a request or "
        f"the rest of its body ({DEFAULT_READ_TIMEOUT:g})",
    )
    local.add_argument(
        "--compact-every",
        type=_rows,
        default=DEFAULT_COMPACT_EVERY,
        metavar="N",
        help="with --db: after N journal rows, replace them by a snapshot of the state, so the "
        f"file and the start-up time stay bounded (0: never; {DEFAULT_COMPACT_EVERY})",
    )
    local.add_argument("--verbose", action="store_true", help="log every request")
    offline = local.add_subparsers(dest="local_command", metavar="[compact]")
    compact = offline.add_parser(
        "compact",
        help="compact a journal no service is using, and shrink its file",
        description="Replace the journal's rows by a snapshot of the state they build, then "
        "shrink the file (VACUUM). Refuses a journal a service has open.",
    )
    compact.add_argument("--db", dest="compact_db", metavar="FILE", required=True)
    add_commands(parser, commands)
    return parser


def _account_id(value: str) -> str:
    from .local._service import check_account_id

    try:
        return check_account_id(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rows(value: str) -> int:
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{value!r}: give a number of journal rows (0: never)")
    return int(value)


def _quota(value: str) -> tuple[str, int]:
    name, sep, number = value.partition("=")
    name = name.strip()
    if name not in Quotas.names():
        raise argparse.ArgumentTypeError(
            f"unknown quota {name!r} in {value!r}; the quotas are: {', '.join(Quotas.names())}"
        )
    if not sep or not number.strip().isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: give a quota as NAME=N, N a positive integer")
    return name, int(number)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the service as cleanly as Ctrl-C


def _compact(path: str) -> int:
    from .local._compaction import compact_offline
    from .local._persistence import JournalError

    try:
        done = compact_offline(path)
    except JournalError as exc:
        print(f"swfobjects local compact: {exc}", file=sys.stderr)
        return 2
    print(f"swfobjects local compact: {path}: {done}", flush=True)
    return 0


def _local(args: argparse.Namespace) -> int:
    from .local import NO_AUTH_WARNING, LocalSWF
    from .local._persistence import JournalError

    if args.local_command == "compact":
        return _compact(args.compact_db)

    service = LocalSWF(
        args.host,
        args.port,
        db=args.db,
        poll_timeout=args.poll_timeout,
        verbose=args.verbose,
        account_id=args.account_id,
        quotas=dict(args.quota),
        close_connections=args.close_connections,
        read_timeout=args.read_timeout,
        compact_every=args.compact_every,
    )
    try:
        service.start()
    except OSError as exc:
        print(f"swfobjects local: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    except JournalError as exc:
        print(f"swfobjects local: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    engine = service.engine
    replayed = engine.replayed if engine is not None else 0
    snapshot = "its snapshot and " if engine is not None and engine.from_snapshot else ""
    state = (
        f"journal {args.db} ({snapshot}{replayed} calls replayed)"
        if args.db
        else "in memory (lost on exit; use --db FILE to keep it)"
    )
    print(f"swfobjects local: SWF endpoint at {service.endpoint_url}", flush=True)
    print(f"swfobjects local: state {state}", flush=True)
    print(f"swfobjects local: WARNING: {NO_AUTH_WARNING}", flush=True)
    print(f"swfobjects local: web console at {service.endpoint_url}/", flush=True)
    service.serve_forever()
    print("swfobjects local: stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``swfobjects`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    if args.command == "local":
        return _local(args)
    return run_command(args, argv)


if __name__ == "__main__":
    sys.exit(main())
