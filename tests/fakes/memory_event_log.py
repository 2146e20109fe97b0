"""The event log in memory, for unit tests: one object is both the log and its reader."""

from __future__ import annotations

import bisect
import threading
from dataclasses import replace
from datetime import datetime

from shared.clock import utcnow
from shared.domain.event_log import AppendResult, EventQuery, Position, StoredEvent, record_id_for
from shared.domain.events import OutgoingEvent
from shared.domain.ports import EventLog, EventReader


class InMemoryEventLog(EventLog, EventReader):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, StoredEvent] = {}
        self._ordered: list[tuple[Position, StoredEvent]] = []
        self.expiries: dict[str, datetime] = {}

    def append(self, event: OutgoingEvent, expires_at: datetime) -> AppendResult:
        record_id = record_id_for(event.user_id, event.event_key)
        with self._lock:
            existing = self._by_id.get(record_id)
            if existing is not None:
                return AppendResult(False, existing.position)
            # The payload copied: a caller changing its dict later must not change the log.
            copied = replace(event, payload=dict(event.payload))
            stored = StoredEvent.of(copied, Position.at(utcnow(), record_id))
            self._by_id[record_id] = stored
            self.expiries[record_id] = expires_at
            bisect.insort(self._ordered, (stored.position, stored), key=lambda item: item[0])
            return AppendResult(True, stored.position)

    async def read(self, query: EventQuery) -> list[StoredEvent]:
        # Writes here are visible at once: no read time to pin.
        with self._lock:
            start = bisect.bisect_right(self._ordered, query.after, key=lambda item: item[0])
            found: list[StoredEvent] = []
            for position, event in self._ordered[start:]:
                if query.past_until(position):
                    break
                if event.user_id == query.user_id:
                    found.append(event)
                    if len(found) == query.limit:
                        break
            return found

    async def get(self, user_id: str, record_id: str) -> StoredEvent | None:
        with self._lock:
            event = self._by_id.get(record_id)
        return event if event is not None and event.user_id == user_id else None
