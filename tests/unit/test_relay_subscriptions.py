"""A subscription takes one read's settled events in one step (decision 024): what it keeps
must be what offering them one at a time kept."""

from __future__ import annotations

from datetime import UTC, datetime

from events_relay_api.subscriptions import Subscription

from shared.domain.event_log import EventFilter, Position, StoredEvent
from shared.domain.events import EventType


def events(*runs: str) -> list[StoredEvent]:
    created = datetime(2026, 12, 6, tzinfo=UTC)
    return [
        StoredEvent(
            EventType.PROMPT_RUN_PROGRESS,
            "u",
            f"k{i}",
            created,
            run_id=run,
            position=Position(1_000 + i, f"r{i}"),
        )
        for i, run in enumerate(runs)
    ]


def frames_of(batch: list[StoredEvent]) -> list[tuple[Position, bytes]]:
    return [(e.position, e.event_key.encode()) for e in batch]


def test_a_stream_without_filters_takes_the_whole_batch_and_moves_past_it() -> None:
    batch = events("a", "b", "a")
    sub = Subscription(Position(0), EventFilter(), capacity=10)
    assert sub.offer(batch, frames_of(batch))
    assert sub.drain(10) == ([b"k0", b"k1", b"k2"], batch[-1].position)


def test_a_filtered_stream_takes_only_its_events_but_moves_past_all() -> None:
    batch = events("a", "b", "a", "b")
    sub = Subscription(Position(0), EventFilter(run_id="b"), capacity=10)
    assert sub.offer(batch, frames_of(batch))
    assert sub.drain(10) == ([b"k1", b"k3"], batch[-1].position)


def test_a_stream_that_joined_inside_the_batch_gets_only_what_follows_its_position() -> None:
    batch = events("a", "a", "a", "a")
    sub = Subscription(batch[1].position, EventFilter(), capacity=10)
    assert sub.offer(batch, frames_of(batch))
    assert sub.drain(10)[0] == [b"k2", b"k3"]
    late = Subscription(batch[-1].position, EventFilter(), capacity=10)
    assert late.offer(batch, frames_of(batch)) and late.drain(10) == ([], batch[-1].position)


def test_a_batch_that_would_overflow_the_buffer_is_refused_and_nothing_is_taken() -> None:
    batch = events("a", "a", "a")
    sub = Subscription(Position(0), EventFilter(), capacity=2)
    assert not sub.offer(batch, frames_of(batch))
    assert sub.drain(10) == ([], Position(0))  # a resume from here misses nothing
