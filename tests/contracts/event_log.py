"""Behaviour every event log must have: run against the fake and against Firestore."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import pytest

from shared.clock import utcnow
from shared.domain.event_log import EventQuery, Position, StoredEvent
from shared.domain.events import EventType, OutgoingEvent
from shared.domain.ports import EventLog, EventReader

T = TypeVar("T")
ReaderFactory = Callable[[], EventReader]


def run(make_reader: ReaderFactory, use: Callable[[EventReader], Awaitable[T]]) -> T:
    """Async readers belong to one event loop: build the reader inside the loop that uses it."""

    async def main() -> T:
        return await use(make_reader())

    return asyncio.run(main())


def event(user_id: str, key: str, **fields: object) -> OutgoingEvent:
    return OutgoingEvent(
        event_type=fields.pop("event_type", EventType.PROMPT_RUN_PROGRESS),  # type: ignore[arg-type]
        user_id=user_id,
        event_key=key,
        created_at=utcnow(),
        **fields,  # type: ignore[arg-type]
    )


class EventLogContract:
    @pytest.fixture
    def log(self) -> EventLog:
        raise NotImplementedError

    @pytest.fixture
    def reader(self) -> ReaderFactory:
        raise NotImplementedError

    def _all(self, reader: ReaderFactory, user_id: str) -> list[StoredEvent]:
        return run(reader, lambda r: r.read(EventQuery(user_id, Position(0), 500)))

    def test_append_once_per_key(self, log: EventLog, reader: ReaderFactory) -> None:
        user = f"u-{uuid.uuid4().hex[:8]}"
        expires = utcnow() + timedelta(days=8)
        first = log.append(event(user, "k1"), expires)
        again = log.append(event(user, "k1", payload={"other": True}), expires)
        assert first.stored and not again.stored
        assert again.position == first.position
        stored = self._all(reader, user)
        assert [e.event_id for e in stored] == [first.position.event_id]
        assert stored[0].payload == {}

    def test_fields_round_trip(self, log: EventLog, reader: ReaderFactory) -> None:
        user = f"u-{uuid.uuid4().hex[:8]}"
        sent = event(
            user,
            "k-fields",
            event_type=EventType.SEGMENT_PROCESSING_COMPLETED,
            run_id="run-1",
            video_id="vid-1",
            segment_id="seg-1",
            index_id="idx-1",
            payload={"progress": 0.5, "nested": {"list": [1, "two"]}},
        )
        log.append(sent, utcnow() + timedelta(days=8))
        (got,) = self._all(reader, user)
        assert (got.event_type, got.user_id, got.event_key) == (sent.event_type, user, "k-fields")
        assert (got.run_id, got.video_id, got.segment_id, got.index_id) == (
            "run-1",
            "vid-1",
            "seg-1",
            "idx-1",
        )
        assert got.payload == sent.payload
        assert abs(got.created_at - sent.created_at) < timedelta(milliseconds=1)

    def test_order_cursor_limit_and_tenancy(self, log: EventLog, reader: ReaderFactory) -> None:
        alice, bob = (f"u-{uuid.uuid4().hex[:8]}" for _ in range(2))
        expires = utcnow() + timedelta(days=8)
        appended = []
        for i in range(6):
            appended.append(log.append(event(alice, f"a{i}"), expires).position)
            log.append(event(bob, f"b{i}"), expires)
        stored = self._all(reader, alice)
        ids = [e.event_id for e in stored]
        assert ids == sorted(ids) and len(set(ids)) == 6
        assert sorted(p.event_id for p in appended) == ids
        assert {e.user_id for e in stored} == {alice}

        positions = [e.position for e in stored]
        after = run(reader, lambda r: r.read(EventQuery(alice, positions[1], 2)))
        assert [e.position for e in after] == positions[2:4]
        bounded = run(
            reader, lambda r: r.read(EventQuery(alice, positions[0], 100, until=positions[3]))
        )
        assert [e.position for e in bounded] == positions[1:4]
        # A position with no record id sits before every event of its commit time.
        start = Position(positions[2].micros)
        from_start = run(reader, lambda r: r.read(EventQuery(alice, start, 100)))
        assert from_start[0].position.micros == positions[2].micros
        assert positions[2] in [e.position for e in from_start]
        assert run(reader, lambda r: r.read(EventQuery(alice, positions[-1], 100))) == []

    def test_get_is_per_user(self, log: EventLog, reader: ReaderFactory) -> None:
        alice, bob = (f"u-{uuid.uuid4().hex[:8]}" for _ in range(2))
        position = log.append(event(alice, "g1"), utcnow() + timedelta(days=8)).position
        own = run(reader, lambda r: r.get(alice, position.record_id))
        assert own is not None and own.position == position
        assert run(reader, lambda r: r.get(bob, position.record_id)) is None
        assert run(reader, lambda r: r.get(alice, "0" * 32)) is None
