"""The relay's streams, driven directly on an event loop over the in-memory log."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from events_relay_api.feeds import Hub
from events_relay_api.streams import event_stream, plan_stream

from shared.adapters.memory_event_log import InMemoryEventLog
from shared.clients.sse import SseFrame, parse_frames
from shared.clock import utcnow
from shared.config import Settings
from shared.domain.event_log import EventFilter, Position, ReadTimeInFuture, StoredEvent
from shared.domain.events import EventType, OutgoingEvent
from shared.domain.ports import EventReader
from shared.errors import InvalidRequest, ServiceUnavailable

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


def test_replay_from_a_cursor_then_live_in_order() -> None:
    log = InMemoryEventLog()

    async def main() -> list[SseFrame]:
        hub = Hub(log, FAST)
        first = append(log, "alice", "k0")
        for i in range(1, 4):
            append(log, "alice", f"k{i}")
        append(log, "bob", "b0")
        stream = await open_stream(hub, "alice", first.event_id, batch_size=2)

        async def later() -> None:
            await asyncio.sleep(0.1)
            for i in range(4, 7):
                append(log, "alice", f"k{i}")
                hub.ring("alice")

        task = asyncio.create_task(later())
        frames = await frames_of(stream, count(5))
        await task
        hub.close()
        return frames

    frames = asyncio.run(main())
    assert frames[0].retry_ms == FAST.retry_ms and frames[0].id is None
    got = events_in(frames)
    keys = [json.loads(f.data)["payload"] for f in got]
    assert keys == [{}] * 5
    ids = [f.id for f in got]
    assert ids == sorted(ids) and len(set(ids)) == 5  # type: ignore[type-var]
    assert all(json.loads(f.data)["user_id"] == "alice" for f in got)


def test_without_a_cursor_the_stream_starts_now_and_announces_its_position() -> None:
    log = InMemoryEventLog()

    async def main() -> list[SseFrame]:
        hub = Hub(log, FAST)
        append(log, "alice", "before")
        stream = await open_stream(hub, "alice")

        async def later() -> None:
            await asyncio.sleep(0.05)
            append(log, "alice", "after")

        task = asyncio.create_task(later())
        frames = await frames_of(stream, count(1))
        await task
        return frames

    frames = asyncio.run(main())
    assert frames[0].id is not None and frames[0].id.endswith("-")
    (only,) = events_in(frames)
    assert only.id is not None and only.id > frames[0].id


@pytest.mark.parametrize(
    ("event_filter", "expected"),
    [
        (EventFilter(run_id="run-1"), {"k0", "k2"}),
        (EventFilter(index_id="idx-2"), {"k1"}),
        (EventFilter(video_ids=frozenset({"v1", "v3"})), {"k0", "k3"}),
        (EventFilter(event_types=frozenset({EventType.MEDIA_CREATED})), {"k3"}),
        (EventFilter(run_id="run-1", video_ids=frozenset({"v2"})), {"k2"}),
    ],
)
def test_filters(event_filter: EventFilter, expected: set[str]) -> None:
    frames = _filtered(event_filter)
    assert {json.loads(f.data)["payload"]["key"] for f in frames} == expected


def _filtered(event_filter: EventFilter) -> list[SseFrame]:
    """The same data, with the key in the payload, collected until the stream goes quiet."""
    log = InMemoryEventLog()

    async def main() -> list[SseFrame]:
        hub = Hub(log, FAST)
        start = Position.at(utcnow())
        rows = [
            ("k0", {"run_id": "run-1", "index_id": "idx-1", "video_id": "v1"}),
            ("k1", {"run_id": "run-2", "index_id": "idx-2", "video_id": "v2"}),
            ("k2", {"run_id": "run-1", "index_id": "idx-1", "video_id": "v2"}),
            ("k3", {"video_id": "v3", "event_type": EventType.MEDIA_CREATED, "index_id": "i"}),
        ]
        for key, fields in rows:
            append(log, "alice", key, payload={"key": key}, **fields)
        stream = await open_stream(hub, "alice", start.event_id, event_filter)
        got: list[SseFrame] = []

        async def pump() -> None:
            async for chunk in stream:
                got.extend(parse_frames(chunk.decode().split("\n")))

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pump(), 0.5)
        return events_in(got)

    return asyncio.run(main())


def test_heartbeats_when_idle() -> None:
    log = InMemoryEventLog()

    async def main() -> list[SseFrame]:
        hub = Hub(log, FAST.model_copy(update=dict(heartbeat_seconds=0.05)))
        stream = await open_stream(hub, "alice")
        return await frames_of(stream, lambda fs: sum(f.comment for f in fs) >= 3)

    frames = asyncio.run(main())
    assert sum(f.comment for f in frames) >= 3


def test_the_server_ends_a_long_stream_with_a_resumable_error() -> None:
    log = InMemoryEventLog()

    async def main() -> list[SseFrame]:
        hub = Hub(log, FAST.model_copy(update=dict(max_stream_seconds=0.3)))
        stream = await open_stream(hub, "alice")
        append(log, "alice", "k0")
        return await frames_of(stream, lambda fs: bool(errors_in(fs)))

    frames = asyncio.run(main())
    (error,) = errors_in(frames)
    assert error["code"] == "stream_duration_limit" and error["retryable"] is True
    (event,) = events_in(frames)
    assert isinstance(error["last_event_id"], str) and error["last_event_id"] >= str(event.id)


def test_a_slow_client_is_ended_with_a_cursor_that_loses_nothing() -> None:
    log = InMemoryEventLog()

    async def main() -> tuple[list[SseFrame], list[SseFrame]]:
        hub = Hub(log, FAST.model_copy(update=dict(buffer_events=3)))
        stream = await open_stream(hub, "alice", batch_size=1)
        opening = await stream.__anext__()
        pending = asyncio.create_task(stream.__anext__())  # joins the feed, waits for events
        await asyncio.sleep(0.1)
        for i in range(10):
            append(log, "alice", f"k{i}")
        hub.ring("alice")
        await asyncio.sleep(0.3)  # the feed hands out 10 events; the client took 1, 3 fit
        first = list(parse_frames((opening + await pending).decode().split("\n")))
        first += await frames_of(stream, lambda fs: bool(errors_in(fs)))
        (error,) = errors_in(first)
        resumed = await open_stream(hub, "alice", str(error["last_event_id"]))
        second = await frames_of(resumed, count(10 - len(events_in(first))))
        hub.close()
        return first, second

    first, second = asyncio.run(main())
    assert errors_in(first)[0]["code"] == "slow_consumer"
    assert len(events_in(first)) < 10
    ids = [f.id for f in events_in(first) + events_in(second)]
    assert len(ids) == 10 and ids == sorted(ids) and len(set(ids)) == 10  # type: ignore[type-var]


def test_cursor_checks() -> None:
    log = InMemoryEventLog()
    bobs = append(log, "bob", "b0")

    async def plan(cursor: str) -> object:
        return await plan_stream("alice", EventFilter(), 100, cursor, log, RETENTION_DAYS)

    async def main() -> dict[str, object]:
        old = Position(Position.at(utcnow()).micros - 8 * 86_400 * 1_000_000, "a" * 32)
        future = Position(Position.at(utcnow()).micros + 3_600 * 1_000_000)
        return {
            "expired": await plan(old.event_id),
            "foreign": await plan(bobs.event_id),
            "future": await plan(future.event_id),
        }

    plans = asyncio.run(main())
    assert plans["expired"].cursor_problem.code == "cursor_expired"  # type: ignore[attr-defined]
    assert plans["foreign"].cursor_problem.code == "cursor_unknown"  # type: ignore[attr-defined]
    assert plans["future"].cursor_problem.code == "cursor_unknown"  # type: ignore[attr-defined]
    for malformed in ("abc", "123-xyz", "0" * 17 + "-" + "g" * 32, ""):
        with pytest.raises(InvalidRequest) as raised:
            asyncio.run(plan(malformed))
        assert raised.value.code == "invalid_cursor"


class FailingReader(EventReader):
    async def read(
        self,
        user_id: str,
        after: Position,
        limit: int,
        until: Position | None = None,
        read_time: datetime | None = None,
    ) -> list[StoredEvent]:
        raise ServiceUnavailable("The event store is temporarily unavailable; retry shortly.")

    async def get(self, user_id: str, record_id: str) -> StoredEvent | None:
        return None


def test_a_store_outage_ends_streams_in_band() -> None:
    async def main() -> list[SseFrame]:
        hub = Hub(FailingReader(), FAST)
        stream = await open_stream(hub, "alice")
        return await frames_of(stream, lambda fs: bool(errors_in(fs)))

    (error,) = errors_in(asyncio.run(main()))
    assert error["code"] == "store_unavailable" and error["retryable"] is True


class BehindClockReader(InMemoryEventLog):
    """A store whose clock is 30 ms behind the relay's: it refuses later read times."""

    refused = 0

    async def read(
        self,
        user_id: str,
        after: Position,
        limit: int,
        until: Position | None = None,
        read_time: datetime | None = None,
    ) -> list[StoredEvent]:
        if read_time is not None and read_time > utcnow() - timedelta(milliseconds=30):
            self.refused += 1
            raise ReadTimeInFuture("The requested 'read_time' cannot be in the future.")
        return await super().read(user_id, after, limit, until, read_time)


