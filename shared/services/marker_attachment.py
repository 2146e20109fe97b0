"""Put each user's markers onto the video and segment records a response carries.

Videos and segments get ``marker`` (an empty ``MarkerInfo`` when there is none, as the SDK
defaults it); segments also get ``metadata_markers``: field path → ``MarkerInfo`` for markers
on their extracted fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.clock import to_iso
from shared.domain.markers import Marker, TargetType
from shared.domain.ports import MarkerRepository


def marker_info(marker: Marker) -> dict[str, Any]:
    """The SDK's ``MarkerInfo`` shape."""
    return {
        "marker_id": marker.marker_id,
        "color": marker.color,
        "note": marker.note,
        "updated_at": to_iso(marker.updated_at),
    }


EMPTY_MARKER: dict[str, Any] = {"marker_id": None, "color": None, "note": None, "updated_at": None}


def attach_markers(
    repo: MarkerRepository,
    user_id: str,
    videos: Sequence[dict[str, Any]] = (),
    segments: Sequence[dict[str, Any]] = (),
) -> None:
    """Set ``marker`` / ``metadata_markers`` in place, with one store read per 30 targets."""
    target_ids = [v["video_id"] for v in videos] + [s["segment_id"] for s in segments]
    if not target_ids:
        return
    by_target: dict[tuple[str, str], Marker] = {}
    fields_by_segment: dict[str, dict[str, dict[str, Any]]] = {}
    for marker in repo.for_targets(user_id, list(dict.fromkeys(target_ids))):
        target = marker.target
        if target.target_type is TargetType.EXTRACTED_FIELD and target.field_path:
            fields = fields_by_segment.setdefault(target.target_id, {})
            fields[target.field_path] = marker_info(marker)
        else:
            by_target[(target.target_type, target.target_id)] = marker
    for video in videos:
        found = by_target.get((TargetType.VIDEO, video["video_id"]))
        video["marker"] = marker_info(found) if found else dict(EMPTY_MARKER)
    for segment in segments:
        found = by_target.get((TargetType.SEGMENT, segment["segment_id"]))
        segment["marker"] = marker_info(found) if found else dict(EMPTY_MARKER)
        segment["metadata_markers"] = fields_by_segment.get(segment["segment_id"], {})
