"""``GET /api/v2/processing/events/stream``: the processing event stream (server-sent events)."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from events_relay_api.feeds import Hub
from events_relay_api.streams import event_stream, plan_stream
from shared.bootstrap import Container
from shared.domain.event_log import MAX_EVENT_ID_LENGTH, EventFilter
from shared.domain.events import EventType
from shared.domain.principals import Principal, Scope
from shared.http.asgi import AsgiContext
from shared.http.validation import RecordId, StrictModel, query_to_dict, validate
from shared.services.stream_tokens import MAX_TOKEN_LENGTH, QUERY_PARAMETER, StreamFilters

STREAM_PATH = "/api/v2/processing/events/stream"
MAX_FILTER_VALUES = 100
# (method, path, scope) of every endpoint this service answers: checked against routes.json.
ROUTES = [("GET", STREAM_PATH, Scope.READ)]


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
    user_id = container.stream_tokens.verify(query.stream_token or "", filters)
    return Principal(user_id=user_id, scopes=frozenset({Scope.READ}), key_id="stream-token")


def stream_handler(hub: Hub):  # type: ignore[no-untyped-def]
    async def open_stream(ctx: AsgiContext) -> Response:
        """Follow the caller's processing events, from a cursor or from now."""
        query = ctx.query(StreamQuery)
        # An empty cursor is no cursor, from the header (as EventSource sends it) or the query.
        cursor = ctx.header("Last-Event-ID") or query.last_event_id or None
        plan = await plan_stream(
            ctx.principal.user_id,
            query.event_filter(),
            query.batch_size,
            cursor,
            hub.reader,
            ctx.container.settings.event_retention_days,
        )
        return StreamingResponse(
            event_stream(plan, hub),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return open_stream
