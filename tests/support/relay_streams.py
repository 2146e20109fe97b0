"""Driving the relay's streams directly on an event loop over the in-memory log: appending,
opening a stream on a hub, and reading its frames (tests/unit/test_events_relay_*.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from events_relay_api.feeds import Hub
from events_relay_api.streams import event_stream, plan_stream

from shared.clients.sse import SseFrame, parse_frames
from shared.clock import utcnow
from shared.config import Settings
from shared.domain.event_log import EventFilter, EventQuery, Position, StoredEvent
from shared.domain.events import EventType, OutgoingEvent
from tests.fakes.memory_event_log import InMemoryEventLog

FAST = Settings(
    heartbeat_seconds=5, max_stream_seconds=10, settle_ms=20, poll_seconds=0.05, doorbell="poll"
)
RETENTION_DAYS = 7


def append(log: InMemoryEventLog, user: str, key: str, **fields: object) -> Position:
    event = OutgoingEvent(
        fields.pop("event_type", EventType.PROMPT_RUN_PROGRESS),  # type: ignore[arg-type]
        user,
        key,
        utcnow(),
        **fields,  # type: ignore[arg-type]
    )
    return log.append(event, utcnow()).position


async def frames_of(
    stream: AsyncIterator[bytes], stop: Callable[[list[SseFrame]], bool], timeout: float = 5
) -> list[SseFrame]:
    got: list[SseFrame] = []

    async def pump() -> None:
        async for chunk in stream:
            got.extend(parse_frames(chunk.decode().split("\n")))
            if stop(got):
                return

    try:
        await asyncio.wait_for(pump(), timeout)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return got


def events_in(frames: list[SseFrame]) -> list[SseFrame]:
    return [f for f in frames if f.data and f.event != "processing.stream_error"]


def count(n: int) -> Callable[[list[SseFrame]], bool]:
    return lambda frames: len(events_in(frames)) >= n


def errors_in(frames: list[SseFrame]) -> list[dict[str, object]]:
    return [json.loads(f.data) for f in frames if f.event == "processing.stream_error"]


async def open_stream(
    hub: Hub,
    user: str,
    cursor: str | None = None,
    event_filter: EventFilter | None = None,
    batch_size: int = 100,
) -> AsyncIterator[bytes]:
    plan = await plan_stream(
        user, event_filter or EventFilter(), batch_size, cursor, hub.reader, RETENTION_DAYS
    )
    return event_stream(plan, hub)


class HookedLog(InMemoryEventLog):
    """The in-memory log with a look at each read: before it (a test may refuse it by
    raising) and after it (a test may count what it returned)."""

    def before_read(self, read_time: datetime | None) -> None:
        pass

    def after_read(self, found: list[StoredEvent]) -> None:
        pass

    async def read(self, query: EventQuery) -> list[StoredEvent]:
        self.before_read(query.read_time)
        found = await super().read(query)
        self.after_read(found)
        return found
