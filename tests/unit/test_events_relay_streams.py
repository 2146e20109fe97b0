"""The relay's streams, driven directly on an event loop over the in-memory log."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from events_relay_api.feeds import Hub
from events_relay_api.streams import plan_stream

from shared.clients.sse import SseFrame, parse_frames
from shared.clock import utcnow
from shared.domain.event_log import EventFilter, Position
from shared.domain.events import EventType
from shared.errors import InvalidRequest
from tests.fakes.memory_event_log import InMemoryEventLog
from tests.support.relay_streams import (
    FAST,
    RETENTION_DAYS,
    append,
    count,
    errors_in,
    events_in,
    frames_of,
    open_stream,
)


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
