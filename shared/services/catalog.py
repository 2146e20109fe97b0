"""Batch reads of the caller's media, and the playground listing.

Each batch costs a constant number of store round trips per request: one batch get of the
videos, then ``in`` queries chunked at the store's limit (runs, segments, markers). Reads that
do not depend on each other go out together (decision 045): a batch of videos or statuses
waits for one round trip, a batch of segments for two (its markers need the segment ids).
Results keep the request's order, name each id once, and leave out ids that are unknown,
deleted or someone else's (they read exactly alike); every query is filtered by the owner, so
reading beside the batch get, before ownership is known, reads nothing of anyone else's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from shared.clock import to_iso
from shared.domain.ports import MarkerRepository, MediaCatalog
from shared.domain.records import RunVideoStatus, SegmentRecord, latest_completed_run
from shared.domain.resources.media import Segment, VideoSegments, VideoStatus, VideoWithDetails
from shared.errors import InvalidRequest
from shared.fan_out import concurrently
from shared.pagination import CursorId, Page, decode_cursor, paginate
from shared.services.marker_attachment import attach_markers, put_markers, read_markers
from shared.services.preview_links import PreviewLinks
from shared.services.previews import fill_preview_urls
from shared.services.segment_pages import MAX_BATCH_SEGMENTS, page_segments, read_position

PLAYGROUND_CURSOR = "playground_videos"
T = TypeVar("T")


class CatalogReaders(Protocol):
    """The ports the reads below need: a ``CatalogService`` (built in the composition root)."""

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


def batch_videos(
    r: CatalogReaders, user_id: str, video_ids: Sequence[str]
) -> list[VideoWithDetails]:
    """``VideoWithDetails`` per known id, with run snapshots, marker and preview URLs."""
    ids = unique(video_ids)
    found, runs, markers = concurrently(
        lambda: r.catalog.get_videos(user_id, ids),
        lambda: _runs_by_video(r.catalog, user_id, ids),
        lambda: read_markers(r.markers, user_id, ids),
    )
    bodies = [VideoWithDetails.of(found[v], runs[v]) for v in ids if v in found]
    put_markers(markers, videos=bodies)
    fill_preview_urls(r, user_id, bodies, [])
    return bodies


def batch_statuses(r: CatalogReaders, user_id: str, video_ids: Sequence[str]) -> list[VideoStatus]:
    """``VideoStatus`` per known id: overall status and one snapshot per prompt run."""
    ids = unique(video_ids)
    found, runs = concurrently(
        lambda: r.catalog.get_videos(user_id, ids),
        lambda: _runs_by_video(r.catalog, user_id, ids),
    )
    return [VideoStatus.of(found[v], runs[v]) for v in ids if v in found]


def batch_segments(
    r: CatalogReaders, user_id: str, video_ids: Sequence[str]
) -> list[VideoSegments]:
    """``VideoSegments`` per video id: every segment of the video, by start time, with
    ``run_id`` null; at most ``MAX_BATCH_SEGMENTS`` in all (``segment_pages``)."""
    return _segment_groups(r, user_id, [(v, None) for v in video_ids], {}, every_run=True)


def batch_segments_for_targets(
    r: CatalogReaders,
    user_id: str,
    targets: Sequence[tuple[str, str | None]],
    cursors: Mapping[tuple[str, str | None], str] | None = None,
) -> list[VideoSegments]:
    """``VideoSegments`` per ``(video_id, run_id)`` target: the segments of that run. A target
    without a run means the media's latest completed run (decision 042), named in the answer;
    a media with no completed run gets an empty group with ``run_id`` null. A target's cursor
    continues it where an earlier answer cut it short, in the run that answer chose."""
    return _segment_groups(r, user_id, targets, cursors or {}, every_run=False)


def _segment_groups(
    r: CatalogReaders,
    user_id: str,
    targets: Sequence[tuple[str, str | None]],
    cursors: Mapping[tuple[str, str | None], str],
    every_run: bool,
) -> list[VideoSegments]:
    wanted = unique(targets)
    requested = unique(v for v, _ in wanted)
    positions = {t: read_position(t, cursors[t]) for t in wanted if t in cursors}
    # Per target: whether it takes every run (the video_ids form, or a cursor from that form),
    # and its run; a cursor pins the run its first page resolved to (decision 012).
    every = {t: every_run or (t in positions and positions[t].run_id is None) for t in wanted}
    pinned = {t: positions[t].run_id if t in positions else t[1] for t in wanted}
    unresolved = unique(v for v, run in wanted if not every[(v, run)] and not pinned[(v, run)])
    named = {pinned[t] for t in wanted}
    # The store filters by run only when one run, known before reading, covers every target;
    # otherwise the videos' segments of every run are read beside the run snapshots that
    # resolve the targets, and sorted out here (decision 045: a round trip less, some reads more).
    only_run = next(iter(named)) if len(named) == 1 and not unresolved else None
    found, latest, fetched = concurrently(
        lambda: r.catalog.get_videos(user_id, requested),
        lambda: _latest_completed_runs(r.catalog, user_id, unresolved) if unresolved else {},
        lambda: r.catalog.segments_of_videos(user_id, requested, run_id=only_run),
    )
    present = [t for t in wanted if t[0] in found]
    runs = {t: None if every[t] else pinned[t] or latest.get(t[0]) for t in present}
    video_ids = unique(v for v, run in present if every[(v, run)] or runs[(v, run)] is not None)
    segments: dict[str, list[SegmentRecord]] = {}
    for segment in fetched:
        segments.setdefault(segment.video_id, []).append(segment)
    answer: list[VideoSegments] = []
    for target in present:
        run_id = runs[target]
        chosen = [
            Segment.of(s)
            for s in segments.get(target[0], [])
            if every[target] or (run_id is not None and s.from_run_id == run_id)
        ]
        answer.append(VideoSegments(video_id=target[0], run_id=run_id, segments=chosen))
    at = {i: positions[t] for i, t in enumerate(present) if t in positions}
    page_segments(answer, at, MAX_BATCH_SEGMENTS)
    bodies = [s for group in answer for s in group.segments]
    attach_markers(r.markers, user_id, segments=bodies)  # the second wait: needs segment ids
    types = {v: found[v].media_type.value for v in video_ids}
    fill_preview_urls(r, user_id, [], bodies, media_types=types)
    return answer


def _latest_completed_runs(
    catalog: MediaCatalog, user_id: str, video_ids: Sequence[str]
) -> dict[str, str]:
    """Video id → the run id of its latest completed run, for those that have one."""
    latest: dict[str, str] = {}
    for video_id, runs in _runs_by_video(catalog, user_id, unique(video_ids)).items():
        run = latest_completed_run(runs)
        if run is not None:
            latest[video_id] = run.run_id
    return latest


def playground_videos(
    r: CatalogReaders, user_id: str, limit: int, cursor: str | None
) -> Page[VideoWithDetails]:
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
    bodies = [VideoWithDetails.of(v) for v in page.items]
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


@dataclass(frozen=True)
class CatalogService:
    """The catalog's reads, one call per handler; built in ``shared/bootstrap.py`` (decision
    009). It holds the ports the functions above read: it is their ``CatalogReaders``."""

    catalog: MediaCatalog
    markers: MarkerRepository
    preview_links: PreviewLinks

    # The use cases are this module's functions; the service is the ports (``r``) they read.
    batch_videos = batch_videos
    batch_statuses = batch_statuses
    batch_segments = batch_segments
    batch_segments_for_targets = batch_segments_for_targets
    playground_videos = playground_videos
