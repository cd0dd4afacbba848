"""A bounded, thread-safe memory of the last value per key (per path, mostly).

Reading remembers its last scan and its last regions per path so that the next read after
an edit redoes only what the edit touched; the language server reads on one thread and
answers requests on others, hence the lock.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The most recently put ``size`` entries; the oldest are forgotten first."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


F = TypeVar("F", bound=Callable[..., Any])
_MISSING = object()


def _strings(key: tuple[Any, ...]) -> Iterator[str]:
    for a in key:
        if isinstance(a, str):
            yield a
        elif isinstance(a, tuple):
            yield from _strings(a)


class TextCache:
    """The values of the most recent keys (argument tuples holding whole texts), bounded
    by the characters of the distinct strings the keys hold and by entries (LRU)."""

    def __init__(self, max_chars: int, maxsize: int) -> None:
        self.max_chars, self.maxsize = max_chars, maxsize
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._held: dict[int, list[Any]] = {}  # id of a string -> [it, entries holding it]
        self.chars = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            hit = self._items.get(key, _MISSING)
            if hit is not _MISSING:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            for s in _strings(key):
                entry = self._held.setdefault(id(s), [s, 0])
                self.chars += len(s) if entry[1] == 0 else 0
                entry[1] += 1
            while len(self._items) > 1 and (
                self.chars > self.max_chars or len(self._items) > self.maxsize
            ):
                self._drop(self._items.popitem(last=False)[0])

    def _drop(self, key: tuple[Any, ...]) -> None:
        for s in _strings(key):
            entry = self._held[id(s)]
            entry[1] -= 1
            if entry[1] == 0:
                del self._held[id(s)]
                self.chars -= len(s)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._held.clear()
            self.chars = 0

    def __len__(self) -> int:
        return len(self._items)


def by_text(max_chars: int = 2_000_000, maxsize: int = 4096) -> Callable[[F], F]:
    """``functools.lru_cache`` for functions of whole texts (positional arguments), bounded
    by the characters of the distinct strings its keys hold (:class:`TextCache`), not only
    by entries.  An LRU cache of 256 entries keyed by a document's text keeps every version
    typed until it fills: 256 versions of the Cookbook (150 kB each) would be 38 MB of a
    server's memory, one more at each keystroke.  The cache is the function's ``cache``."""

    def decorate(fn: F) -> F:
        cache = TextCache(max_chars, maxsize)

        @functools.wraps(fn)
        def cached(*args: Any) -> Any:
            hit = cache.get(args)
            if hit is _MISSING:
                hit = fn(*args)
                cache.put(args, hit)
            return hit

        cached.cache = cache  # type: ignore[attr-defined]
        return cast(F, cached)

    return decorate
