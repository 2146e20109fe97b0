"""The media helpers: signed URLs, GIFs (and WebP / MP4), segment thumbnails, storyboards
(sprite, WebVTT, JSON) and keyless preview links."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from media_api.models import (
    GifQuery,
    PreviewLinkQuery,
    SignedUrlRequest,
    SpriteQuery,
    StoryboardQuery,
    ThumbnailQuery,
)
from shared.clock import to_iso, utcnow
from shared.domain.previews import ImageFormat, PreviewSpec
from shared.domain.principals import Scope
from shared.domain.resources.credentials import SignedUrlResponse
from shared.domain.resources.storyboards import StoryboardResponse, StoryboardTile
from shared.domain.storyboards import StoryboardLayout, StoryboardSpec, webvtt
from shared.http.path_ids import path_id
from shared.http.router import Reply, RequestContext, Router
from shared.services.media_previews import Preview
from shared.services.preview_cache import etag_matches

router = Router(secrets=("preview_link_secret",))
# An image answers 200, or 304 with no body to a matching If-None-Match; both name the ETag.
IMAGE_HEADERS: dict[str, Any] = {
    "statuses": (200, 304),
    "request_headers": ("If-None-Match",),
    "response_headers": ("ETag", "Cache-Control"),
}


@router.route(
    "POST",
    "/api/v2/videos/signed-url",
    scope=Scope.READ,
    body=SignedUrlRequest,
    response=SignedUrlResponse,
    response_headers=("Cache-Control",),
)
def signed_url(ctx: RequestContext) -> Reply:
    """Sign a GET URL for one of the caller's media or derived objects."""
    body = ctx.body(SignedUrlRequest)
    signed = ctx.container.signed_urls.sign_owned_object(
        ctx.principal.user_id, body.gcs_uri, body.expires_in
    )
    return Reply(
        SignedUrlResponse(signed_url=signed.url, expires_at=to_iso(signed.expires_at)),
        headers={"Cache-Control": "no-store"},
    )


@router.route(
    "GET",
    "/api/v2/videos/{video_id}/gif",
    scope=Scope.READ,
    query=GifQuery,
    response=("image/gif", "image/webp", "video/mp4"),
    **IMAGE_HEADERS,
)
def gif(ctx: RequestContext) -> Reply:
    """An animated preview of the media: a palette GIF, animated WebP or muted looping MP4."""
    return _caller_preview(ctx, _path_id(ctx, "video_id"), ctx.query(GifQuery).spec())


@router.route(
    "GET",
    "/api/v2/videos/segments/{segment_id}/thumbnail",
    scope=Scope.READ,
    query=ThumbnailQuery,
    response="image/*",
    **IMAGE_HEADERS,
)
def thumbnail(ctx: RequestContext) -> Reply:
    """One frame of a segment (its midpoint unless ``time`` is given)."""
    query = ctx.query(ThumbnailQuery)
    video_id, middle_ms = ctx.container.media_previews.segment_time_ms(
        ctx.principal.user_id, _path_id(ctx, "segment_id")
    )
    return _caller_preview(ctx, video_id, query.spec(middle_ms))


@router.route(
    "GET",
    "/api/v2/previews/{token}",
    scope=None,
    query=PreviewLinkQuery,
    response="image/*",
    **IMAGE_HEADERS,
)
def preview_link(ctx: RequestContext) -> Reply:
    """A preview behind a keyless signed link (the image URLs inside JSON responses)."""
    ticket = ctx.container.preview_links.verify(ctx.path_params["token"])
    previews = ctx.container.media_previews
    found = previews.preview(
        ticket.user_id, ticket.video_id, ticket.spec, ctx.header("If-None-Match")
    )
    # The browser may keep it no longer than the link itself lives.
    remaining = max(0, math.floor(ticket.expires - utcnow().timestamp()))
    return _image_reply(found, f"private, max-age={min(remaining, 86_400)}")


# The text changes when its sprite link does (once per link window): revalidate each time.
TEXT_CACHE_CONTROL = "private, no-cache"


