"""The verbs' command line: their arguments, the global options, and one-line errors.

Global options (``--domain``, ``--endpoint-url``, ``--region``, ``--data-store``, ``--json``,
``--debug``) are accepted before or after the verb: each subparser carries them too, with
defaults that do not overwrite what was given before the verb.

Exit status: 0 done; 1 the thing asked for failed (SWF refused, the workflow failed, a history
no longer replays); 2 the command was wrong (arguments, module, missing domain). Errors are one
line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ..exceptions import HistoryFileError, SwfObjectsError
from . import _verbs
from ._context import DOMAIN_VARIABLE, CommandError, Context
from ._stubgen import stubgen
from ._worker import worker

__all__ = ["VERBS", "add_commands", "run_command"]

Verb = Callable[[Context, TextIO], int]

VERBS: dict[str, Verb] = {
    "register": _verbs.register,
    "worker": worker,
    "start": _verbs.start,
    "run": _verbs.run,
    "signal": _verbs.signal,
    "cancel": _verbs.cancel,
    "terminate": _verbs.terminate,
    "list": _verbs.list_executions,
    "show": _verbs.show,
    "history": _verbs.history,
    "replay": _verbs.replay,
    "stubgen": stubgen,
}
"""Verb name -> the function that runs it."""


def _global_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("global options (before or after the verb)")
    keep = argparse.SUPPRESS  # an option given before the verb is not reset by the subparser
    group.add_argument(
        "--domain", default=keep, help=f"the SWF domain (default: ${DOMAIN_VARIABLE})"
    )
    group.add_argument(
        "--endpoint-url",
        default=keep,
        metavar="URL",
        help="SWF endpoint, e.g. http://127.0.0.1:8650 for `swfobjects local` "
        "(default: boto3's, which honours $AWS_ENDPOINT_URL_SWF)",
    )
    group.add_argument("--region", default=keep, help="AWS region (default: boto3's)")
    group.add_argument(
        "--data-store",
        default=keep,
        metavar="STORE",
        help="out-of-band payload store the workers use: s3://BUCKET/PREFIX, file:///DIR, a "
        "directory, or MODULE:NAME",
    )
    group.add_argument("--json", action="store_true", default=keep, help="print JSON")
    group.add_argument(
        "--debug", action="store_true", default=keep, help="print tracebacks of errors"
    )


def _run_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow_id", metavar="WORKFLOW_ID")
    parser.add_argument("--run", metavar="RUN_ID", help="this run (default: the open or latest)")


def add_commands(
    parser: argparse.ArgumentParser, commands: argparse._SubParsersAction[Any]
) -> None:
    """Add the verbs to the ``swfobjects`` parser (``commands`` is its subparsers action)."""
    _global_options(parser)

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, help=help_text, description=help_text
        )
        _global_options(sub)
        return sub

    sub = verb("register", "register the domain and the workflow and activity types of modules")
    sub.add_argument("modules", nargs="+", metavar="MODULE[:NAME,...]")
    sub.add_argument(
        "--retention-days",
        type=int,
        default=1,
        metavar="DAYS",
        help="a new domain's retention of closed executions (1)",
    )

    sub = verb("worker", "run deciders and activity workers for modules until SIGTERM")
    sub.add_argument("modules", nargs="+", metavar="MODULE[:NAME,...]")
    sub.add_argument(
        "--processes",
        type=int,
        default=1,
        metavar="N",
        help="supervised worker processes (1): scale activities past one core",
    )
    sub.add_argument(
        "--threads",
        type=int,
        default=4,
        metavar="N",
        help="poll threads per process, deciders and activities each (4)",
    )
    sub.add_argument(
        "--max-concurrent-activities",
        type=int,
        metavar="N",
        help="activity tasks in hand at most, per process (no limit)",
    )
    sub.add_argument(
        "--max-activities-per-second",
        type=float,
        metavar="R",
        help="activity starts per second at most, per process (no limit)",
    )
    sub.add_argument(
        "--graceful-shutdown-timeout",
        type=float,
        metavar="SECONDS",
        help="on SIGTERM, wait this long for tasks in hand, then cancel them (wait for all)",
    )
    sub.add_argument(
        "--interceptor",
        action="append",
        metavar="MODULE:NAME",
        help="an Interceptor object or class (made with no arguments) for metrics or tracing, "
        "e.g. swfobjects.otel:TracingInterceptor; repeat for more, the first outermost",
    )
    only = sub.add_mutually_exclusive_group()
    only.add_argument("--decision-only", action="store_true", help="run deciders only")
    only.add_argument("--activity-only", action="store_true", help="run activity workers only")

    for name, help_text in (
        ("start", "start an execution; print its workflow id and run id"),
        ("run", "start an execution, wait, and print its result as JSON"),
    ):
        sub = verb(name, help_text)
        sub.add_argument("workflow", metavar="MODULE:CLASS")
        sub.add_argument(
            "args_json",
            nargs="?",
            metavar="ARGS_JSON",
            help="a JSON list of positional or an object of keyword arguments",
        )
        sub.add_argument("--input-file", metavar="FILE", help="read ARGS_JSON from FILE")
        sub.add_argument("--id", metavar="WORKFLOW_ID", help="the workflow id (default: random)")
        sub.add_argument("--task-list", help="decision task list (default: the class's)")
        sub.add_argument("--tag", action="append", help="a tag (up to 5)")
        sub.add_argument(
            "--timeout", type=float, metavar="SECONDS", help="wait at most this long for the result"
        )
        if name == "start":
            sub.add_argument("--wait", action="store_true", help="wait for the result and print it")

    sub = verb("signal", "send a signal to an execution")
    _run_id(sub)
    sub.add_argument("name", metavar="NAME")
    sub.add_argument(
        "args_json",
        nargs="?",
        metavar="ARGS_JSON",
        help="a JSON object of keyword arguments (a list needs --workflow)",
    )
    sub.add_argument(
        "--workflow",
        metavar="MODULE:CLASS",
        help="the workflow class, to encode positional arguments for its handler",
    )

    sub = verb("cancel", "ask an execution to cancel itself")
    _run_id(sub)
    sub = verb("terminate", "end an execution now (its code gets no say)")
    _run_id(sub)
    sub.add_argument("--reason", help="recorded in the history")

    sub = verb("list", "list executions, newest first")
    which = sub.add_mutually_exclusive_group()
    which.add_argument("--open", action="store_true", help="open executions only")
    which.add_argument("--closed", action="store_true", help="closed executions only")
    sub.add_argument("--type", metavar="NAME", help="of this workflow type")
    sub.add_argument("--tag", help="with this tag")
    sub.add_argument(
        "--since",
        metavar="WHEN",
        help="started since: 30m, 2h, 7d or an ISO 8601 time (default: ever)",
    )

    sub = verb("show", "status, input, result or failure, and the history as a table")
    _run_id(sub)
    sub.add_argument(
        "--html",
        metavar="FILE",
        help="also write the run drawn as a timeline to FILE (one self-contained HTML page)",
    )
    sub = verb("history", "the full history as GetWorkflowExecutionHistory JSON (for replay)")
    _run_id(sub)

    sub = verb("replay", "replay history files against the current code; status 1 on mismatch")
    sub.add_argument("files", nargs="+", metavar="FILE")
    sub.add_argument("--workflow", required=True, metavar="MODULE:CLASS")
    sub.add_argument(
        "--run-id",
        metavar="RUN_ID",
        help="the recorded run's id (seeds self.random(); read from child ids when not given)",
    )

    sub = verb("stubgen", "write MODULE_stubs.py: typed client stubs for pyright and every checker")
    sub.add_argument("modules", nargs="+", metavar="MODULE")
    sub.add_argument("--check", action="store_true", help="write nothing; status 1 if stale")


def run_command(args: argparse.Namespace, argv: Sequence[str], out: TextIO | None = None) -> int:
    """Run the verb ``args.command``; errors become one line on stderr and an exit status."""
    out = out or sys.stdout
    debug = bool(getattr(args, "debug", False))
    try:
        return VERBS[args.command](Context(args, list(argv)), out)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `swfobjects show X | head`: the reader left; say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as error:  # noqa: BLE001 - every error becomes one line and a status
        status, message = _describe(error)
        if debug:
            traceback.print_exc()
        print(f"swfobjects {args.command}: {message}", file=sys.stderr)
        return status


def _describe(error: Exception) -> tuple[int, str]:
    if isinstance(error, CommandError):
        return error.status, str(error)
    if isinstance(error, HistoryFileError):
        return 2, str(error)
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        code = response["Error"].get("Code", "")
        text = response["Error"].get("Message", "")
        return 1, f"SWF refused: {code}: {text}".rstrip(": ")
    module = type(error).__module__
    if module.startswith("botocore"):
        return 1, f"{error} (connection to SWF; see --endpoint-url, --region)"
    if isinstance(error, (SwfObjectsError, TypeError, ValueError)):
        return 1, str(error)
    return 1, f"{type(error).__name__}: {error} (--debug shows the traceback)"
