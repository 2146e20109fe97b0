"""A typed helper for pipelines that publish lifecycle events.

Every event gets a deterministic ``event_key`` built from what it is about (the media and its
version, the stage, the segment), so a job that is retried republishes the same keys and the
event store keeps each event once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.clock import utcnow
from shared.domain.events import EventType, OutgoingEvent
from shared.domain.ports import EventPublisher
from shared.domain.records import RunVideoStatus, SegmentRecord, SegmentStatus


def event_key(*parts: str) -> str:
    return "/".join(parts)


def run_counters(run: RunVideoStatus) -> dict[str, int]:
    """The SDK's ``PromptRunProcessingStatus`` counters; they always add up to the total."""
    return {
        "total_segments": len(run.segments),
        "pending_segments": run.count(SegmentStatus.PENDING),
        "processing_segments": run.count(SegmentStatus.PROCESSING),
        "successful_segments": run.count(SegmentStatus.COMPLETED),
        "failed_segments": run.count(SegmentStatus.FAILED),
    }


class MediaEventPublisher:
    """Publishes the events of one version of one media file."""

    def __init__(
        self,
        publisher: EventPublisher,
        *,
        user_id: str,
        video_id: str,
        version: str,
        index_id: str | None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._publisher = publisher
        self._user_id = user_id
        self._video_id = video_id
        self._index_id = index_id
        self._scope = f"{video_id}@{version}"
        self._clock = clock

    def _send(self, event_type: EventType, key: str, **fields: Any) -> None:
        self._publisher.publish(
            OutgoingEvent(
                event_type=event_type,
                user_id=self._user_id,
                event_key=key,
                created_at=self._clock(),
                video_id=self._video_id,
                index_id=self._index_id,
                **fields,
            )
        )

    def media(
        self, event_type: EventType, payload: dict[str, Any], run_id: str | None = None
    ) -> None:
        # The run a media event closes is named on the envelope too, not only in the payload:
        # a stream filtered by ``run_id`` matches on the envelope.
        key = event_key(self._scope, event_type.value)
        self._send(event_type, key, run_id=run_id, payload=payload)

    def run(
        self,
        event_type: EventType,
        run: RunVideoStatus,
        payload: dict[str, Any] | None = None,
        step: str | None = None,
    ) -> None:
        parts = [self._scope, event_type.value, run.run_id] + ([step] if step else [])
        body = {"status": run.status.value, "prompt_id": run.prompt_id, **run_counters(run)}
        self._send(
            event_type, event_key(*parts), run_id=run.run_id, payload={**body, **(payload or {})}
        )

    def segment(self, event_type: EventType, segment: SegmentRecord) -> None:
        payload: dict[str, Any] = {
            "start_time": segment.start_time,
            "end_time": segment.end_time,
            "segment_status": segment.segment_status.value,
        }
        if segment.segment_status is SegmentStatus.FAILED:
            payload.update(error_message=segment.error_message, failure_stage=segment.failure_stage)
        else:
            payload["metadata_text"] = segment.metadata_text
        self._send(
            event_type,
            event_key(self._scope, event_type.value, segment.segment_id),
            run_id=segment.from_run_id,
            segment_id=segment.segment_id,
            payload=payload,
        )
