"""Records as the SDK's response shapes (plain dicts, JSON-ready): ``VideoWithDetails``,
``VideoStatus``, ``PromptRunProcessingStatus``, ``Segment`` and ``SearchResult``.

Markers and preview URLs are filled afterwards, for a whole response at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.clock import to_iso
from shared.domain.records import (
    RunVideoStatus,
    SegmentRecord,
    SegmentStatus,
    VideoRecord,
)

CONTENT_PREVIEW_LENGTH = 200


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment is not None else None


def run_status_body(run: RunVideoStatus) -> dict[str, Any]:
    """The SDK's ``PromptRunProcessingStatus``: counters and one entry per segment."""
    return {
        "run_id": run.run_id,
        "prompt_id": run.prompt_id,
        "status": run.status.value,
        "total_segments": len(run.segments),
        "pending_segments": run.count(SegmentStatus.PENDING),
        "processing_segments": run.count(SegmentStatus.PROCESSING),
        "successful_segments": run.count(SegmentStatus.COMPLETED),
        "failed_segments": run.count(SegmentStatus.FAILED),
        "created_at": _iso(run.created_at),
        "updated_at": _iso(run.updated_at),
        "segments": [
            {
                "segment_id": s.segment_id,
                "video_id": run.video_id,
                "status": s.status.value,
                "start_time": s.start_time,
                "end_time": s.end_time,
                "started_at": _iso(s.started_at),
                "completed_at": _iso(s.completed_at),
                "error_message": s.error_message,
            }
            for s in run.segments
        ],
    }


def video_body(video: VideoRecord, runs: list[RunVideoStatus] | None = None) -> dict[str, Any]:
    """The SDK's ``VideoWithDetails`` (``marker`` and preview URLs filled later)."""
    return {
        "video_id": video.video_id,
        "title": video.title,
        "video_uri": video.video_uri,
        "media_type": video.media_type.value,
        "status": video.status.value,
        "processing_status": [run_status_body(r) for r in runs] if runs is not None else None,
        "created_at": to_iso(video.created_at),
        "updated_at": to_iso(video.updated_at),
        "metadata_keys": list(video.metadata_keys),
        "index_id": video.index_id,
        "duration_seconds": video.duration_seconds,
        "width": video.width,
        "height": video.height,
        "fps": video.fps,
        "gif_data": None,
        "first_thumbnail": None,
    }


def video_status_body(video: VideoRecord, runs: list[RunVideoStatus]) -> dict[str, Any]:
    """The SDK's ``VideoStatus``."""
    return {
        "video_id": video.video_id,
        "status": video.status.value,
        "processing_status": [run_status_body(r) for r in runs],
    }


def segment_body(segment: SegmentRecord) -> dict[str, Any]:
    """The SDK's ``Segment`` (``marker``, ``metadata_markers`` and previews filled later)."""
    status = segment.segment_status
    return {
        "segment_id": segment.segment_id,
        "video_id": segment.video_id,
        "start_time": segment.start_time,
        "end_time": segment.end_time,
        "gcs_uri": segment.gcs_uri,
        "thumbnail_uri": None,
        "gif_uri": None,
        "thumbnail_available": False,
        "gif_available": False,
        "processed": status is SegmentStatus.COMPLETED,
        "processing_failed": status is SegmentStatus.FAILED,
        "segment_status": status.value,
        "failure_stage": segment.failure_stage,
        "error_message": segment.error_message,
        "metadata": segment.metadata,
        "metadata_text": segment.metadata_text,
        "created_at": to_iso(segment.created_at),
        "processed_at": _iso(segment.processed_at),
        "from_run_id": segment.from_run_id,
    }


def search_result_body(
    segment: SegmentRecord, video: VideoRecord, similarity: float | None = None
) -> dict[str, Any]:
    """The SDK's ``SearchResult`` for one segment."""
    text = segment.metadata_text or ""
    return {
        "result_type": "segment",
        "result_id": segment.segment_id,
        "segment_id": segment.segment_id,
        "video_id": segment.video_id,
        "video_name": video.title,
        "video_uri": video.video_uri,
        "media_type": video.media_type.value,
        "source_index_id": segment.index_id,
        "start_time": segment.start_time,
        "end_time": segment.end_time,
        "gcs_uri": segment.gcs_uri,
        "segment_uri": segment.gcs_uri,
        "text_content": text,
        "content_preview": text[:CONTENT_PREVIEW_LENGTH],
        "metadata_text": segment.metadata_text,
        "metadata": segment.metadata,
        "extracted_metadata": segment.metadata,
        "similarity_score": similarity,
        "run_id": segment.from_run_id,
        "source_run_id": segment.from_run_id,
        "thumbnail_uri": None,
        "gif_uri": None,
        "thumbnail_available": False,
        "gif_available": False,
    }
