"""``/api/v2/markers``: list, upsert, read one, delete."""

from __future__ import annotations

import hashlib
import json

from markers_api.models import MarkerListQuery, MarkerUpsertRequest
from shared.domain.markers import MarkerChanges, MarkerQuery, MarkerTarget
from shared.domain.principals import Scope
from shared.domain.resources.markers import MarkerListResponse, MarkerResponse
from shared.errors import ValidationFailed
from shared.http.path_ids import path_id
from shared.http.router import Reply, RequestContext, Router
from shared.pagination import pagination_of

router = Router()
MAX_IDEMPOTENCY_KEY_LENGTH = 255


@router.route(
    "GET", "/api/v2/markers", scope=Scope.READ, query=MarkerListQuery, response=MarkerListResponse
)
def list_markers(ctx: RequestContext) -> Reply:
    """List the caller's markers, filtered and paginated."""
    q = ctx.query(MarkerListQuery)
    query = MarkerQuery(q.target_type, q.target_id, q.video_id, q.run_id)
    page = ctx.container.marker_service.list_markers(ctx.principal, query, q.limit, q.cursor)
    data = [MarkerResponse.of(m) for m in page.items]
    return Reply(MarkerListResponse(data=data, pagination=pagination_of(page)))


@router.route(
    "PUT",
    "/api/v2/markers",
    scope=Scope.WRITE,
    body=MarkerUpsertRequest,
    response=MarkerResponse,
    statuses=(200, 201),
    request_headers=("If-Match", "Idempotency-Key"),
    response_headers=("ETag", "Idempotent-Replayed"),
)
def upsert_marker(ctx: RequestContext) -> Reply:
    """Create or update the caller's marker on a target."""
    body = ctx.body(MarkerUpsertRequest)
    if_match = ctx.header("If-Match")
    idempotency_key = ctx.header("Idempotency-Key")
    if idempotency_key is not None and len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationFailed(
            "Idempotency-Key is too long.",
            details={"errors": [{"field": "Idempotency-Key", "limit": {"max_length": 255}}]},
        )
    canonical = json.dumps([body.model_dump(mode="json"), if_match], sort_keys=True)
    changes = MarkerChanges(
        target=MarkerTarget(body.target_type, body.target_id, body.field_path),
        color=body.color,
        note=body.note,
        video_id=body.video_id,
        run_id=body.run_id,
    )
    result = ctx.container.marker_service.upsert_marker(
        ctx.principal,
        changes,
        if_match=if_match,
        idempotency_key=idempotency_key,
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
    )
    headers = {"ETag": result.marker.etag}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Reply(
        MarkerResponse.of(result.marker), status=201 if result.created else 200, headers=headers
    )


@router.route(
    "GET",
    "/api/v2/markers/{marker_id}",
    scope=Scope.READ,
    response=MarkerResponse,
    response_headers=("ETag",),
)
def get_marker(ctx: RequestContext) -> Reply:
    """Read one marker."""
    marker = ctx.container.marker_service.get_marker(ctx.principal, _marker_id(ctx))
    return Reply(MarkerResponse.of(marker), headers={"ETag": marker.etag})


@router.route(
    "DELETE", "/api/v2/markers/{marker_id}", scope=Scope.WRITE, request_headers=("If-Match",)
)
def delete_marker(ctx: RequestContext) -> Reply:
    """Delete one marker."""
    if_match = ctx.header("If-Match")
    ctx.container.marker_service.delete_marker(ctx.principal, _marker_id(ctx), if_match=if_match)
    return Reply(None, status=204)


def _marker_id(ctx: RequestContext) -> str:
    return path_id(ctx.path_params, "marker_id")
