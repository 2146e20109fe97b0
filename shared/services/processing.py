"""The reference processing pipeline: one uploaded media file in, records and events out.

probe → segment → features → records → events, with the video status, the run's counters
and the segment statuses moving as the work progresses. A file that cannot be processed
ends ``failed`` with a readable reason and a ``media.processing.failed`` event; only a
dependency that is down (``ServiceUnavailable``) escapes, so the trigger retries it.

An upload under a video id that another user owns is refused before anything is written
(decision 011): the catalog will not overwrite another owner's records, the uploader gets a
``media.processing.failed`` event saying why, and the trigger is acknowledged.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

from shared.domain.events import EventType
from shared.domain.media_analysis import DecodedMedia, MediaProbe
from shared.domain.media_features import describe, segment_features
from shared.domain.records import (
    MediaType,
    RunVideoStatus,
    SegmentRecord,
    SegmentStatus,
    VideoStatus,
)
from shared.domain.segmentation import (
    detect_audio_cuts,
    detect_visual_cuts,
    plan_segments,
)
from shared.errors import Conflict, NotFound, ServiceUnavailable, UnprocessableMedia
from shared.services.event_publishing import MediaEventPublisher
from shared.services.processing_job import (
    Job,
    Outcome,
    ProcessingOptions,
    ProcessingPorts,
    fail_media,
    finish,
    media_payload,
    refuse,
)
from shared.services.processing_records import (
    MediaUpload,
    apply_probe,
    mark_run_segment,
    new_run,
    new_segments,
    new_video,
    run_id_for,
)

__all__ = ["Outcome", "ProcessingOptions", "ProcessingPorts", "UploadProcessing", "process_upload"]
logger = logging.getLogger("videovector.processing")


def process_upload(
    ports: ProcessingPorts, upload: MediaUpload, options: ProcessingOptions | None = None
) -> Outcome:
    existing = ports.catalog.get_videos(upload.user_id, [upload.video_id]).get(upload.video_id)
    if existing is not None and existing.media_version:
        if _newer(existing.media_version, upload.generation):
            return Outcome.SUPERSEDED
        done = existing.status in (VideoStatus.PROCESSED, VideoStatus.FAILED)
        if existing.media_version == upload.generation and done:
            return Outcome.ALREADY_DONE
    video = new_video(upload, ports.clock())
    if existing is not None:
        video.created_at = existing.created_at
    job = Job(
        ports,
        options or ProcessingOptions(),
        video,
        MediaEventPublisher(
            ports.events,
            user_id=upload.user_id,
            video_id=upload.video_id,
            version=upload.generation,
            index_id=upload.index_id,
            clock=ports.clock,
        ),
    )
    try:
        ports.catalog.put_video(video)
    except Conflict:
        return refuse(job)
    job.events.media(EventType.MEDIA_CREATED, media_payload(video))
    job.save_video(status=VideoStatus.PROCESSING)
    job.events.media(EventType.MEDIA_PROCESSING_STARTED, media_payload(video))
    stage = "download"
    try:
        with ports.media.local_copy(upload.uri, upload.generation) as (path, _):
            stage = "probe"
            probe, decoded = _read(job, path)
        stage = "analysis"
        return _analyse(job, upload, probe, decoded)
    except (UnprocessableMedia, NotFound) as exc:
        return fail_media(job, exc.message, stage)
    except ServiceUnavailable:
        raise  # a dependency is down: the trigger delivers the job again
    except Conflict:
        return refuse(job)  # a record of the job's is another user's (decision 011)
    except Exception:
        # A bug must not turn into endless redelivery: record it, acknowledge, move on.
        logger.exception("unexpected error processing %s at %s", video.video_id, stage)
        return fail_media(job, "Processing failed because of an internal error.", stage)


def _read(job: Job, path: Path) -> tuple[MediaProbe, DecodedMedia]:
    started = time.perf_counter()
    probe = job.ports.analyzer.probe(path)
    job.timings["probe_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    decoded = job.ports.analyzer.decode(path, probe)
    job.timings["decode_seconds"] = time.perf_counter() - started
    return probe, decoded


def _analyse(job: Job, upload: MediaUpload, probe: MediaProbe, decoded: DecodedMedia) -> Outcome:
    ports, options, video = job.ports, job.options, job.video
    started = time.perf_counter()
    duration = probe.duration_seconds or decoded.duration_seconds
    apply_probe(video, probe, duration, ports.clock())
    job.save_video()
    if probe.media_type is MediaType.IMAGE:
        spans = plan_segments(0.0, [], options.bounds)
    else:
        cuts = (
            detect_visual_cuts(decoded)
            if probe.has_video
            else detect_audio_cuts(decoded, options.bounds)
        )
        spans = plan_segments(duration, cuts, options.bounds, decoded.duration_seconds)
    run_id = run_id_for(video.video_id, upload.generation)
    now = ports.clock()
    segments = new_segments(video, run_id, spans, now)
    run = new_run(video, run_id, segments, now)
    ports.catalog.put_segments(segments)
    ports.catalog.put_run_status(run)
    job.events.run(EventType.PROMPT_RUN_STARTED, run)
    step = max(1, math.ceil(len(segments) / max(1, options.progress_updates)))
    for first in range(0, len(segments), step):
        _process_chunk(job, run, segments[first : first + step], probe, decoded)
    job.timings["analysis_seconds"] = time.perf_counter() - started
    return finish(job, run, segments)


def _process_chunk(
    job: Job,
    run: RunVideoStatus,
    chunk: list[SegmentRecord],
    probe: MediaProbe,
    decoded: DecodedMedia,
) -> None:
    ports = job.ports
    for segment in chunk:
        segment.segment_status = SegmentStatus.PROCESSING
        mark_run_segment(run, segment, SegmentStatus.PROCESSING, ports.clock())
    ports.catalog.put_run_status(run)
    for segment in chunk:
        try:
            segment.metadata = segment_features(
                decoded, probe.media_type, probe.has_audio, segment.start_time, segment.end_time
            )
        except ValueError as exc:
            segment.segment_status = SegmentStatus.FAILED
            segment.error_message = f"Could not analyse this part of the media: {exc}."
            segment.failure_stage = "features"
        else:
            segment.metadata_text = describe(segment.metadata)
            segment.segment_status = SegmentStatus.COMPLETED
        segment.processed_at = ports.clock()
    ports.catalog.put_segments(chunk)
    done = [s for s in chunk if s.segment_status is SegmentStatus.COMPLETED]
    if done:
        vectors = ports.embedder.embed_documents([s.metadata_text or "" for s in done])
        ports.catalog.put_segment_embeddings(
            ports.embedder.model_id, {s.segment_id: v for s, v in zip(done, vectors, strict=True)}
        )
    for segment in chunk:
        mark_run_segment(run, segment, segment.segment_status, ports.clock())
    ports.catalog.put_run_status(run)
    for segment in chunk:
        completed = segment.segment_status is SegmentStatus.COMPLETED
        job.events.segment(
            EventType.SEGMENT_PROCESSING_COMPLETED
            if completed
            else EventType.SEGMENT_PROCESSING_FAILED,
            segment,
        )
    finished = run.count(SegmentStatus.COMPLETED) + run.count(SegmentStatus.FAILED)
    job.events.run(EventType.PROMPT_RUN_PROGRESS, run, step=str(finished))


def _newer(stored: str, incoming: str) -> bool:
    """Is the stored generation newer than the incoming one (generations grow)?"""
    try:
        return int(stored) > int(incoming)
    except ValueError:
        return False


@dataclass
class UploadProcessing(ProcessingPorts):
    """The worker's use case on its ports, one call per trigger; built in
    ``shared/bootstrap.py`` (decision 009)."""

    process_upload = process_upload
