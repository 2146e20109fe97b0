"""``POST /api/v2/processing/events/stream-tokens``: an API key for a short-lived stream token."""

from __future__ import annotations

from shared.clock import to_iso
from shared.domain.principals import Scope
from shared.domain.resources.credentials import StreamTokenResponse
from shared.http.router import Reply, RequestContext, Router
from shared.services.stream_tokens import QUERY_PARAMETER
from stream_tokens_api.models import StreamTokenRequest

router = Router(secrets=("stream_token_secret",))


@router.route(
    "POST",
    "/api/v2/processing/events/stream-tokens",
    scope=Scope.READ,
    body=StreamTokenRequest,
    response=StreamTokenResponse,
    statuses=(201,),
    response_headers=("Cache-Control",),
)
def create_stream_token(ctx: RequestContext) -> Reply:
    """Issue a token that opens the caller's event stream with exactly these filters."""
    body = ctx.body(StreamTokenRequest)
    issued = ctx.container.stream_tokens.issue(ctx.principal.user_id, body.filters())
    reply = StreamTokenResponse(
        stream_token=issued.token,
        expires_at=to_iso(issued.expires_at),
        expires_in=issued.expires_in,
        query_parameter=QUERY_PARAMETER,
    )
    # A credential: no cache may keep it.
    return Reply(reply, status=201, headers={"Cache-Control": "no-store"})
