"""A bounded, thread-safe LRU of fetched payload texts, keyed by reference.

Replay runs the workflow code from the start of its history whenever a decider does not hold
the run's state, so it decodes the same activity results again and again. Fetching megabytes
from S3 on every decision would make replay cost grow with payload size; this cache makes a
repeated decode a dictionary lookup. Keys include the sha256, so an entry can never stand in
for different content.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["PayloadCache", "DEFAULT_CACHE"]


class PayloadCache:
    """At most ``max_chars`` characters of payload text (the least recently used go first).

    >>> cache = PayloadCache(max_chars=10)
    >>> cache.put(("s", "k", "h"), "12345"); cache.get(("s", "k", "h"))
    '12345'
    """

    def __init__(self, max_chars: int = 256 * 1024 * 1024) -> None:
        self.max_chars = max_chars
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """Characters held now."""
        return self._size

    def get(self, key: tuple[str, str, str]) -> str | None:
        """The cached text, or None."""
        with self._lock:
            text = self._items.get(key)
            if text is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return text

    def put(self, key: tuple[str, str, str], text: str) -> None:
        """Remember ``text`` (a text larger than the whole cache is not kept)."""
        if len(text) > self.max_chars:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = text
            self._size += len(text)
            while self._size > self.max_chars:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._size = 0


DEFAULT_CACHE = PayloadCache()
"""The per-process cache every :class:`OffloadingStore` shares unless given its own."""
