"""A processing job and how it ends: its ports and options, the outcome the trigger acts on,
and the records and events of a finished, failed or refused job (shared/services/processing.py
runs it)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.clock import utcnow
from shared.domain.events import EventType
from shared.domain.ports import (
    EventPublisher,
    MediaAnalyzer,
    MediaCatalog,
    MediaStore,
    TextEmbedder,
)
from shared.domain.records import RunStatus, RunVideoStatus, SegmentRecord, VideoRecord, VideoStatus
from shared.domain.segmentation import SegmentBounds
from shared.services.event_publishing import MediaEventPublisher
from shared.services.processing_records import final_run_status

logger = logging.getLogger("videovector.processing")

FINAL_RUN_EVENTS = {
    RunStatus.COMPLETED: EventType.PROMPT_RUN_COMPLETED,
    RunStatus.COMPLETED_WITH_FAILURES: EventType.PROMPT_RUN_PARTIAL_COMPLETED,
    RunStatus.FAILED: EventType.PROMPT_RUN_FAILED,
}


class Outcome(StrEnum):
    PROCESSED = "processed"
    FAILED = "failed"
    ALREADY_DONE = "already_done"  # a redelivery of a finished job
    SUPERSEDED = "superseded"  # a newer version of the file was processed already
    REFUSED = "refused"  # the video id is another user's: nothing of theirs was touched


REFUSED_REASON = (
    "This video id belongs to another user; nothing was changed. Upload under a new video id."
)


@dataclass
class ProcessingPorts:
    media: MediaStore
    analyzer: MediaAnalyzer
    catalog: MediaCatalog
    events: EventPublisher
    embedder: TextEmbedder
    clock: Callable[[], datetime] = utcnow


@dataclass(frozen=True)
class ProcessingOptions:
    bounds: SegmentBounds = field(default_factory=SegmentBounds)
    progress_updates: int = 10  # at most this many progress steps (writes and events) per run


@dataclass
class Job:
    ports: ProcessingPorts
    options: ProcessingOptions
    video: VideoRecord
    events: MediaEventPublisher
    timings: dict[str, float] = field(default_factory=dict)

    def save_video(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self.video, name, value)
        self.video.updated_at = self.ports.clock()
        self.ports.catalog.put_video(self.video)


def finish(job: Job, run: RunVideoStatus, segments: list[SegmentRecord]) -> Outcome:
    run.status = final_run_status(run)
    run.updated_at = job.ports.clock()
    job.ports.catalog.put_run_status(run)
    job.events.run(FINAL_RUN_EVENTS[run.status], run)
    if run.status is RunStatus.FAILED:
        reason = segments[0].error_message or "No part of the media could be analysed."
        return fail_media(job, reason, "features", run_id=run.run_id)
    keys = sorted({key for s in segments for key in s.metadata})
    job.save_video(status=VideoStatus.PROCESSED, metadata_keys=keys, error_message=None)
    payload = {**media_payload(job.video), "run_id": run.run_id, "segments": len(segments)}
    payload["timings"] = {k: round(v, 4) for k, v in job.timings.items()}
    job.events.media(EventType.MEDIA_PROCESSING_COMPLETED, payload, run_id=run.run_id)
    logger.info("processed %s: %s", job.video.video_id, payload)
    return Outcome.PROCESSED


def fail_media(job: Job, reason: str, stage: str, run_id: str | None = None) -> Outcome:
    job.save_video(status=VideoStatus.FAILED, error_message=reason)
    payload = {**media_payload(job.video), "reason": reason, "stage": stage, "run_id": run_id}
    job.events.media(EventType.MEDIA_PROCESSING_FAILED, payload, run_id=run_id)
    logger.warning("processing failed for %s at %s: %s", job.video.video_id, stage, reason)
    return Outcome.FAILED


def refuse(job: Job) -> Outcome:
    """Tell the uploader (its own event stream) why, and write nothing to the catalog."""
    video = job.video
    payload = {**media_payload(video), "status": VideoStatus.FAILED.value}
    job.events.media(
        EventType.MEDIA_PROCESSING_FAILED,
        {**payload, "reason": REFUSED_REASON, "stage": "ownership", "run_id": None},
    )
    logger.warning(
        "upload refused: video %s is another user's, uploader %s (%s)",
        video.video_id,
        video.user_id,
        video.video_uri,
        extra={"video_id": video.video_id, "outcome": Outcome.REFUSED.value},
    )
    return Outcome.REFUSED


def media_payload(video: VideoRecord) -> dict[str, Any]:
    return {
        "status": video.status.value,
        "title": video.title,
        "media_type": video.media_type.value,
        "video_uri": video.video_uri,
        "duration_seconds": video.duration_seconds,
    }
