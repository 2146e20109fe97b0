"""In-memory slot leases for unit tests and single-process use; held to the same contract
tests as Firestore's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.domain.budget_ports import SlotLeases


class InMemorySlotLeases(SlotLeases):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.slots: dict[str, tuple[str, float]] = {}  # slot id -> (holder, expiry)
        self._clock = clock
        self._lock = threading.Lock()

    def acquire(self, subject: str, holder: str, limit: int, ttl_seconds: float) -> str | None:
        now = self._clock()
        with self._lock:
            for n in range(limit):
                slot = f"{subject}#{n}"
                current = self.slots.get(slot)
                if current is None or current[1] <= now:
                    self.slots[slot] = (holder, now + ttl_seconds)
                    return slot
            return None

    def release(self, slot: str, holder: str) -> None:
        with self._lock:
            if self.slots.get(slot, ("", 0.0))[0] == holder:
                del self.slots[slot]

    def held(self, subject: str) -> int:
        now = self._clock()
        with self._lock:
            return sum(
                1
                for slot, (_, expiry) in self.slots.items()
                if slot.rpartition("#")[0] == subject and expiry > now
            )
