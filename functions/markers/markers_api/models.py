"""Request models of the markers endpoints, with their limits named."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from shared.clock import to_iso
from shared.domain.colors import normalize_color
from shared.domain.field_paths import FIELD_PATH_RE, MAX_FIELD_PATH_LENGTH
from shared.domain.identifiers import ID_PATTERN, MAX_ID_LENGTH
from shared.domain.markers import Marker, TargetType
from shared.http.validation import StrictModel
from shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, PaginationInfo

MAX_NOTE_LENGTH = 2000

RecordId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)]
FieldPath = Annotated[
    str, StringConstraints(pattern=FIELD_PATH_RE.pattern, max_length=MAX_FIELD_PATH_LENGTH)
]
Color = Annotated[str, StringConstraints(max_length=32), AfterValidator(normalize_color)]


class MarkerUpsertRequest(StrictModel):
    target_type: TargetType
    target_id: RecordId
    field_path: FieldPath | None = None
    color: Color | None = None
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    video_id: RecordId | None = None
    run_id: RecordId | None = None

    @model_validator(mode="after")
    def _field_path_only_for_extracted_fields(self) -> MarkerUpsertRequest:
        needs_path = self.target_type is TargetType.EXTRACTED_FIELD
        if needs_path and self.field_path is None:
            raise ValueError("field_path is required when target_type is extracted_field")
        if not needs_path and self.field_path is not None:
            raise ValueError("field_path is only allowed when target_type is extracted_field")
        return self


class MarkerListQuery(StrictModel):
    target_type: TargetType | None = None
    target_id: RecordId | None = None
    video_id: RecordId | None = None
    run_id: RecordId | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=1024)


class MarkerResponse(BaseModel):
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


class MarkerListResponse(BaseModel):
    data: list[MarkerResponse]
    pagination: PaginationInfo


def marker_body(marker: Marker) -> dict[str, Any]:
    return {
        "marker_id": marker.marker_id,
        "target_type": marker.target.target_type.value,
        "target_id": marker.target.target_id,
        "field_path": marker.target.field_path,
        "color": marker.color,
        "note": marker.note,
        "video_id": marker.video_id,
        "run_id": marker.run_id,
        "created_at": to_iso(marker.created_at),
        "updated_at": to_iso(marker.updated_at),
    }
