"""In-memory render leases for unit tests; held to the same contract tests as Firestore's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.domain.preview_ports import RenderLeases


class InMemoryRenderLeases(RenderLeases):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.leases: dict[str, tuple[str, float]] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def acquire(self, key: str, holder: str, ttl_seconds: float) -> bool:
        with self._lock:
            current = self.leases.get(key)
            if current is not None and current[1] > self._clock():
                return current[0] == holder
            self.leases[key] = (holder, self._clock() + ttl_seconds)
            return True

    def release(self, key: str, holder: str) -> None:
        with self._lock:
            if self.leases.get(key, ("", 0.0))[0] == holder:
                del self.leases[key]
