"""In-memory rate-limit counters for unit tests; same contract tests as Firestore's."""

from __future__ import annotations

import threading

from shared.domain.ports import RateLimitStore
from shared.domain.rate_limits import Window


class InMemoryRateLimitStore(RateLimitStore):
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, window: Window, amount: int) -> int:
        with self._lock:
            self._counts[window.doc_id] = self._counts.get(window.doc_id, 0) + amount
            return self._counts[window.doc_id]
