"""Request models of the batch endpoints, with their limits named."""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.http.validation import RecordId, StrictModel
from shared.pagination import MAX_CURSOR_LENGTH

# Limits named in the model, the edge (importing them from the catalog service loaded the
# whole service, preview links and their cipher included, before a function's first answer).
MAX_BATCH_VIDEOS = 100
MAX_BATCH_SEGMENT_TARGETS = 50


class BatchVideosRequest(StrictModel):
    video_ids: list[RecordId] = Field(min_length=1, max_length=MAX_BATCH_VIDEOS)


class SegmentsTarget(StrictModel):
    """One media and one of its runs; without ``run_id``, its latest completed run."""

    video_id: RecordId
    run_id: RecordId | None = None
    # A target's ``next_cursor`` from an answer that cut it short (at most
    # MAX_BATCH_SEGMENTS segments an answer, decision 012).
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
