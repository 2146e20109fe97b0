"""``GET /api/v2/processing/events/stream``: the processing event stream (server-sent events)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from events_relay_api.feeds import Hub
from events_relay_api.streams import StreamPlan, event_stream, plan_stream
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.event_log import MAX_EVENT_ID_LENGTH, EventFilter
from shared.domain.events import STREAM_PATH, EventType
from shared.domain.principals import Principal, Scope
from shared.http.asgi import AsgiContext
from shared.http.validation import RecordId, StrictModel, query_to_dict, validate
from shared.services.budgets import Cap, ConcurrencyBudget, Held
from shared.services.stream_tokens import MAX_TOKEN_LENGTH, QUERY_PARAMETER, StreamFilters

MAX_FILTER_VALUES = 100
# (method, path, scope) of every endpoint this service answers: checked against routes.json.
ROUTES = [("GET", STREAM_PATH, Scope.READ)]
# A stream token's own budget key: its digest, so each token has its caps (and no log or
# store ever holds the token itself).
TOKEN_KEY_PREFIX = "st-"


class StreamQuery(StrictModel):
    run_id: RecordId | None = None
    index_id: RecordId | None = None
    video_ids: list[RecordId] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    event_types: list[EventType] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    batch_size: int = Field(default=100, ge=1, le=500)
    last_event_id: str | None = Field(default=None, max_length=MAX_EVENT_ID_LENGTH + 16)
    # For browsers (EventSource sets no headers): checked by ``stream_token_principal``.
    stream_token: str | None = Field(default=None, max_length=MAX_TOKEN_LENGTH)

    def event_filter(self) -> EventFilter:
        return EventFilter(
            self.run_id, self.index_id, frozenset(self.video_ids), frozenset(self.event_types)
        )


def stream_token_principal(request: Request, container: Container) -> Principal | None:
    """The caller of a ``stream_token`` query parameter, if the token is genuine, unexpired
    and was issued for exactly this request's filters; None when there is no token."""
    if QUERY_PARAMETER not in request.query_params:
        return None
    params = request.query_params
    query = validate(
        StreamQuery, query_to_dict(StreamQuery, {k: params.getlist(k) for k in params})
    )
    filters = StreamFilters.of(query.run_id, query.index_id, query.video_ids, query.event_types)
    token = query.stream_token or ""
    user_id = container.stream_tokens.verify(token, filters)
    key_id = TOKEN_KEY_PREFIX + hashlib.sha256(token.encode()).hexdigest()[:16]
    return Principal(user_id=user_id, scopes=frozenset({Scope.READ}), key_id=key_id)


def stream_caps(principal: Principal, settings: Settings) -> list[Cap]:
    """Open streams per credential (an API key or one stream token), and per user, so minting
    tokens is no way around the key's cap."""
    credential = "stream token" if principal.key_id.startswith(TOKEN_KEY_PREFIX) else "key"
    return [
        Cap(
            f"stream:{principal.key_id}",
            settings.streams_per_key,
            f"open event streams for this {credential}",
            "streams_per_token" if credential == "stream token" else "streams_per_key",
        ),
        Cap(
            f"stream-user:{principal.user_id}",
            settings.streams_per_user,
            "open event streams",
            "streams_per_user",
        ),
    ]


async def released_after(
    frames: AsyncIterator[bytes], budget: ConcurrencyBudget, held: Held
) -> AsyncIterator[bytes]:
    """The stream's frames; its slots go back when it ends, however it ends. The release runs
    on a worker thread and is not awaited: it must not wait inside a cancelled task."""
    try:
        async for frame in frames:
            yield frame
    finally:
        asyncio.get_running_loop().run_in_executor(None, budget.release, held)


def stream_handler(hub: Hub, budget: ConcurrencyBudget | None = None):  # type: ignore[no-untyped-def]
    async def open_stream(ctx: AsgiContext) -> Response:
        """Follow the caller's processing events, from a cursor or from now."""
        query = ctx.query(StreamQuery)
        # An empty cursor is no cursor, from the header (as EventSource sends it) or the query.
        cursor = ctx.header("Last-Event-ID") or query.last_event_id or None
        held = None
        if budget is not None:
            # Before any read of the log: beyond a cap the answer is a 429 envelope.
            caps = stream_caps(ctx.principal, ctx.container.settings)
            held = await asyncio.to_thread(budget.acquire, caps)
        try:
            plan = await _plan(ctx, query, cursor, hub)
        except Exception:
            if budget is not None and held is not None:
                await asyncio.to_thread(budget.release, held)
            raise
        frames = event_stream(plan, hub)
        if budget is not None and held is not None:
            frames = released_after(frames, budget, held)
        return StreamingResponse(
            frames,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return open_stream


async def _plan(ctx: AsgiContext, query: StreamQuery, cursor: str | None, hub: Hub) -> StreamPlan:
    return await plan_stream(
        ctx.principal.user_id,
        query.event_filter(),
        query.batch_size,
        cursor,
        hub.reader,
        ctx.container.settings.event_retention_days,
    )
