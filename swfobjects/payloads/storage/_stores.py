"""Where out-of-band payload bytes live: the ``DataStore`` interface and two simple stores.

A store is deliberately dumb: bytes in, bytes out, under a key the framework chooses. Scoping,
hashing, compression and caching happen once, in ``offload``, so a new backend is a few dozen
lines. Stores raise :class:`PayloadNotFoundError` for a missing key and :class:`DataStoreError`
(with the backend's error as ``__cause__``) for everything else.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
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
    object. Key segments are percent-encoded, so no workflow id can escape the directory, and
    symbolic links inside the directory are refused (:class:`DataStoreError`), so no one who
    can write there can point a key at a file elsewhere.
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

    def _refuse_links(self, key: str, path: Path) -> None:
        """Raise DataStoreError if a component of ``path`` under the directory is a symlink."""
        current = self.directory
        for part in path.relative_to(self.directory).parts:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                return
            except OSError as exc:
                raise self._error("checking", key, exc) from exc
            if stat.S_ISLNK(mode):
                raise self._link_error(key, current)

    def _link_error(self, key: str, where: Path) -> DataStoreError:
        return DataStoreError(
            f"{where} in {self._name} is a symbolic link; FileStore refuses links inside its "
            f"directory (key {key!r}): remove it",
            store=self._name,
            key=key,
        )

    def _read(self, key: str, path: Path) -> bytes:
        """The file's bytes, opened one directory at a time without following any link."""
        if not _NO_FOLLOW_WALK:
            self._refuse_links(key, path)
            return path.read_bytes()
        parts = path.relative_to(self.directory).parts
        fd = os.open(self.directory, os.O_RDONLY | _O_DIRECTORY)
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                flags = os.O_RDONLY | _O_NOFOLLOW | (0 if last else _O_DIRECTORY)
                try:
                    next_fd = os.open(part, flags, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
                        where = self.directory.joinpath(*parts[: index + 1])
                        raise self._link_error(key, where) from None
                    raise
                os.close(fd)
                fd = next_fd
            with os.fdopen(fd, "rb") as handle:
                fd = -1
                return handle.read()
        finally:
            if fd >= 0:
                os.close(fd)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        self._refuse_links(key, path)
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
            return self._read(key, path)
        except FileNotFoundError:
            raise PayloadNotFoundError(
                f"no object {key!r} in {self._name} (no file {path})", store=self._name, key=key
            ) from None
        except OSError as exc:
            raise self._error("reading", key, exc) from exc

    def delete(self, key: str) -> None:
        path = self._path(key)
        self._refuse_links(key, path)
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
                if file.startswith(".tmp-") or os.path.islink(os.path.join(root, file)):
                    continue
                relative = Path(root, file).relative_to(self.directory)
                key = "/".join(unquote(part) for part in relative.parts)
                if key.startswith(prefix):
                    found.append(key)
        return iter(sorted(found))

    def exists(self, key: str) -> bool:
        path = self._path(key)
        self._refuse_links(key, path)
        return path.is_file()


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NO_FOLLOW_WALK = bool(_O_NOFOLLOW and _O_DIRECTORY) and os.open in os.supports_dir_fd
"""Whether reads can walk the path with ``openat``-style calls that refuse links (POSIX);
elsewhere each component is checked with ``lstat`` before an ordinary read."""


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


def _encode_segment(part: str) -> str:
    encoded = quote(part, safe="-_=+,@")
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    return encoded