def test_a_store_clock_behind_the_relays_makes_the_feed_read_further_back() -> None:
    log = BehindClockReader()

    async def main() -> list[SseFrame]:
        hub = Hub(log, FAST)
        stream = await open_stream(hub, "alice")

        async def later() -> None:
            await asyncio.sleep(0.1)
            for i in range(3):
                append(log, "alice", f"k{i}")
                hub.ring("alice")

        task = asyncio.create_task(later())
        frames = await frames_of(stream, count(3))
        await task
        hub.close()
        return frames

    assert len(events_in(asyncio.run(main()))) == 3
    assert log.refused >= 1


class DocumentCountingReader(InMemoryEventLog):
    """Counts the events each read of a feed returns (each is a document read in Firestore)."""

    def __init__(self) -> None:
        super().__init__()
        self.returned = 0

    async def read(
        self,
        user_id: str,
        after: Position,
        limit: int,
        until: Position | None = None,
        read_time: datetime | None = None,
    ) -> list[StoredEvent]:
        found = await super().read(user_id, after, limit, until, read_time)
        self.returned += len(found)
        return found


def test_a_feed_reads_each_event_about_once_not_once_per_read_while_it_settles() -> None:
    """A feed reads settled events and one probe for when the next settles: a steady flow
    costs each event about one document read per feed (it read every unsettled event on
    every read before, several times each at a short read interval)."""
    log = DocumentCountingReader()
    settings = FAST.model_copy(update=dict(settle_ms=300, read_interval_ms=10))

    async def main() -> list[SseFrame]:
        hub = Hub(log, settings)
        stream = await open_stream(hub, "alice")

        async def steady() -> None:
            for i in range(40):
                append(log, "alice", f"k{i:02d}")
                hub.ring("alice")
                await asyncio.sleep(0.02)

        task = asyncio.create_task(steady())
        frames = await frames_of(stream, count(40))
        await task
        hub.close()
        return frames

    frames = events_in(asyncio.run(main()))
    ids = [f.id for f in frames]
    assert len(set(ids)) == 40 and ids == sorted(ids)  # each once, in order
    # 40 events, each settling 300 ms after it was stored, read every ~20 ms: re-reading the
    # unsettled ones came to ~15 reads each; now 40 plus one probe per read.
    assert log.returned < 40 * 3
