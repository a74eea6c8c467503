"""``swfobjects local``: an SWF-compatible HTTP service around the in-memory SWF model.

Modules, each with one job:

- ``protocol``: SWF's JSON 1.0 wire format, input validation, error shapes (no I/O);
- ``engine``: the thread-safe front of ``SwfModel`` (lock, long polls, clock thread, journal);
- ``persistence``: the SQLite write-ahead journal behind ``--db FILE`` (rows after a snapshot);
- ``compaction``: ``swfobjects local compact``, compacting and shrinking a journal offline;
- ``server``: the stdlib HTTP/1.1 server speaking the protocol;
- ``console``: the web console a browser gets on ``GET /`` (a static page calling the API);
- ``service``: ``LocalSWF``, which puts them together.
"""

from __future__ import annotations

from ._service import NO_AUTH_WARNING, LocalSWF

__all__ = ["LocalSWF", "NO_AUTH_WARNING"]
