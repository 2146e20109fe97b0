"""In-memory media catalog for unit tests; held to the same contract tests as Firestore's."""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.domain.ports import MediaCatalog
from shared.domain.records import RunVideoStatus, SegmentRecord, VideoRecord
from shared.errors import Conflict


class InMemoryMediaCatalog(MediaCatalog):
    def __init__(self) -> None:
        self.videos: dict[str, VideoRecord] = {}
        self.segments: dict[str, SegmentRecord] = {}
        self.run_statuses: dict[tuple[str, str], RunVideoStatus] = {}
        self.embeddings: dict[str, tuple[str, list[float]]] = {}
        self._lock = threading.Lock()

    def put_video(self, video: VideoRecord) -> None:
        with self._lock:
            _refuse_foreign("videos", self.videos, [(video.video_id, video.user_id)])
            self.videos[video.video_id] = copy.deepcopy(video)

    def put_segments(self, segments: Sequence[SegmentRecord]) -> None:
        with self._lock:
            _refuse_foreign(
                "segments", self.segments, [(s.segment_id, s.user_id) for s in segments]
            )
            for segment in segments:
                self.segments[segment.segment_id] = copy.deepcopy(segment)

    def put_segment_embeddings(self, model_id: str, vectors: dict[str, list[float]]) -> None:
        with self._lock:
            for segment_id, vector in vectors.items():
                if segment_id not in self.segments:
                    raise KeyError(segment_id)
                self.embeddings[segment_id] = (model_id, list(vector))

    def put_run_status(self, status: RunVideoStatus) -> None:
        key = (status.run_id, status.video_id)
        with self._lock:
            _refuse_foreign("run_videos", self.run_statuses, [(key, status.user_id)])
            self.run_statuses[(status.run_id, status.video_id)] = copy.deepcopy(status)

    def get_videos(self, user_id: str, video_ids: Sequence[str]) -> dict[str, VideoRecord]:
        return {
            v: copy.deepcopy(self.videos[v])
            for v in dict.fromkeys(video_ids)
            if v in self.videos and self.videos[v].user_id == user_id and not self.videos[v].deleted
        }

    def get_segment(self, user_id: str, segment_id: str) -> SegmentRecord | None:
        segment = self.segments.get(segment_id)
        return copy.deepcopy(segment) if segment and segment.user_id == user_id else None

    def find_video_by_uri(self, user_id: str, video_uri: str) -> VideoRecord | None:
        live = [
            v
            for v in self.videos.values()
            if v.user_id == user_id and v.video_uri == video_uri and not v.deleted
        ]
        return copy.deepcopy(min(live, key=lambda v: v.video_id)) if live else None

    def segments_of_videos(
        self, user_id: str, video_ids: Sequence[str], run_id: str | None = None
    ) -> list[SegmentRecord]:
        order = {v: i for i, v in enumerate(dict.fromkeys(video_ids))}
        found = [
            copy.deepcopy(s)
            for s in self.segments.values()
            if s.user_id == user_id
            and s.video_id in order
            and (run_id is None or s.from_run_id == run_id)
        ]
        return sorted(found, key=lambda s: (order[s.video_id], s.start_time, s.segment_id))

    def run_statuses_of_videos(
        self, user_id: str, video_ids: Sequence[str]
    ) -> list[RunVideoStatus]:
        wanted = set(video_ids)
        found = [
            copy.deepcopy(r)
            for r in self.run_statuses.values()
            if r.user_id == user_id and r.video_id in wanted
        ]
        return sorted(found, key=lambda r: (r.video_id, r.created_at, r.run_id))

    def playground_videos(
        self, user_id: str, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[VideoRecord]:
        mine = [
            v
            for v in self.videos.values()
            if v.user_id == user_id and v.index_id is None and not v.deleted
        ]
        newest_first = sorted(mine, key=lambda v: (v.created_at, v.video_id), reverse=True)
        if after is not None:
            newest_first = [v for v in newest_first if (v.created_at, v.video_id) < after]
        return [copy.deepcopy(v) for v in newest_first[:limit]]


def _refuse_foreign(collection: str, stored: dict[Any, Any], writes: list[tuple[Any, str]]) -> None:
    """As Firestore's transaction: a record of another owner is never overwritten."""
    for key, owner in writes:
        if key in stored and stored[key].user_id != owner:
            raise Conflict(
                f"{collection}/{key} belongs to another user; not overwritten.",
                code="owned_by_another_user",
                details={"collection": collection, "id": str(key)},
            )
