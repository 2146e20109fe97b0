"""An instance-local cache of what a store found (decision 004): each value kept for a while,
the least recently used dropped first; a miss is never kept, so a new record works at once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")
MAX_ENTRIES = 10_000


class FoundCache(Generic[V]):
    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], V | None]) -> V | None:
        """The cached value of ``key`` while fresh, else ``load()`` (outside the lock: a slow
        store never holds up other keys), kept if found."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                return entry[1]
        value = load()
        with self._lock:
            if value is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = (now + self._ttl, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return value

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)
