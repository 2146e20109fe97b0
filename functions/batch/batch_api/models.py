"""Request models of the batch endpoints, with their limits named."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.http.validation import RecordId, StrictModel
from shared.pagination import MAX_CURSOR_LENGTH
from shared.services.catalog import MAX_BATCH_SEGMENT_TARGETS, MAX_BATCH_VIDEOS


class BatchVideosRequest(StrictModel):
    video_ids: list[RecordId] = Field(min_length=1, max_length=MAX_BATCH_VIDEOS)


class SegmentsTarget(StrictModel):
    video_id: RecordId
    run_id: RecordId | None = None
    # A target's ``next_cursor`` from an answer that cut it short (at most
    # MAX_BATCH_SEGMENTS segments an answer).
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class BatchSegmentsRequest(StrictModel):
    """Either ``video_ids`` or ``targets`` (never both, never empty)."""

    video_ids: list[RecordId] | None = Field(
        default=None, min_length=1, max_length=MAX_BATCH_SEGMENT_TARGETS
    )
    targets: list[SegmentsTarget] | None = Field(
        default=None, min_length=1, max_length=MAX_BATCH_SEGMENT_TARGETS
    )

    @model_validator(mode="after")
    def _exactly_one_form(self) -> BatchSegmentsRequest:
        if (self.video_ids is None) == (self.targets is None):
            raise ValueError("send exactly one of video_ids or targets")
        return self

    def target_cursors(self) -> dict[tuple[str, str | None], str]:
        return {(t.video_id, t.run_id): t.cursor for t in self.targets or [] if t.cursor}

    def target_pairs(self) -> list[tuple[str, str | None]]:
        if self.targets is not None:
            return [(t.video_id, t.run_id) for t in self.targets]
        return [(v, None) for v in self.video_ids or []]


class MarkerInfo(BaseModel):
    marker_id: str | None
    color: str | None
    note: str | None
    updated_at: str | None


class RunSnapshot(BaseModel):
    """The SDK's ``PromptRunProcessingStatus``."""

    run_id: str
    prompt_id: str | None
    status: str
    total_segments: int
    pending_segments: int
    processing_segments: int
    successful_segments: int
    failed_segments: int
    created_at: str | None
    updated_at: str | None
    segments: list[dict[str, Any]]


class VideoWithDetails(BaseModel):
    video_id: str
    title: str
    video_uri: str
    media_type: str
    status: str
    processing_status: list[RunSnapshot] | None
    created_at: str
    updated_at: str
    metadata_keys: list[str]
    marker: MarkerInfo
    gif_data: str | None
    first_thumbnail: str | None


class VideoStatus(BaseModel):
    video_id: str
    status: str
    processing_status: list[RunSnapshot]


class VideoSegments(BaseModel):
    video_id: str
    run_id: str | None
    segments: list[dict[str, Any]]
    # Beyond the SDK's VideoSegments (which ignores them): the answer's bound was reached
    # before this target's last segment; send next_cursor as the target's cursor for more.
    truncated: bool
    next_cursor: str | None
