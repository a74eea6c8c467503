"""Where out-of-band payload bytes live: the ``DataStore`` interface and two simple stores.

A store is deliberately dumb: bytes in, bytes out, under a key the framework chooses. Scoping,
hashing, compression and caching happen once, in ``offload``, so a new backend is a few dozen
lines. Stores raise :class:`PayloadNotFoundError` for a missing key and :class:`DataStoreError`
(with the backend's error as ``__cause__``) for everything else.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote

from ...exceptions import DataStoreError, PayloadNotFoundError

__all__ = ["DataStore", "MemoryStore", "FileStore"]


class DataStore(ABC):
    """Bytes under keys, plus a ``reference`` string naming the store.

    Keys are ``/``-separated paths chosen by the framework
    (``domain/workflow_id/run_id/name``). ``reference`` goes into every payload reference and
    must be the same in every process that reads the payloads (``s3://bucket/prefix``).
    ``max_size`` is the largest object the store accepts (None: no limit of its own).

    >>> store = MemoryStore()
    >>> store.put("d/wf/run/a", b"hello"); store.get("d/wf/run/a")
    b'hello'
    """

    max_size: int | None = None

    @property
    @abstractmethod
    def reference(self) -> str:
        """A string naming this store, e.g. ``"s3://bucket/prefix"``."""

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (replacing what was there)."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`PayloadNotFoundError` if there are none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key`` (no error if it is already gone)."""

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with ``prefix``."""

    def exists(self, key: str) -> bool:
        """True if ``key`` holds an object (used to skip uploading identical content)."""
        return any(k == key for k in self.keys(key))

    def delete_many(self, keys: Iterable[str]) -> int:
        """Remove ``keys``; returns how many were asked for."""
        count = 0
        for key in keys:
            self.delete(key)
            count += 1
        return count

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.reference}>"


_ids = itertools.count(1)


class MemoryStore(DataStore):
    """A dict in this process: for tests and the SerialExecutor.

    Each instance has its own ``reference`` (``memory:N``), so payloads written to one memory
    store are never looked up in another by mistake. ``max_size`` simulates a store limit.

    >>> store = MemoryStore(); store.put("k", b"x"); sorted(store.keys())
    ['k']
    """

    def __init__(self, max_size: int | None = None) -> None:
        self.max_size = max_size
        self.objects: dict[str, bytes] = {}
        self._name = f"memory:{next(_ids)}"
        self._lock = threading.Lock()

    @property
    def reference(self) -> str:
        return self._name

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self.objects[key] = bytes(data)

    def get(self, key: str) -> bytes:
        with self._lock:
            data = self.objects.get(key)
        if data is None:
            raise PayloadNotFoundError(
                f"no object {key!r} in {self._name}", store=self._name, key=key
            )
        return data

    def delete(self, key: str) -> None:
        with self._lock:
            self.objects.pop(key, None)

    def keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            found = [k for k in self.objects if k.startswith(prefix)]
        return iter(sorted(found))

    def exists(self, key: str) -> bool:
        with self._lock:
            return key in self.objects


class FileStore(DataStore):
    """Files under ``directory``: one machine, or a volume every worker mounts (NFS, EFS).

    Writes go to a temporary file that is renamed into place, so a reader never sees half an
    object. Key segments are percent-encoded, so no workflow id can escape the directory.
    ``name`` overrides the reference string when the volume is mounted at different paths on
    different machines.

    >>> import tempfile; store = FileStore(tempfile.mkdtemp())
    >>> store.put("d/wf/r/k", b"data"); store.get("d/wf/r/k")
    b'data'
    """

    def __init__(self, directory: str | os.PathLike[str], name: str | None = None) -> None:
        self.directory = Path(directory).resolve()
        self._name = name or self.directory.as_uri()

    @property
    def reference(self) -> str:
        return self._name

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(not part for part in parts):
            raise ValueError(f"invalid data store key {key!r}")
        return self.directory.joinpath(*(_encode_segment(part) for part in parts))

    def _error(self, action: str, key: str, exc: OSError) -> DataStoreError:
        return DataStoreError(
            f"{action} {key!r} in {self._name} failed: {exc}", store=self._name, key=key
        )

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            raise self._error("writing", key, exc) from exc

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise PayloadNotFoundError(
                f"no object {key!r} in {self._name} (no file {path})", store=self._name, key=key
            ) from None
        except OSError as exc:
            raise self._error("reading", key, exc) from exc

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise self._error("deleting", key, exc) from exc
        for parent in path.parents:
            if parent == self.directory or self.directory not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break

    def keys(self, prefix: str = "") -> Iterator[str]:
        head, _, _ = prefix.rpartition("/")
        start = self._path(head) if head else self.directory
        if not start.is_dir():
            return iter(())
        found = []
        for root, _dirs, files in os.walk(start):
            for file in files:
                if file.startswith(".tmp-"):
                    continue
                relative = Path(root, file).relative_to(self.directory)
                key = "/".join(unquote(part) for part in relative.parts)
                if key.startswith(prefix):
                    found.append(key)
        return iter(sorted(found))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _encode_segment(part: str) -> str:
    encoded = quote(part, safe="-_=+,@")
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    return encoded
