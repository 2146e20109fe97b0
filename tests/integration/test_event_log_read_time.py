"""The relay's settle rule rests on two store facts, checked here on the emulator: a read
pinned to a time sees exactly the writes committed by then, and a time the store's clock has
not reached is refused (docs/decisions/023). Also that an append's position comes from its
write result, stamped no later than the commit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from google.cloud import firestore

from shared.adapters.firestore_event_log import FirestoreEventLog, FirestoreEventReader
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.event_log import EventQuery, Position, ReadTimeInFuture
from shared.domain.events import EventType, OutgoingEvent

pytestmark = pytest.mark.emulator


def test_a_pinned_read_sees_what_was_committed_by_then_and_refuses_the_future(
    cloud: Container,
) -> None:
    user = f"user-{uuid.uuid4().hex[:10]}"
    log = FirestoreEventLog(cloud.firestore)
    before = utcnow()
    event = OutgoingEvent(EventType.PROMPT_RUN_PROGRESS, user, "k1", utcnow(), run_id="r")
    appended = log.append(event, utcnow() + timedelta(days=8))
    assert appended.stored and appended.commit_gap_micros is not None
    assert appended.commit_gap_micros >= 0  # stamped on receipt, committed after
    assert appended.position.moment >= before - timedelta(seconds=1)

    async def main() -> tuple[int, int, int]:
        reader = FirestoreEventReader(firestore.AsyncClient(project=cloud.settings.project_id))
        start = Position(0)
        then = await reader.read(EventQuery(user, start, 10, read_time=before))
        now = await reader.read(EventQuery(user, start, 10, read_time=utcnow()))
        unpinned = await reader.read(EventQuery(user, start, 10))
        with pytest.raises(ReadTimeInFuture):
            await reader.read(
                EventQuery(user, start, 10, read_time=utcnow() + timedelta(seconds=30))
            )
        return len(then), len(now), len(unpinned)

    assert asyncio.run(main()) == (0, 1, 1)
    # A redelivery answers the first delivery's position (read back on this rare path).
    again = log.append(event, utcnow() + timedelta(days=8))
    assert not again.stored and again.position == appended.position
