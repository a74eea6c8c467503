"""``LocalSWF``: the SWF-compatible service, started from Python, pytest or the command line.

It serves the same ``SwfModel`` the SerialExecutor uses (one implementation of SWF's
semantics), adding HTTP, concurrency, long polling, a clock thread and optional persistence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..model import DEFAULT_ACCOUNT_ID
from ..swf.limits import LONG_POLL_SECONDS, Quotas
from ._engine import DEFAULT_COMPACT_EVERY, Engine, check_compact_every
from ._persistence import Journal
from ._server import DEFAULT_READ_TIMEOUT, SwfHttpServer

__all__ = ["LocalSWF", "NO_AUTH_WARNING", "check_account_id"]

NO_AUTH_WARNING = (
    "swfobjects local has NO authentication: anyone who can reach the port can run any SWF "
    "operation. Keep it on 127.0.0.1."
)


def check_account_id(value: str) -> str:
    """``value`` if it looks like an AWS account id (12 digits), else ``ValueError`` saying so."""
    if not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise ValueError(f"an AWS account id is 12 digits, not {value!r}")
    return value


class LocalSWF:
    """An SWF endpoint on this machine: ``boto3.client("swf", endpoint_url=...)`` works unchanged.

    >>> with LocalSWF(poll_timeout=1) as swf:                     # free port on 127.0.0.1
    ...     client = swf.client()
    ...     _ = client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    ...     client.describe_domain(name="d")["domainInfo"]["status"]
    'REGISTERED'

    Args:
        host: interface to bind; the service has no authentication, so keep 127.0.0.1.
        port: TCP port; 0 picks a free one (see :attr:`endpoint_url`).
        db: SQLite file for persistence; state survives restarts. ``None``: in memory.
        clock: time source (epoch seconds); defaults to ``time.time`` looked up per call, so
            freezegun controls it. Timers and timeouts follow this clock.
        poll_timeout: longest wait of an empty ``PollFor*Task`` (SWF: 60 s).
        tick: how often, at most, the clock thread looks at the clock when nothing is due
            sooner (matters only for clocks that jump, as in tests).
        verbose: log every request and error to stderr.
        account_id: the account id in ARNs (the region in them is the one each request was
            signed for, as with SWF's regional endpoints).
        quotas: SWF's quotas to enforce, by name, overriding SWF's defaults
            (``{"domains": 3, "open_timers": 2}``; the names are
            :meth:`swfobjects.swf.limits.Quotas.names`): a test reaches ``LimitExceededFault``
            or ``OPEN_TIMERS_LIMIT_EXCEEDED`` cheaply. An unknown name is a ``ValueError``.
        close_connections: answer every request with ``Connection: close`` (for clients that
            fork after opening a keep-alive connection, such as simpleflow's standalone
            supervisor: their processes would share one socket).
        read_timeout: seconds a connection may send nothing while the service waits for a
            request or the rest of its body; then it is closed.
        compact_every: with ``db``, journal rows after which the model's snapshot replaces
            them, so the file and the start-up time stay bounded (0: never).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        db: str | Path | None = None,
        clock: Callable[[], float] | None = None,
        poll_timeout: float = LONG_POLL_SECONDS,
        tick: float = 0.05,
        verbose: bool = False,
        account_id: str = DEFAULT_ACCOUNT_ID,
        quotas: Mapping[str, int] | Quotas | None = None,
        close_connections: bool = False,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        compact_every: int = DEFAULT_COMPACT_EVERY,
    ) -> None:
        check_account_id(account_id)
        self.compact_every = check_compact_every(compact_every)
        self.quotas = Quotas.from_mapping(quotas)
        if not read_timeout > 0:
            raise ValueError(
                f"read_timeout must be a positive number of seconds, not {read_timeout}"
            )
        self.close_connections = close_connections
        self.read_timeout = read_timeout
        self.host = host
        self.account_id = account_id
        self.port = port
        self.db = db
        self.clock = clock
        self.poll_timeout = poll_timeout
        self.tick = tick
        self.verbose = verbose
        self.engine: Engine | None = None
        self._server: SwfHttpServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> LocalSWF:
        """Replay the journal (if any), bind, and serve in a background thread."""
        if self._server is not None:
            return self
        journal = Journal(self.db) if self.db is not None else None
        engine = Engine(
            self.clock,
            journal,
            self.poll_timeout,
            self.tick,
            self.account_id,
            self.quotas,
            compact_every=self.compact_every,
        )
        try:
            server = SwfHttpServer(
                (self.host, self.port),
                engine,
                self.verbose,
                read_timeout=self.read_timeout,
                keep_alive=not self.close_connections,
            )
        except OSError:
            engine.close()
            raise
        self.engine, self._server = engine, server
        self.port = server.server_address[1]
        engine.start()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"swfobjects-local-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: waiting polls answer empty, connections close, the journal closes."""
        server, engine = self._server, self.engine
        if server is None or engine is None:
            return
        server.shutdown()
        engine.close()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl-C), then stop cleanly."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> LocalSWF:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- use ----------------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        """``http://host:port`` of the running service."""
        if self._server is None:
            raise RuntimeError("LocalSWF is not running: use it as a context manager or start()")
        host = self.host if self.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        return f"http://{host}:{self.port}"

    def client(self, **kwargs: Any) -> Any:
        """A boto3 SWF client for this service (dummy credentials, read timeout > polls).

        Keyword arguments go to ``boto3.client`` and override the defaults.
        """
        import boto3
        from botocore.config import Config

        options: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": "us-east-1",
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
            "config": Config(
                read_timeout=self.poll_timeout + 10,
                connect_timeout=5,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        }
        options.update(kwargs)
        return boto3.client("swf", **options)

    def advance(self) -> int:
        """Fire the timers and timeouts due by the clock now (the clock thread also does)."""
        if self.engine is None:
            raise RuntimeError("LocalSWF is not running")
        return self.engine.advance()
