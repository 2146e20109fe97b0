"""Signed, short-lived image URLs inside JSON responses (``gif_data``, ``first_thumbnail``,
``thumbnail_uri``, ``gif_uri``), loadable by an ``<img>`` tag without the API key.

Filling costs no I/O per item: each URL is a keyless preview link (decision 030) that renders
the preview on first load and serves it from the derived-media bucket afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from shared.domain.ports import MediaCatalog
from shared.domain.previews import (
    DEFAULT_GIF_SECONDS,
    LINK_THUMBNAIL_WIDTH,
    MIN_GIF_SECONDS,
    GifSpec,
    ImageFormat,
    ThumbnailSpec,
    milliseconds,
)
from shared.domain.records import MediaType
from shared.services.preview_links import PreviewLinks


class PreviewLinkSource(Protocol):
    """The composition root (``Container``) or anything else holding these two ports."""

    @property
    def preview_links(self) -> PreviewLinks: ...

    @property
    def catalog(self) -> MediaCatalog: ...


def fill_preview_urls(
    source: PreviewLinkSource,
    user_id: str,
    videos: list[dict[str, Any]],
    segments: list[dict[str, Any]],
    media_types: Mapping[str, str] | None = None,
) -> None:
    """Set preview URLs in place.

    ``videos`` are VideoWithDetails-shaped dicts (``video_id``, ``media_type``): they get
    ``first_thumbnail`` (the frame at 0 s; an image resized; audio a waveform) and, for video,
    ``gif_data`` (the first 3 s). ``segments`` are Segment-shaped dicts (``segment_id``,
    ``video_id``, ``start_time``, ``end_time``): they get ``thumbnail_uri`` (the midpoint) and
    ``thumbnail_available``, and for video ``gif_uri`` / ``gif_available``.

    A segment's media type comes from ``videos``, then ``media_types`` (video id → type); only
    ids found in neither are read from the catalog, in one batch read.
    """
    links = source.preview_links
    types: dict[str, str] = dict(media_types or {})
    for video in videos:
        types.setdefault(video["video_id"], str(video.get("media_type") or MediaType.VIDEO))
    unknown = sorted({s["video_id"] for s in segments} - types.keys())
    if unknown:
        found = source.catalog.get_videos(user_id, unknown)
        types.update({vid: record.media_type.value for vid, record in found.items()})

    for video in videos:
        video_id = video["video_id"]
        video["first_thumbnail"] = links.url(
            user_id, video_id, ThumbnailSpec(0, LINK_THUMBNAIL_WIDTH, ImageFormat.JPG)
        )
        is_video = types[video_id] == MediaType.VIDEO
        video["gif_data"] = links.url(user_id, video_id, GifSpec()) if is_video else None

    for segment in segments:
        video_id = segment["video_id"]
        if video_id not in types:  # not the caller's media (or deleted): nothing to link
            continue
        start, end = float(segment["start_time"]), float(segment["end_time"])
        middle = milliseconds(start + max(end - start, 0.0) / 2)
        thumbnail = ThumbnailSpec(middle, LINK_THUMBNAIL_WIDTH, ImageFormat.JPG)
        segment["thumbnail_uri"] = links.url(user_id, video_id, thumbnail)
        segment["thumbnail_available"] = True
        if types[video_id] == MediaType.VIDEO:
            seconds = min(DEFAULT_GIF_SECONDS, max(end - start, MIN_GIF_SECONDS))
            gif = GifSpec(milliseconds(start), milliseconds(seconds))
            segment["gif_uri"] = links.url(user_id, video_id, gif)
            segment["gif_available"] = True