@router.route(
    "GET",
    "/api/v2/videos/{video_id}/storyboard.jpg",
    scope=Scope.READ,
    query=SpriteQuery,
    response="image/jpeg",
    **IMAGE_HEADERS,
)
def storyboard_jpg(ctx: RequestContext) -> Reply:
    """The storyboard sprite (JPEG): evenly spaced tiles of the media, for hover scrubbing."""
    ctx.query(SpriteQuery)
    return _caller_preview(ctx, _path_id(ctx, "video_id"), StoryboardSpec(ImageFormat.JPG))


@router.route(
    "GET",
    "/api/v2/videos/{video_id}/storyboard.webp",
    scope=Scope.READ,
    query=SpriteQuery,
    response="image/webp",
    **IMAGE_HEADERS,
)
def storyboard_webp(ctx: RequestContext) -> Reply:
    """The storyboard sprite (WebP, about half the bytes of the JPEG)."""
    ctx.query(SpriteQuery)
    return _caller_preview(ctx, _path_id(ctx, "video_id"), StoryboardSpec(ImageFormat.WEBP))


def _layout(ctx: RequestContext) -> tuple[StoryboardLayout, str]:
    spec = ctx.query(StoryboardQuery).spec()
    user_id, video_id = ctx.principal.user_id, _path_id(ctx, "video_id")
    previews = ctx.container.media_previews
    layout = previews.storyboard_layout(user_id, video_id, spec, ctx.principal.key_id)
    return layout, ctx.container.preview_links.url(user_id, video_id, spec)


def _text_reply(ctx: RequestContext, body: bytes, content_type: str) -> Reply:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": TEXT_CACHE_CONTROL}
    if etag_matches(ctx.header("If-None-Match"), etag):
        return Reply(b"", status=304, headers=headers, content_type=content_type)
    return Reply(body, headers=headers, content_type=content_type)


@router.route(
    "GET",
    "/api/v2/videos/{video_id}/storyboard.vtt",
    scope=Scope.READ,
    query=StoryboardQuery,
    response="text/vtt",
    **IMAGE_HEADERS,
)
def storyboard_vtt(ctx: RequestContext) -> Reply:
    """WebVTT: one cue per tile, its time range and ``<sprite>#xywh=x,y,w,h``."""
    layout, url = _layout(ctx)
    return _text_reply(ctx, webvtt(layout, url).encode(), "text/vtt")


@router.route(
    "GET",
    "/api/v2/videos/{video_id}/storyboard.json",
    scope=Scope.READ,
    query=StoryboardQuery,
    response=StoryboardResponse,
    **IMAGE_HEADERS,
)
def storyboard_json(ctx: RequestContext) -> Reply:
    """The storyboard as JSON: the sprite URL, tile size, grid and every tile's times and
    position."""
    layout, url = _layout(ctx)
    body = StoryboardResponse(
        url=url,
        tile_width=layout.tile_width,
        tile_height=layout.tile_height,
        columns=layout.columns,
        rows=layout.rows,
        duration=round(layout.duration, 3),
        tiles=[
            StoryboardTile(start=round(t.start, 3), end=round(t.end, 3), x=t.x, y=t.y)
            for t in layout.all_tiles()
        ],
    )
    reply = _text_reply(ctx, body.model_dump_json().encode(), "application/json")
    if reply.status == 304:
        return Reply(None, status=304, headers=reply.headers)
    return Reply(body, headers=reply.headers)


def _caller_preview(ctx: RequestContext, video_id: str, spec: PreviewSpec) -> Reply:
    """A preview of the caller's media, its render spending the caller's key's budget."""
    preview = ctx.container.media_previews.preview(
        ctx.principal.user_id, video_id, spec, ctx.header("If-None-Match"), ctx.principal.key_id
    )
    return _image_reply(preview)


def _image_reply(preview: Preview, cache_control: str | None = None) -> Reply:
    headers = {"ETag": preview.etag, "Cache-Control": cache_control or preview.cache_control}
    if preview.data is None:
        return Reply(b"", status=304, headers=headers, content_type=preview.content_type)
    return Reply(preview.data, headers=headers, content_type=preview.content_type)


def _path_id(ctx: RequestContext, name: str) -> str:
    return path_id(ctx.path_params, name)
