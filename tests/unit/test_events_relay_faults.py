"""The relay's streams when the store fails or its clock is behind, on an event loop over the
in-memory log."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from events_relay_api.feeds import Hub

from shared.clients.sse import SseFrame
from shared.clock import utcnow
from shared.domain.event_log import ReadTimeInFuture
from shared.errors import ServiceUnavailable
from tests.support.relay_streams import (
    FAST,
    HookedLog,
    append,
    count,
    errors_in,
    events_in,
    frames_of,
    open_stream,
)


class FailingReader(HookedLog):
    def before_read(self, read_time: datetime | None) -> None:
        raise ServiceUnavailable("The event store is temporarily unavailable; retry shortly.")


def test_a_store_outage_ends_streams_in_band() -> None:
    async def main() -> list[SseFrame]:
        hub = Hub(FailingReader(), FAST)
        stream = await open_stream(hub, "alice")
        return await frames_of(stream, lambda fs: bool(errors_in(fs)))

    (error,) = errors_in(asyncio.run(main()))
    assert error["code"] == "store_unavailable" and error["retryable"] is True


class BehindClockReader(HookedLog):
    """A store whose clock is 30 ms behind the relay's: it refuses later read times."""

    refused = 0

    def before_read(self, read_time: datetime | None) -> None:
        if read_time is not None and read_time > utcnow() - timedelta(milliseconds=30):
            self.refused += 1
            raise ReadTimeInFuture("The requested 'read_time' cannot be in the future.")


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
