"""Put each user's markers onto the videos, segments and search results a response carries.

Each gets ``marker`` (an empty ``MarkerInfo`` when there is none, as the SDK defaults it);
segments also get ``metadata_markers`` and search results ``extracted_metadata_markers``:
field path → ``MarkerInfo`` for markers on their extracted fields.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.domain.markers import Marker, TargetType
from shared.domain.ports import MarkerRepository
from shared.domain.resources.base import MarkerInfo
from shared.domain.resources.markers import marker_info
from shared.domain.resources.media import Segment, VideoWithDetails
from shared.domain.resources.search import SearchResult


def attach_markers(
    repo: MarkerRepository,
    user_id: str,
    videos: Sequence[VideoWithDetails] = (),
    segments: Sequence[Segment] = (),
    results: Sequence[SearchResult] = (),
) -> None:
    """Set the markers in place, with one store read per 30 targets."""
    segment_ids = [s.segment_id for s in segments] + [r.segment_id for r in results]
    target_ids = [v.video_id for v in videos] + segment_ids
    if target_ids:
        found = read_markers(repo, user_id, target_ids)
        put_markers(found, videos=videos, segments=segments, results=results)


def read_markers(repo: MarkerRepository, user_id: str, target_ids: Sequence[str]) -> list[Marker]:
    """The user's markers on these targets (any ids: markers of other targets are ignored by
    ``put_markers``), so a caller can read them beside its other reads."""
    unique_ids = list(dict.fromkeys(target_ids))
    return repo.for_targets(user_id, unique_ids) if unique_ids else []


def put_markers(
    markers: Sequence[Marker],
    videos: Sequence[VideoWithDetails] = (),
    segments: Sequence[Segment] = (),
    results: Sequence[SearchResult] = (),
) -> None:
    """Set ``markers`` (read by ``read_markers``) in place; no I/O."""
    by_target: dict[tuple[str, str], Marker] = {}
    fields_by_segment: dict[str, dict[str, MarkerInfo]] = {}
    for marker in markers:
        target = marker.target
        if target.target_type is TargetType.EXTRACTED_FIELD and target.field_path:
            fields = fields_by_segment.setdefault(target.target_id, {})
            fields[target.field_path] = marker_info(marker)
        else:
            by_target[(target.target_type, target.target_id)] = marker

    def info(target_type: TargetType, target_id: str) -> MarkerInfo:
        found = by_target.get((target_type, target_id))
        return marker_info(found) if found else MarkerInfo()

    for video in videos:
        video.marker = info(TargetType.VIDEO, video.video_id)
    for segment in segments:
        segment.marker = info(TargetType.SEGMENT, segment.segment_id)
        segment.metadata_markers = fields_by_segment.get(segment.segment_id, {})
    for result in results:
        result.marker = info(TargetType.SEGMENT, result.segment_id)
        result.extracted_metadata_markers = fields_by_segment.get(result.segment_id, {})
