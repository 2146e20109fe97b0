"""Requests to the batch function and records for its tests, on in-memory ports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from shared.bootstrap import Container
from shared.domain.markers import MarkerChanges, MarkerTarget, TargetType
from shared.domain.principals import Principal, Scope
from shared.domain.records import (
    RunStatus,
    RunVideoStatus,
    SegmentRecord,
    SegmentStatus,
    VideoRecord,
)


def post(client: FlaskClient, path: str, key: str, body: Any):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v2/videos/batch{path}", json=body, headers={"X-API-Key": key})


def mark(container: Container, target_type: TargetType, target_id: str, **kw: Any) -> None:
    alice = Principal("alice", frozenset({Scope.WRITE}), "k")
    target = MarkerTarget(target_type, target_id, kw.pop("field_path", None))
    changes = MarkerChanges(target, kw.get("color"), kw.get("note"))
    container.marker_service.upsert_marker(alice, changes)


def run_on(
    video: VideoRecord, run_id: str, status: RunStatus, finished: datetime
) -> RunVideoStatus:
    return RunVideoStatus(run_id, video.video_id, video.user_id, status, finished, finished)


def segment_of(video: VideoRecord, run_id: str, start: float) -> SegmentRecord:
    return SegmentRecord(
        f"{video.video_id}-{run_id}-{start:g}",
        video.video_id,
        video.user_id,
        start,
        start + 1.0,
        video.created_at,
        segment_status=SegmentStatus.COMPLETED,
        from_run_id=run_id,
    )


def library_segments(container: Container, video_id: str) -> list[str]:
    """One video's segment ids, by start time then id, from the store (no bound)."""
    found = container.catalog.segments_of_videos("alice", [video_id])
    return [s.segment_id for s in sorted(found, key=lambda s: (s.start_time, s.segment_id))]
