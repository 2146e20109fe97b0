"""Per-key rate limiting that holds across function instances.

Each instance leases small blocks of the key's per-minute budget from a shared counter and
spends them locally, so the shared store sees one write per block rather than one per
request (Firestore sustains about one write per second per document). The total granted in
a window never exceeds the limit; an instance may leave part of a block unspent, which only
makes the limit stricter, never looser.

No lock is shared by different keys while the store is written: each key has a lock of its
own (so an instance asks for one block per key at a time, not one per waiting request), and
the map of locks is guarded only for the moment of a dictionary lookup. One key over its
budget, or a slow store write for it, never holds up another key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.domain.ports import RateLimitStore
from shared.domain.rate_limits import Window, window_at
from shared.errors import RateLimited

MAX_TRACKED_KEYS = 10_000


class RateLimiter:
    def __init__(
        self,
        store: RateLimitStore,
        per_minute: int,
        lease_size: int | None = None,
        clock: Callable[[], float] = time.time,
        unit: str = "requests",
    ) -> None:
        self._store = store
        self._limit = per_minute
        self._lease = lease_size or max(1, min(50, per_minute // 20))
        self._clock = clock
        self._unit = unit
        self._tokens: dict[str, tuple[Window, int]] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()  # held for dictionary operations only, never I/O

    def spend(self, key_id: str) -> None:
        """Spend one request of ``key_id``'s budget, or raise RateLimited."""
        now = self._clock()
        window = window_at(key_id, now)
        with self._lock_of(key_id, window):
            held_window, tokens = self._tokens.get(key_id, (window, 0))
            if held_window != window:
                tokens = 0
            if tokens == 0:
                tokens = self._lease_from_store(window)
            if tokens == 0:
                self._tokens[key_id] = (window, 0)
                raise RateLimited(
                    f"Rate limit of {self._limit} {self._unit} per minute reached for this key.",
                    retry_after=window.seconds_left(now),
                    budget=f"{self._unit.replace(' ', '_')}_per_minute",
                )
            self._tokens[key_id] = (window, tokens - 1)

    def _lock_of(self, key_id: str, window: Window) -> threading.Lock:
        with self._locks_guard:
            lock = self._key_locks.get(key_id)
            if lock is None:
                if len(self._key_locks) >= MAX_TRACKED_KEYS:
                    self._forget_past_windows(window.start)
                lock = self._key_locks[key_id] = threading.Lock()
            return lock

    def _forget_past_windows(self, current_start: int) -> None:
        """Keys seen only in past windows hold nothing worth keeping (stream tokens and render
        keys come and go). A request still holding a dropped lock only costs an extra lease."""
        for key_id, (window, _) in list(self._tokens.items()):
            if window.start < current_start:
                self._tokens.pop(key_id, None)
                self._key_locks.pop(key_id, None)
        for key_id in [k for k in self._key_locks if k not in self._tokens]:
            self._key_locks.pop(key_id, None)  # a store error left no tokens behind

    def _lease_from_store(self, window: Window) -> int:
        total = self._store.add(window, self._lease)
        before = total - self._lease
        return max(0, min(self._lease, self._limit - before))
