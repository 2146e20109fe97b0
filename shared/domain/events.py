"""Processing lifecycle events, as publishers send them and the stream delivers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    MEDIA_CREATED = "media.created"
    MEDIA_PROCESSING_STARTED = "media.processing.started"
    MEDIA_PROCESSING_COMPLETED = "media.processing.completed"
    MEDIA_PROCESSING_FAILED = "media.processing.failed"
    PROMPT_RUN_STARTED = "prompt_run.started"
    PROMPT_RUN_PROGRESS = "prompt_run.progress"
    PROMPT_RUN_COMPLETED = "prompt_run.completed"
    PROMPT_RUN_PARTIAL_COMPLETED = "prompt_run.partial_completed"
    PROMPT_RUN_FAILED = "prompt_run.failed"
    PROMPT_RUN_CANCELLED = "prompt_run.cancelled"
    SEGMENT_PROCESSING_COMPLETED = "segment.processing.completed"
    SEGMENT_PROCESSING_FAILED = "segment.processing.failed"
    MEDIA_PREVIEW_READY = "media.preview.ready"


# The event stream (CONTRACT.md): its path, and the event that ends a stream in-band; the
# relay serves them, the stream client reads them.
STREAM_PATH = "/api/v2/processing/events/stream"
STREAM_ERROR_EVENT = "processing.stream_error"


@dataclass(frozen=True)
class OutgoingEvent:
    """What a pipeline publishes on the ``processing-events`` topic.

    ``event_key`` is the publisher's own deduplication key: the same key is stored once.
    """

    event_type: EventType
    user_id: str
    event_key: str
    created_at: datetime
    run_id: str | None = None
    video_id: str | None = None
    segment_id: str | None = None
    index_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
