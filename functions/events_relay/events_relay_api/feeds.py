"""One feed per user with open streams on this instance: it reads the log after its tail and
hands each settled event to every stream attached to it (docs/decisions/020 and 021).

"Settled" means stamped at least ``settle`` before the time the feed's read ran at: each read
is pinned to a ``read_time`` the store itself checks against its own clock, and sees every
write committed by then. A write commits within ``settle`` of its stamp (the assumption,
measured in docs/decisions/023), so every event with an earlier position is in that read, and
a stream never passes a position that a slower commit could still take. The tail only moves
forward, and only over settled positions; the relay's clock decides only when to read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from events_relay_api.frames import event_frame
from events_relay_api.subscriptions import (
    SHUTTING_DOWN,
    SLOW_CONSUMER,
    STORE_UNAVAILABLE,
    StreamEnd,
    Subscription,
)
from shared.config import Settings
from shared.domain.event_log import (
    EventQuery,
    Position,
    ReadTimeInFuture,
    StoredEvent,
    moment_of,
)
from shared.domain.ports import EventReader

logger = logging.getLogger("videovector.relay")
PAGE_SIZE = 500
MAX_READ_LAG_MICROS = 60 * 1_000_000


def now_micros() -> int:
    return time.time_ns() // 1000


class Feed:
    def __init__(self, user_id: str, reader: EventReader, settings: Settings) -> None:
        self.user_id = user_id
        self.settings = settings
        self.tail = Position(now_micros() - settings.settle_micros)
        self.holders = 0
        self.failed: StreamEnd | None = None
        self.late_events = 0
        self._reader = reader
        self._subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._max_seen = self.tail
        self._unsettled: set[str] = set()
        self._previous_read = now_micros()
        # How far behind its own clock the relay reads: grows only if the store refuses a
        # read time as in the future (this clock ahead of the store's).
        self._read_lag = 0
        # Set once a read has proven the tail settled by the store's clock: streams catch up
        # only to a proven tail.
        self.ready = asyncio.Event()
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name=f"feed-{user_id}")

    def ring(self) -> None:
        self._wake.set()

    def attach(self, subscription: Subscription) -> None:
        """The stream must have caught up to ``tail`` (no await between its check and this)."""
        subscription.advance(self.tail)
        if self.failed is not None:  # ended meanwhile (the instance is stopping)
            subscription.end(self.failed)
            return
        self._subscriptions.add(subscription)

    def detach(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def end_all(self, reason: StreamEnd) -> None:
        self.failed = reason
        self.ready.set()
        for subscription in list(self._subscriptions):
            subscription.end(reason)
        self._subscriptions.clear()

    def close(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        settles_at: int | None = None
        try:
            while True:
                if settles_at is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
                else:
                    # A ring cannot settle anything sooner than the first unsettled event.
                    await asyncio.sleep(max(settles_at - now_micros(), 0) / 1e6 + 0.002)
                # Only a read that may find events on their way asks when the next settles: an
                # idle poll with a doorbell is one query, as before (a query bills >= 1 read).
                probe = (
                    self._wake.is_set()
                    or settles_at is not None
                    or not self.ready.is_set()
                    or self.settings.doorbell == "poll"
                )
                self._wake.clear()
                read_at = time.monotonic()
                settles_at = await self._read(probe)
                self.ready.set()
                # Coalesce: rings and settle times that come sooner wait for the interval.
                pause = read_at + self.settings.read_interval_ms / 1000 - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("feed read failed", extra={"user_id": self.user_id}, exc_info=True)
            self.end_all(STORE_UNAVAILABLE)

    async def _read(self, probe: bool = True) -> int | None:
        """Hand out every settled event after the tail; answer when the next one settles
        (when ``probe``; else None: the next ring or poll reads again)."""
        settle = self.settings.settle_micros
        while True:
            started = now_micros() - self._read_lag
            horizon = Position(started - settle)
            read_time = moment_of(started)
            try:
                # Settled events only, and beside them (one wait) the first unsettled one, for
                # when to read next. Reading every unsettled event each time, as before, read
                # the last settle window's events again on every read: at 200 events/s, 200
                # documents a read for 20 new ones, which kept reads ~0.5 s apart under load.
                settled_page = EventQuery(
                    self.user_id, self.tail, PAGE_SIZE, until=horizon, read_time=read_time
                )
                reads = [self._reader.read(settled_page)]
                if probe:
                    next_one = EventQuery(self.user_id, horizon, 1, read_time=read_time)
                    reads.append(self._reader.read(next_one))
                settled, *probed = await asyncio.gather(*reads)
                unsettled = probed[0] if probed else []
            except ReadTimeInFuture:
                self._read_lag = min(max(2 * self._read_lag, 10_000), MAX_READ_LAG_MICROS)
                logger.warning(
                    "the store's clock is behind the relay's: reading further back",
                    extra={"read_lag_ms": self._read_lag / 1000},
                )
                continue
            full = len(settled) == PAGE_SIZE  # more settled events follow: read them first
            self._note_late(settled if full else settled + unsettled, started)
            if settled and self._subscriptions:
                # Stored (commit time) to handed out, for the oldest event of the read: the
                # delivery-lag service level (infra/monitoring.tf).
                lag_ms = (now_micros() - settled[0].position.micros) / 1000
                logger.info("events handed out", extra={"delivery_lag_ms": lag_ms})
            if settled:
                self._hand_out(settled)
            if full:
                self.tail = settled[-1].position
                continue
            # Every event before the horizon was visible to this read, and in the page.
            self.tail = max(self.tail, horizon)
            for subscription in self._subscriptions:
                subscription.advance(self.tail)
            return unsettled[0].position.micros + settle if unsettled else None

    def _hand_out(self, events: list[StoredEvent]) -> None:
        frames = [(event.position, event_frame(event)) for event in events]
        for subscription in list(self._subscriptions):
            if not subscription.offer(events, frames):
                subscription.end(SLOW_CONSUMER)
                self._subscriptions.discard(subscription)
                logger.info(
                    "stream let go: its client reads too slowly",
                    extra={"user_id": self.user_id, "buffered_events": self.settings.buffer_events},
                )

    def _note_late(self, events: list[StoredEvent], read_started: int) -> None:
        """Count events that became visible after a later position was already seen: the
        race the settle window absorbs. ``min_lag_ms`` is how long after its commit time the
        event was still invisible (the previous read missed it); if that ever approached the
        settle window, the window would be too short."""
        for event in events:
            record_id = event.position.record_id
            if event.position < self._max_seen and record_id not in self._unsettled:
                self.late_events += 1
                logger.info(
                    "event became visible late",
                    extra={
                        "user_id": self.user_id,
                        "min_lag_ms": (self._previous_read - event.position.micros) / 1000,
                        "max_lag_ms": (read_started - event.position.micros) / 1000,
                    },
                )
        if events:
            self._max_seen = max(self._max_seen, events[-1].position)
        horizon = Position(read_started - self.settings.settle_micros)
        self._unsettled = {e.position.record_id for e in events if not e.position < horizon}
        self._previous_read = read_started


class Hub:
    """The feeds of this instance, by user; the doorbell rings here."""

    def __init__(self, reader: EventReader, settings: Settings) -> None:
        self.reader = reader
        self.settings = settings
        self._feeds: dict[str, Feed] = {}
        self._stopping = False

    def acquire(self, user_id: str) -> Feed:
        feed = self._feeds.get(user_id)
        if feed is None or feed.failed is not None:
            feed = Feed(user_id, self.reader, self.settings)
            self._feeds[user_id] = feed
            if self._stopping:  # a stream that arrives during shutdown ends at once
                feed.end_all(SHUTTING_DOWN)
        feed.holders += 1
        return feed

    def release(self, feed: Feed) -> None:
        feed.holders -= 1
        if feed.holders <= 0:
            feed.close()
            if self._feeds.get(feed.user_id) is feed:
                del self._feeds[feed.user_id]

    def ring(self, user_id: str) -> None:
        feed = self._feeds.get(user_id)
        if feed is not None:
            feed.ring()

    @property
    def feeds(self) -> int:
        return len(self._feeds)

    def shut_down(self) -> None:
        """End every stream resumably (the instance is stopping: Cloud Run sends SIGTERM and
        waits ~10 s); the server then finishes once their responses are complete."""
        self._stopping = True
        for feed in self._feeds.values():
            feed.end_all(SHUTTING_DOWN)

    def close(self) -> None:
        for feed in self._feeds.values():
            feed.close()
        self._feeds.clear()
