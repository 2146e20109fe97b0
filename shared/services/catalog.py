"""Batch reads of the caller's media, and the playground listing.

Each batch costs a constant number of store round trips per request: one batch get of the
videos, then ``in`` queries chunked at the store's limit (runs, segments, markers). Results
keep the request's order, name each id once, and leave out ids that are unknown, deleted or
someone else's (they read exactly alike).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from shared.clock import to_iso
from shared.domain.ports import MarkerRepository, MediaCatalog
from shared.domain.records import RunVideoStatus, SegmentRecord
from shared.errors import InvalidRequest
from shared.pagination import CursorId, Page, decode_cursor, paginate
from shared.services.marker_attachment import attach_markers
from shared.services.preview_links import PreviewLinks
from shared.services.previews import fill_preview_urls
from shared.services.resource_shapes import segment_body, video_body, video_status_body
from shared.services.segment_pages import MAX_BATCH_SEGMENTS, page_segments

MAX_BATCH_VIDEOS = 100
MAX_BATCH_SEGMENT_TARGETS = 50
PLAYGROUND_CURSOR = "playground_videos"
T = TypeVar("T")


class CatalogReaders(Protocol):
    """The composition root (``Container``), or anything holding these ports."""

    @property
    def catalog(self) -> MediaCatalog: ...

    @property
    def markers(self) -> MarkerRepository: ...

    @property
    def preview_links(self) -> PreviewLinks: ...


def unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def _runs_by_video(
    catalog: MediaCatalog, user_id: str, video_ids: Sequence[str]
) -> dict[str, list[RunVideoStatus]]:
    runs: dict[str, list[RunVideoStatus]] = {v: [] for v in video_ids}
    if video_ids:
        for run in catalog.run_statuses_of_videos(user_id, video_ids):
            runs.setdefault(run.video_id, []).append(run)
    return runs


def batch_videos(r: CatalogReaders, user_id: str, video_ids: Sequence[str]) -> list[dict[str, Any]]:
    """``VideoWithDetails`` per known id, with run snapshots, marker and preview URLs."""
    found = r.catalog.get_videos(user_id, unique(video_ids))
    present = [v for v in unique(video_ids) if v in found]
    runs = _runs_by_video(r.catalog, user_id, present)
    bodies = [video_body(found[v], runs[v]) for v in present]
    attach_markers(r.markers, user_id, videos=bodies)
    fill_preview_urls(r, user_id, bodies, [])
    return bodies


def batch_statuses(
    r: CatalogReaders, user_id: str, video_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """``VideoStatus`` per known id: overall status and one snapshot per prompt run."""
    found = r.catalog.get_videos(user_id, unique(video_ids))
    present = [v for v in unique(video_ids) if v in found]
    runs = _runs_by_video(r.catalog, user_id, present)
    return [video_status_body(found[v], runs[v]) for v in present]


def batch_segments(
    r: CatalogReaders,
    user_id: str,
    targets: Sequence[tuple[str, str | None]],
    cursors: Mapping[tuple[str, str | None], str] | None = None,
) -> list[dict[str, Any]]:
    """``VideoSegments`` per ``(video_id, run_id)`` target: every segment of the video (by
    start time), or only those of ``run_id`` when given; at most ``MAX_BATCH_SEGMENTS`` in
    all, a target cut short continuing from its cursor (``segment_pages``)."""
    wanted = unique(targets)
    found = r.catalog.get_videos(user_id, unique(v for v, _ in wanted))
    present = [(v, run) for v, run in wanted if v in found]
    runs = {run for _, run in present}
    only_run = next(iter(runs)) if len(runs) == 1 else None  # one run for all: ask the store
    segments: dict[str, list[SegmentRecord]] = {}
    video_ids = unique(v for v, _ in present)
    if video_ids:
        for segment in r.catalog.segments_of_videos(user_id, video_ids, run_id=only_run):
            segments.setdefault(segment.video_id, []).append(segment)
    answer: list[dict[str, Any]] = []
    for video_id, run_id in present:
        chosen = [
            segment_body(s)
            for s in segments.get(video_id, [])
            if run_id is None or s.from_run_id == run_id
        ]
        answer.append({"video_id": video_id, "run_id": run_id, "segments": chosen})
    bodies = page_segments(answer, cursors or {}, MAX_BATCH_SEGMENTS)
    attach_markers(r.markers, user_id, segments=bodies)
    types = {v: found[v].media_type.value for v in video_ids}
    fill_preview_urls(r, user_id, [], bodies, media_types=types)
    return answer


def playground_videos(
    r: CatalogReaders, user_id: str, limit: int, cursor: str | None
) -> Page[dict[str, Any]]:
    """The caller's index-less media, newest first."""
    after = None
    if cursor is not None:
        position = decode_cursor(PLAYGROUND_CURSOR, cursor, {"t": str, "id": CursorId})
        after = (_cursor_time(position["t"]), position["id"])
    fetched = r.catalog.playground_videos(user_id, limit + 1, after)
    page = paginate(
        fetched,
        limit,
        PLAYGROUND_CURSOR,
        lambda v: {"t": to_iso(v.created_at), "id": v.video_id},
    )
    bodies = [video_body(v) for v in page.items]
    attach_markers(r.markers, user_id, videos=bodies)
    fill_preview_urls(r, user_id, bodies, [])
    return Page(bodies, page.limit, page.has_more, page.next_cursor)


def _cursor_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidRequest(
            "The cursor is malformed or belongs to another list.",
            code="invalid_cursor",
            details={"field": "cursor"},
        )
    return moment
