"""The bounded LRU of fetched payloads."""

from __future__ import annotations

from swfobjects.storage import PayloadCache


def test_least_recently_used_entries_go_first() -> None:
    cache = PayloadCache(max_chars=10)
    cache.put(("s", "a", "1"), "aaaa")
    cache.put(("s", "b", "2"), "bbbb")
    assert cache.get(("s", "a", "1")) == "aaaa"  # a is now the most recent
    cache.put(("s", "c", "3"), "cccc")
    assert cache.get(("s", "b", "2")) is None
    assert cache.get(("s", "a", "1")) == "aaaa"
    assert cache.get(("s", "c", "3")) == "cccc"
    assert cache.size == 8 and len(cache) == 2


def test_entries_larger_than_the_cache_are_not_kept() -> None:
    cache = PayloadCache(max_chars=10)
    cache.put(("s", "a", "1"), "x" * 11)
    assert cache.get(("s", "a", "1")) is None
    assert cache.size == 0


def test_replacing_an_entry_keeps_the_size_right_and_counts_hits() -> None:
    cache = PayloadCache(max_chars=100)
    cache.put(("s", "a", "1"), "x" * 50)
    cache.put(("s", "a", "1"), "y" * 10)
    assert cache.size == 10
    cache.get(("s", "a", "1"))
    cache.get(("s", "z", "9"))
    assert (cache.hits, cache.misses) == (1, 1)
    cache.clear()
    assert cache.size == 0 and len(cache) == 0
