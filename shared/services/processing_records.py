"""Building and moving the records one processing job writes: the video, its segments and
the run's per-segment progress."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from shared.domain.media_analysis import MediaProbe
from shared.domain.records import (
    MediaType,
    RunStatus,
    RunVideoStatus,
    SegmentRecord,
    SegmentRunStatus,
    SegmentStatus,
    VideoRecord,
    VideoStatus,
)

REFERENCE_PROMPT_ID = "reference-features-v1"


@dataclass(frozen=True)
class MediaUpload:
    """One finalized object in the media bucket, as the worker's trigger describes it."""

    uri: str
    generation: str
    user_id: str
    video_id: str
    file_name: str
    size_bytes: int = 0
    content_type: str | None = None
    title: str | None = None
    index_id: str | None = None


def run_id_for(video_id: str, version: str) -> str:
    digest = hashlib.sha256(f"{video_id}@{version}".encode()).hexdigest()[:20]
    return f"run_{digest}"


def segment_id_for(video_id: str, index: int) -> str:
    return f"{video_id}-s{index:04d}"


def guessed_media_type(upload: MediaUpload) -> MediaType:
    """Before the probe: the declared content type (the probe has the last word)."""
    kind = (upload.content_type or "").split("/")[0]
    return {"audio": MediaType.AUDIO, "image": MediaType.IMAGE}.get(kind, MediaType.VIDEO)


def new_video(upload: MediaUpload, now: datetime) -> VideoRecord:
    return VideoRecord(
        video_id=upload.video_id,
        user_id=upload.user_id,
        title=upload.title or upload.file_name,
        video_uri=upload.uri,
        media_type=guessed_media_type(upload),
        status=VideoStatus.NOT_PROCESSED,
        created_at=now,
        updated_at=now,
        index_id=upload.index_id,
        size_bytes=upload.size_bytes or None,
        media_version=upload.generation,
    )


def apply_probe(video: VideoRecord, probe: MediaProbe, duration: float, now: datetime) -> None:
    video.media_type = probe.media_type
    video.duration_seconds = round(duration, 3) if probe.media_type is not MediaType.IMAGE else None
    video.width, video.height, video.fps = probe.width, probe.height, probe.fps
    video.updated_at = now


def new_segments(
    video: VideoRecord, run_id: str, spans: list[tuple[float, float]], now: datetime
) -> list[SegmentRecord]:
    return [
        SegmentRecord(
            segment_id=segment_id_for(video.video_id, i),
            video_id=video.video_id,
            user_id=video.user_id,
            start_time=start,
            end_time=end,
            created_at=now,
            index_id=video.index_id,
            gcs_uri=video.video_uri,
            from_run_id=run_id,
        )
        for i, (start, end) in enumerate(spans)
    ]


def new_run(
    video: VideoRecord, run_id: str, segments: list[SegmentRecord], now: datetime
) -> RunVideoStatus:
    return RunVideoStatus(
        run_id=run_id,
        video_id=video.video_id,
        user_id=video.user_id,
        status=RunStatus.PROCESSING,
        created_at=now,
        updated_at=now,
        prompt_id=REFERENCE_PROMPT_ID,
        index_id=video.index_id,
        segments=[
            SegmentRunStatus(s.segment_id, SegmentStatus.PENDING, s.start_time, s.end_time)
            for s in segments
        ],
    )


def mark_run_segment(
    run: RunVideoStatus, segment: SegmentRecord, status: SegmentStatus, now: datetime
) -> None:
    for entry in run.segments:
        if entry.segment_id == segment.segment_id:
            entry.status = status
            if status is SegmentStatus.PROCESSING:
                entry.started_at = now
            elif status in (SegmentStatus.COMPLETED, SegmentStatus.FAILED):
                entry.completed_at = now
                entry.error_message = segment.error_message
    run.updated_at = now


def final_run_status(run: RunVideoStatus) -> RunStatus:
    failed = run.count(SegmentStatus.FAILED)
    if failed == 0:
        return RunStatus.COMPLETED
    return RunStatus.FAILED if failed == len(run.segments) else RunStatus.COMPLETED_WITH_FAILURES
