"""How many documents a relay feed reads per event, on an event loop over the in-memory log."""

from __future__ import annotations

import asyncio

from events_relay_api.feeds import Hub

from shared.clients.sse import SseFrame
from shared.domain.event_log import StoredEvent
from tests.support.relay_streams import (
    FAST,
    HookedLog,
    append,
    count,
    events_in,
    frames_of,
    open_stream,
)


class DocumentCountingReader(HookedLog):
    """Counts the events each read of a feed returns (each is a document read in Firestore)."""

    def __init__(self) -> None:
        super().__init__()
        self.returned = 0

    def after_read(self, found: list[StoredEvent]) -> None:
        self.returned += len(found)


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
