"""Per-key rate limiting that holds across function instances.

Each instance leases small blocks of the key's per-minute budget from a shared counter and
spends them locally, so the shared store sees one write per block rather than one per
request (Firestore sustains about one write per second per document). The total granted in
a window never exceeds the limit; an instance may leave part of a block unspent, which only
makes the limit stricter, never looser.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.domain.ports import RateLimitStore
from shared.domain.rate_limits import Window, window_at
from shared.errors import RateLimited


class RateLimiter:
    def __init__(
        self,
        store: RateLimitStore,
        per_minute: int,
        lease_size: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._limit = per_minute
        self._lease = lease_size or max(1, min(50, per_minute // 20))
        self._clock = clock
        self._tokens: dict[str, tuple[Window, int]] = {}
        self._lock = threading.Lock()

    def spend(self, key_id: str) -> None:
        """Spend one request of ``key_id``'s budget, or raise RateLimited."""
        now = self._clock()
        window = window_at(key_id, now)
        with self._lock:
            held_window, tokens = self._tokens.get(key_id, (window, 0))
            if held_window != window:
                tokens = 0
            if tokens == 0:
                tokens = self._lease_from_store(window)
            if tokens == 0:
                self._tokens[key_id] = (window, 0)
                raise RateLimited(
                    f"Rate limit of {self._limit} requests per minute reached for this key.",
                    retry_after=window.seconds_left(now),
                )
            self._tokens[key_id] = (window, tokens - 1)

    def _lease_from_store(self, window: Window) -> int:
        total = self._store.add(window, self._lease)
        before = total - self._lease
        return max(0, min(self._lease, self._limit - before))
