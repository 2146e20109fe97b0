"""One client's stream: catch up from its cursor by reading the log, then follow its user's
feed; heartbeats, a deadline, and a final ``processing.stream_error`` when the server ends it.

Every frame a stream writes is after its cursor and in position order, whether it came from
its own catch-up reads or from the feed, so a client that resumes from the last id it saw gets
each later event exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from events_relay_api.feeds import Hub, now_micros
from events_relay_api.frames import HEARTBEAT, error_frame, event_frame, opening_frame
from events_relay_api.subscriptions import StreamEnd, Subscription
from shared.domain.event_log import EventFilter, EventQuery, Position
from shared.domain.ports import EventReader
from shared.errors import InvalidRequest, VideoVectorError

logger = logging.getLogger("videovector.relay")
FUTURE_SLACK_MICROS = 60 * 1_000_000
DURATION_LIMIT = StreamEnd(
    "stream_duration_limit", "The stream reached its maximum duration; resume from last_event_id."
)


@dataclass(frozen=True)
class StreamPlan:
    user_id: str
    event_filter: EventFilter
    batch_size: int
    start: Position
    announce_start: bool
    cursor_problem: StreamEnd | None = None


def parse_cursor(raw: str) -> Position:
    try:
        return Position.parse(raw)
    except ValueError as exc:
        raise InvalidRequest(
            "The cursor (Last-Event-ID or last_event_id) is not an event id of this stream.",
            code="invalid_cursor",
            details={"field": "last_event_id"},
        ) from exc


async def plan_stream(
    user_id: str,
    event_filter: EventFilter,
    batch_size: int,
    cursor: str | None,
    reader: EventReader,
    retention_days: int,
) -> StreamPlan:
    """Where the stream starts. A malformed cursor raises (a 400 before streaming); an expired
    or unknown one is answered in-band, as the contract says."""
    now = now_micros()
    if cursor is None:
        return StreamPlan(user_id, event_filter, batch_size, Position(now), announce_start=True)
    start = parse_cursor(cursor)
    problem = None
    if start.micros < now - retention_days * 86_400 * 1_000_000:
        problem = StreamEnd(
            "cursor_expired",
            f"The cursor is older than the {retention_days}-day replay window; "
            "reconnect without it to follow from now.",
        )
    elif start.micros > now + FUTURE_SLACK_MICROS:
        problem = StreamEnd("cursor_unknown", "The cursor is not a position of this stream.")
    elif start.record_id:
        stored = await reader.get(user_id, start.record_id)
        if stored is None or stored.position != start:
            problem = StreamEnd("cursor_unknown", "The cursor is not an event of this stream.")
    return StreamPlan(user_id, event_filter, batch_size, start, False, problem)


async def event_stream(plan: StreamPlan, hub: Hub) -> AsyncIterator[bytes]:
    settings = hub.settings
    loop = asyncio.get_running_loop()
    yield opening_frame(settings.retry_ms, plan.start if plan.announce_start else None)
    if plan.cursor_problem is not None:
        problem = plan.cursor_problem
        yield error_frame(problem.code, problem.message, False, None)
        return
    deadline = loop.time() + settings.max_stream_seconds
    feed = hub.acquire(plan.user_id)
    subscription: Subscription | None = None
    written = plan.start
    try:
        await feed.ready.wait()  # the feed's first read proves its tail settled
        # Catch up by reading the log, up to the feed's tail; then join the feed.
        while written < feed.tail or feed.failed is not None:
            if feed.failed is not None or loop.time() >= deadline:
                end = feed.failed or DURATION_LIMIT
                yield error_frame(end.code, end.message, True, written.event_id)
                return
            bound = feed.tail
            page = await hub.reader.read(
                EventQuery(plan.user_id, written, plan.batch_size, until=bound)
            )
            frames = [event_frame(e) for e in page if plan.event_filter.matches(e)]
            written = page[-1].position if len(page) == plan.batch_size else bound
            if frames:
                yield b"".join(frames)
        subscription = Subscription(written, plan.event_filter, settings.buffer_events)
        feed.attach(subscription)
        last_write = loop.time()
        while True:
            wait = min(last_write + settings.heartbeat_seconds, deadline) - loop.time()
            await subscription.wait(wait)
            frames, resume = subscription.drain(plan.batch_size)
            if frames:
                yield b"".join(frames)
                written, last_write = resume, loop.time()
                continue
            written = max(written, resume)
            end = subscription.ended or (DURATION_LIMIT if loop.time() >= deadline else None)
            if end is not None:
                yield error_frame(end.code, end.message, True, written.event_id)
                return
            if loop.time() >= last_write + settings.heartbeat_seconds:
                yield HEARTBEAT
                last_write = loop.time()
    except VideoVectorError as error:
        logger.warning("stream ended by a store error: %s", error.message)
        yield error_frame(
            "store_unavailable",
            "The event store is unavailable; resume from last_event_id.",
            True,
            written.event_id,
        )
    finally:
        if subscription is not None:
            feed.detach(subscription)
        hub.release(feed)
