"""In-memory event publisher for unit tests: keeps what was published, in order."""

from __future__ import annotations

import threading

from shared.domain.events import OutgoingEvent
from shared.domain.ports import EventPublisher


class InMemoryEventPublisher(EventPublisher):
    def __init__(self) -> None:
        self.published: list[OutgoingEvent] = []
        self._lock = threading.Lock()

    def publish(self, event: OutgoingEvent) -> None:
        with self._lock:
            self.published.append(event)
