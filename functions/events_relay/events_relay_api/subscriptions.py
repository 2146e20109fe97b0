"""A stream's place on its user's feed, and why a stream ends: the feed pushes each read's
settled frames into every attached subscription, the stream drains them (decision 024)."""

from __future__ import annotations

import asyncio
import bisect
import collections
from dataclasses import dataclass

from shared.domain.event_log import EventFilter, Position, StoredEvent


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


@dataclass(frozen=True)
class StreamEnd:
    code: str
    message: str


SLOW_CONSUMER = StreamEnd("slow_consumer", "The client read too slowly; resume from last_event_id.")
SHUTTING_DOWN = StreamEnd(
    "server_shutting_down", "This relay instance is stopping; resume from last_event_id."
)
STORE_UNAVAILABLE = StreamEnd(
    "store_unavailable", "The event store is unavailable; resume from last_event_id."
)


class Subscription:
    """A stream's place on its user's feed: the feed pushes frames, the stream drains them."""

    def __init__(self, position: Position, event_filter: EventFilter, capacity: int) -> None:
        self.position = position  # every event up to here is queued or did not match
        self.ended: StreamEnd | None = None
        self._filter = event_filter
        self._everything = event_filter == EventFilter()  # most streams: no filter to check
        self._capacity = capacity
        self._queue: collections.deque[tuple[Position, bytes]] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, events: list[StoredEvent], frames: list[tuple[Position, bytes]]) -> bool:
        """One read's settled events (in order, each with its frame, encoded once for every
        stream), taken in one step: one comparison and, for a stream without filters, one
        ``extend``, instead of Python work per stream per event (decision 024). False when
        the buffer would overflow: the feed then lets go of this stream."""
        start = 0
        if not self.position < frames[0][0]:  # the stream joined after some of them (rare)
            start = bisect.bisect_right(frames, self.position, key=lambda pair: pair[0])
            if start == len(frames):
                return True
        if self._everything:
            taken = frames[start:] if start else frames
        else:
            taken = [
                pair
                for event, pair in zip(events[start:], frames[start:], strict=True)
                if self._filter.matches(event)
            ]
        if len(self._queue) + len(taken) > self._capacity:
            return False
        if taken:
            self._queue.extend(taken)
            self._wake()
        self.position = frames[-1][0]
        return True

    def advance(self, position: Position) -> None:
        if position > self.position:
            self.position = position

    def end(self, reason: StreamEnd) -> None:
        self.ended = reason
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None:
            _resolve(self._waiter)

    async def wait(self, timeout: float) -> None:
        # A bare future and a timer, not ``wait_for`` on an Event: no task per wait, and a
        # thousand streams wait once per batch each (docs/decisions/024).
        if self._queue or self.ended:
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiter = waiter
        timer = loop.call_later(max(timeout, 0.0), _resolve, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def drain(self, limit: int) -> tuple[list[bytes], Position]:
        """Up to ``limit`` frames, and the position a client that got them may resume from."""
        frames: list[bytes] = []
        last = self.position
        while self._queue and len(frames) < limit:
            last, frame = self._queue.popleft()
            frames.append(frame)
        return frames, (last if self._queue else self.position)
