"""``/api/v2/videos/batch``, ``/batch/status`` and ``/batch/segments``."""

from __future__ import annotations

from batch_api.models import BatchSegmentsRequest, BatchVideosRequest
from shared.domain.principals import Scope
from shared.domain.resources.media import VideoSegments, VideoStatus, VideoWithDetails
from shared.http.router import Reply, RequestContext, Router

router = Router(secrets=("preview_link_secret",))  # batch answers carry preview links


@router.route(
    "POST",
    "/api/v2/videos/batch",
    scope=Scope.READ,
    body=BatchVideosRequest,
    response=list[VideoWithDetails],
)
def batch_videos(ctx: RequestContext) -> Reply:
    """Several of the caller's videos with run snapshots, markers and preview URLs."""
    body = ctx.body(BatchVideosRequest)
    return Reply(ctx.container.catalog_service.batch_videos(ctx.principal.user_id, body.video_ids))


@router.route(
    "POST",
    "/api/v2/videos/batch/status",
    scope=Scope.READ,
    body=BatchVideosRequest,
    response=list[VideoStatus],
)
def batch_status(ctx: RequestContext) -> Reply:
    """Processing status of several videos, with one snapshot per prompt run."""
    body = ctx.body(BatchVideosRequest)
    return Reply(
        ctx.container.catalog_service.batch_statuses(ctx.principal.user_id, body.video_ids)
    )


@router.route(
    "POST",
    "/api/v2/videos/batch/segments",
    scope=Scope.READ,
    body=BatchSegmentsRequest,
    response=list[VideoSegments],
)
def batch_segments(ctx: RequestContext) -> Reply:
    """Segments of several videos: every segment, or one prompt run's per target."""
    body = ctx.body(BatchSegmentsRequest)
    user_id = ctx.principal.user_id
    if body.targets is not None:
        pairs = [(t.video_id, t.run_id) for t in body.targets]
        cursors = body.target_cursors()
        reads = ctx.container.catalog_service
        return Reply(reads.batch_segments_for_targets(user_id, pairs, cursors))
    return Reply(ctx.container.catalog_service.batch_segments(user_id, body.video_ids or []))
