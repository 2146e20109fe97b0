"""Videos, their prompt-run snapshots and segments, as the SDK reads them: ``Video`` /
``VideoWithDetails``, ``VideoStatus``, ``PromptRunProcessingStatus``, ``Segment`` and
``VideoSegments``. Markers and preview URLs are set afterwards, for a whole response at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from shared.clock import to_iso
from shared.domain.records import (
    RunVideoStatus,
    SegmentRecord,
    SegmentRunStatus,
    SegmentStatus,
    VideoRecord,
)
from shared.domain.resources.base import MarkerInfo, PaginationInfo, ResponseModel


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment is not None else None


class SegmentRunProcessingStatus(ResponseModel):
    """One segment's state inside one prompt run."""

    segment_id: str
    video_id: str | None
    status: str
    start_time: float | None
    end_time: float | None
    started_at: str | None
    completed_at: str | None
    error_message: str | None
    updated_at: str | None = None
    failure_stage: str | None = None
    attempt_id: str | None = None

    @classmethod
    def of(cls, video_id: str, s: SegmentRunStatus) -> SegmentRunProcessingStatus:
        return cls(
            segment_id=s.segment_id,
            video_id=video_id,
            status=s.status.value,
            start_time=s.start_time,
            end_time=s.end_time,
            started_at=_iso(s.started_at),
            completed_at=_iso(s.completed_at),
            error_message=s.error_message,
        )


class VideoLevelProcessingStatus(ResponseModel):
    """Video-level extraction progress (no run here extracts at video level: always null)."""

    status: str
    result_available: bool = False
    successful_segment_count: int = 0
    failed_segment_count: int = 0
    started_at: str | None = None
    completed_at: str | None = None
    updated_at: str | None = None
    error_message: str | None = None
    attempt_id: str | None = None


class RunSnapshot(ResponseModel):
    """The SDK's ``PromptRunProcessingStatus``: counters and one entry per segment."""

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
    segments: list[SegmentRunProcessingStatus]
    attempt_id: str | None = None
    video_level: VideoLevelProcessingStatus | None = None

    @classmethod
    def of(cls, run: RunVideoStatus) -> RunSnapshot:
        return cls(
            run_id=run.run_id,
            prompt_id=run.prompt_id,
            status=run.status.value,
            total_segments=len(run.segments),
            pending_segments=run.count(SegmentStatus.PENDING),
            processing_segments=run.count(SegmentStatus.PROCESSING),
            successful_segments=run.count(SegmentStatus.COMPLETED),
            failed_segments=run.count(SegmentStatus.FAILED),
            created_at=_iso(run.created_at),
            updated_at=_iso(run.updated_at),
            segments=[SegmentRunProcessingStatus.of(run.video_id, s) for s in run.segments],
        )


class VideoWithDetails(ResponseModel):
    """The SDK's ``VideoWithDetails`` (its ``Video`` plus preview URLs): what the batch and
    the playground listing send. ``processing_status`` is null in the listing."""

    video_id: str
    title: str
    video_uri: str
    media_type: str
    status: str
    processing_status: list[RunSnapshot] | None
    created_at: str
    updated_at: str | None
    metadata_keys: list[str] | None
    index_id: str | None  # beyond the SDK: null for playground media
    duration_seconds: float | None  # beyond the SDK, as probed
    width: int | None  # beyond the SDK
    height: int | None  # beyond the SDK
    fps: float | None  # beyond the SDK
    gif_data: str | None = None  # a keyless preview link (decision 030); null for audio, image
    first_thumbnail: str | None = None  # a keyless preview link
    marker: MarkerInfo = Field(default_factory=MarkerInfo)

    @classmethod
    def of(cls, video: VideoRecord, runs: list[RunVideoStatus] | None = None) -> VideoWithDetails:
        return cls(
            video_id=video.video_id,
            title=video.title,
            video_uri=video.video_uri,
            media_type=video.media_type.value,
            status=video.status.value,
            processing_status=[RunSnapshot.of(r) for r in runs] if runs is not None else None,
            created_at=to_iso(video.created_at),
            updated_at=to_iso(video.updated_at),
            metadata_keys=list(video.metadata_keys),
            index_id=video.index_id,
            duration_seconds=video.duration_seconds,
            width=video.width,
            height=video.height,
            fps=video.fps,
        )


class VideoStatus(ResponseModel):
    """The SDK's ``VideoStatus``: overall status and one snapshot per prompt run."""

    video_id: str
    status: str
    processing_status: list[RunSnapshot]

    @classmethod
    def of(cls, video: VideoRecord, runs: list[RunVideoStatus]) -> VideoStatus:
        return cls(
            video_id=video.video_id,
            status=video.status.value,
            processing_status=[RunSnapshot.of(r) for r in runs],
        )


class Segment(ResponseModel):
    """The SDK's ``Segment``."""

    segment_id: str
    video_id: str
    start_time: float
    end_time: float
    gcs_uri: str | None
    thumbnail_uri: str | None = None  # a keyless preview link
    gif_uri: str | None = None  # a keyless preview link; null for audio and images
    thumbnail_available: bool = False
    gif_available: bool = False
    processed: bool
    processing_failed: bool
    segment_status: str
    failure_stage: str | None
    error_message: str | None
    metadata: dict[str, Any] | None
    metadata_text: str | None
    created_at: str | None
    processed_at: str | None
    from_run_id: str | None
    marker: MarkerInfo = Field(default_factory=MarkerInfo)
    metadata_markers: dict[str, MarkerInfo] = Field(default_factory=dict)
    thumbnail_gcs_uri: str | None = None
    gif_gcs_uri: str | None = None
    failure_message: str | None = None
    attempt_id: str | None = None
    status_source: str | None = None
    processing_warning: str | None = None
    thumbnail_data: str | None = None
    gif_data: str | None = None
    field_extraction_succeeded: bool | None = None
    transcription_succeeded: bool | None = None
    image_embedding_succeeded: bool | None = None
    field_extraction_error: str | None = None
    transcription_error: str | None = None
    image_embedding_error: str | None = None

    @classmethod
    def of(cls, segment: SegmentRecord) -> Segment:
        status = segment.segment_status
        return cls(
            segment_id=segment.segment_id,
            video_id=segment.video_id,
            start_time=segment.start_time,
            end_time=segment.end_time,
            gcs_uri=segment.gcs_uri,
            processed=status is SegmentStatus.COMPLETED,
            processing_failed=status is SegmentStatus.FAILED,
            segment_status=status.value,
            failure_stage=segment.failure_stage,
            error_message=segment.error_message,
            metadata=segment.metadata,
            metadata_text=segment.metadata_text,
            created_at=to_iso(segment.created_at),
            processed_at=_iso(segment.processed_at),
            from_run_id=segment.from_run_id,
        )


class VideoSegments(ResponseModel):
    """The SDK's ``VideoSegments``: one media's segments, of ``run_id`` when not null."""

    video_id: str
    run_id: str | None
    segments: list[Segment]
    # Beyond the SDK's VideoSegments (which ignores them): the answer's bound was reached
    # before this target's last segment; send next_cursor as the target's cursor for more.
    truncated: bool = False
    next_cursor: str | None = None


class PlaygroundVideoList(ResponseModel):
    data: list[VideoWithDetails]
    pagination: PaginationInfo
