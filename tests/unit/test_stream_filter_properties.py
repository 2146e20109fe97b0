"""The stream's filters end to end: events of two users in the in-memory log, a filter in any
spelling of the query string, and a stream replayed from a cursor before them (in pages of the
requested ``batch_size``) delivers exactly the caller's events the reference predicate picks,
each once and in ``event_id`` order."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from events_relay_api.feeds import Hub, now_micros
from events_relay_api.frames import HEARTBEAT
from events_relay_api.streams import event_stream, plan_stream
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.clients.sse import parse_frames
from shared.clock import utcnow
from shared.config import Settings
from shared.domain.event_log import EventQuery, Position
from shared.domain.events import EventType, OutgoingEvent
from tests.fakes.memory_event_log import InMemoryEventLog
from tests.support.stream_filters import (
    INDEXES,
    RUNS,
    TYPES,
    VIDEOS,
    filters,
    parse_query,
    query_strings,
    reference,
)

# Quiet streams say so quickly: the first heartbeat means the replay is over.
QUICK = Settings(
    heartbeat_seconds=0.05,
    max_stream_seconds=60,
    settle_ms=0,
    poll_seconds=0.05,
    read_interval_ms=1,
    doorbell="poll",
)
published = st.lists(
    st.tuples(
        st.sampled_from(["alice", "alice", "bob"]),
        st.sampled_from(TYPES),
        st.none() | st.sampled_from(RUNS),
        st.none() | st.sampled_from(INDEXES),
        st.none() | st.sampled_from(VIDEOS),
    ),
    max_size=25,
)


async def replay(log: InMemoryEventLog, cursor: str, query_string: str) -> list[dict[str, Any]]:
    """The data of every event frame of alice's stream until its first heartbeat."""
    query = parse_query(query_string)
    hub = Hub(log, QUICK)
    plan = await plan_stream("alice", query.event_filter(), query.batch_size, cursor, log, 7)
    stream = event_stream(plan, hub)
    chunks: list[bytes] = []

    async def pump() -> None:
        async for chunk in stream:
            if chunk == HEARTBEAT:
                return
            chunks.append(chunk)

    try:
        await asyncio.wait_for(pump(), 30)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
        hub.close()
    frames = list(parse_frames(b"".join(chunks).decode().split("\n")))
    assert not any(f.event == "processing.stream_error" for f in frames)
    return [json.loads(f.data) for f in frames if f.data and f.id]


@settings(max_examples=60, deadline=None)
@given(
    filters.map(lambda f: {**f, "batch_size": None}).flatmap(
        lambda f: st.tuples(st.just(f), query_strings(f))
    ),
    published,
    st.integers(1, 4),
)
def test_a_replayed_stream_delivers_exactly_the_matching_events_of_the_caller(
    case: tuple[dict[str, Any], str], rows: list[tuple[Any, ...]], batch_size: int
) -> None:
    wanted, query_string = case
    log = InMemoryEventLog()
    cursor = Position.at(utcnow()).event_id
    for i, (user, kind, run, index, video) in enumerate(rows):
        event = OutgoingEvent(
            EventType(kind), user, f"k{i}", utcnow(), run_id=run, index_id=index, video_id=video
        )
        log.append(event, utcnow())
    alices = asyncio.run(log.read(EventQuery("alice", Position(0), 10_000)))
    last = max((e.position.micros for e in alices), default=0)
    while now_micros() <= last:
        pass  # every event strictly before the stream's start: all of them are replayed
    expected = [e.event_id for e in alices if reference(wanted, e)]
    got = asyncio.run(replay(log, cursor, f"{query_string}&batch_size={batch_size}"))
    assert [d["event_id"] for d in got] == expected
    assert all(d["user_id"] == "alice" for d in got)
