"""Request and response models of the stream-token endpoint, with their limits named."""

from __future__ import annotations

from pydantic import Field

from shared.domain.events import EventType
from shared.http.validation import RecordId, StrictModel
from shared.services.stream_tokens import StreamFilters

MAX_FILTER_VALUES = 100  # as the stream endpoint itself


class StreamTokenRequest(StrictModel):
    """The filters the stream will be opened with; the token is good for exactly these."""

    run_id: RecordId | None = None
    index_id: RecordId | None = None
    video_ids: list[RecordId] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    event_types: list[EventType] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)

    def filters(self) -> StreamFilters:
        return StreamFilters.of(self.run_id, self.index_id, self.video_ids, self.event_types)
