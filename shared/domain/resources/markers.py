"""Markers as ``/api/v2/markers`` sends them (the SDK has no marker resource: our contract)."""

from __future__ import annotations

from shared.clock import to_iso
from shared.domain.markers import Marker, TargetType
from shared.domain.resources.base import MarkerInfo, PaginationInfo, ResponseModel


class MarkerResponse(ResponseModel):
    marker_id: str
    target_type: TargetType
    target_id: str
    field_path: str | None
    color: str | None
    note: str | None
    video_id: str | None
    run_id: str | None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, marker: Marker) -> MarkerResponse:
        return cls(
            marker_id=marker.marker_id,
            target_type=marker.target.target_type,
            target_id=marker.target.target_id,
            field_path=marker.target.field_path,
            color=marker.color,
            note=marker.note,
            video_id=marker.video_id,
            run_id=marker.run_id,
            created_at=to_iso(marker.created_at),
            updated_at=to_iso(marker.updated_at),
        )


class MarkerListResponse(ResponseModel):
    data: list[MarkerResponse]
    pagination: PaginationInfo


def marker_info(marker: Marker) -> MarkerInfo:
    """The SDK's ``MarkerInfo`` of a marker, as videos, segments and results carry it."""
    return MarkerInfo(
        marker_id=marker.marker_id,
        color=marker.color,
        note=marker.note,
        updated_at=to_iso(marker.updated_at),
    )
