"""Signed, short-lived image URLs inside JSON responses (``gif_data``, ``first_thumbnail``,
``thumbnail_uri``, ``gif_uri``), loadable by an ``<img>`` tag without the API key.

Filling costs no I/O per item: each URL is a keyless preview link (decision 030) that renders
the preview on first load and serves it from the derived-media bucket afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, Protocol

from pydantic import BaseModel

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

Previewed = BaseModel | MutableMapping[str, Any]


class PreviewLinkSource(Protocol):
    """The composition root (``Container``) or anything else holding these two ports."""

    @property
    def preview_links(self) -> PreviewLinks: ...

    @property
    def catalog(self) -> MediaCatalog: ...


def fill_preview_urls(
    source: PreviewLinkSource,
    user_id: str,
    videos: Sequence[Previewed],
    segments: Sequence[Previewed],
    media_types: Mapping[str, str] | None = None,
) -> None:
    """Set preview URLs in place.

    ``videos`` are ``VideoWithDetails`` (or dicts with ``video_id``, ``media_type``): they get
    ``first_thumbnail`` (the frame at 0 s; an image resized; audio a waveform) and, for video,
    ``gif_data`` (the first 3 s). ``segments`` are ``Segment`` or ``SearchResult`` (or dicts
    with ``segment_id``, ``video_id``, ``start_time``, ``end_time``): they get ``thumbnail_uri``
    (the midpoint) and ``thumbnail_available``, and for video ``gif_uri`` / ``gif_available``.
    Dicts are accepted for callers that build their own payloads (see README).

    A segment's media type comes from ``videos``, then ``media_types`` (video id → type); only
    ids found in neither are read from the catalog, in one batch read.
    """
    links = source.preview_links
    types: dict[str, str] = dict(media_types or {})
    for video in videos:
        types.setdefault(_get(video, "video_id"), str(_get(video, "media_type") or MediaType.VIDEO))
    unknown = sorted({_get(s, "video_id") for s in segments} - types.keys())
    if unknown:
        found = source.catalog.get_videos(user_id, unknown)
        types.update({vid: record.media_type.value for vid, record in found.items()})

    for video in videos:
        video_id = _get(video, "video_id")
        thumbnail = ThumbnailSpec(0, LINK_THUMBNAIL_WIDTH, ImageFormat.JPG)
        _set(video, "first_thumbnail", links.url(user_id, video_id, thumbnail))
        is_video = types[video_id] == MediaType.VIDEO
        _set(video, "gif_data", links.url(user_id, video_id, GifSpec()) if is_video else None)

    for segment in segments:
        video_id = _get(segment, "video_id")
        if video_id not in types:  # not the caller's media (or deleted): nothing to link
            continue
        start, end = float(_get(segment, "start_time")), float(_get(segment, "end_time"))
        middle = milliseconds(start + max(end - start, 0.0) / 2)
        thumbnail = ThumbnailSpec(middle, LINK_THUMBNAIL_WIDTH, ImageFormat.JPG)
        _set(segment, "thumbnail_uri", links.url(user_id, video_id, thumbnail))
        _set(segment, "thumbnail_available", True)
        if types[video_id] == MediaType.VIDEO:
            seconds = min(DEFAULT_GIF_SECONDS, max(end - start, MIN_GIF_SECONDS))
            gif = GifSpec(milliseconds(start), milliseconds(seconds))
            _set(segment, "gif_uri", links.url(user_id, video_id, gif))
            _set(segment, "gif_available", True)


def _get(item: Previewed, name: str) -> Any:
    return item[name] if isinstance(item, MutableMapping) else getattr(item, name)


def _set(item: Previewed, name: str, value: Any) -> None:
    if isinstance(item, MutableMapping):
        item[name] = value
    else:
        setattr(item, name, value)
