"""Request models of the markers endpoints, with their limits named."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from shared.domain.colors import normalize_color
from shared.domain.field_paths import FIELD_PATH_RE, MAX_FIELD_PATH_LENGTH
from shared.domain.identifiers import ID_PATTERN, MAX_ID_LENGTH
from shared.domain.markers import TargetType
from shared.http.validation import StrictModel
from shared.pagination import DEFAULT_LIMIT, MAX_LIMIT

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
