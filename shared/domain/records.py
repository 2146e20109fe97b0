"""Records the processing pipeline writes and the utility endpoints read.

Shapes follow CONTRACT.md and the SDK's ``Video``, ``Segment`` and
``PromptRunProcessingStatus``. Every record carries its owner's ``user_id``; readers filter on
it so another user's record reads exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MediaType(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    IMAGE = "image"


class VideoStatus(StrEnum):
    NOT_PROCESSED = "not_processed"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"


class RunStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SegmentStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass
class VideoRecord:
    video_id: str
    user_id: str
    title: str
    video_uri: str  # gs://<media bucket>/<object>
    media_type: MediaType
    status: VideoStatus
    created_at: datetime
    updated_at: datetime
    index_id: str | None = None  # None: playground media
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    size_bytes: int | None = None
    media_version: str | None = None  # the object's generation: derived media key on it
    metadata_keys: list[str] = field(default_factory=list)
    error_message: str | None = None
    deleted: bool = False


@dataclass
class SegmentRecord:
    segment_id: str
    video_id: str
    user_id: str
    start_time: float
    end_time: float
    created_at: datetime
    index_id: str | None = None
    gcs_uri: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_text: str | None = None
    segment_status: SegmentStatus = SegmentStatus.PENDING
    from_run_id: str | None = None
    processed_at: datetime | None = None
    error_message: str | None = None
    failure_stage: str | None = None


@dataclass
class SegmentRunStatus:
    segment_id: str
    status: SegmentStatus
    start_time: float | None = None
    end_time: float | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error_message: str | None = None


@dataclass
class RunVideoStatus:
    """One prompt run's progress on one video (the SDK's ``PromptRunProcessingStatus``)."""

    run_id: str
    video_id: str
    user_id: str
    status: RunStatus
    created_at: datetime
    updated_at: datetime
    prompt_id: str | None = None
    index_id: str | None = None
    segments: list[SegmentRunStatus] = field(default_factory=list)

    def count(self, status: SegmentStatus) -> int:
        return sum(1 for s in self.segments if s.status is status)


FINISHED_WITH_SEGMENTS = frozenset({RunStatus.COMPLETED, RunStatus.COMPLETED_WITH_FAILURES})


def latest_completed_run(runs: Iterable[RunVideoStatus]) -> RunVideoStatus | None:
    """The run a target without ``run_id`` means (decision 042): among the media's runs that
    finished with segments (``completed`` or ``completed_with_failures``), the one that
    finished last (a finished snapshot's ``updated_at`` is when its last segment finished),
    ties to the greatest ``run_id``; ``None`` when no run has finished."""
    finished = [r for r in runs if r.status in FINISHED_WITH_SEGMENTS]
    return max(finished, key=lambda r: (r.updated_at, r.run_id), default=None)
