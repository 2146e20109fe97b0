"""The pipeline's demo media, processed for real by the local stack for one fresh user: each
file is rendered with ffmpeg, uploaded, processed by the worker (segments, features, words,
embeddings), then read back from the catalog."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from infra.local.demo_media import DEMO_MEDIA, ensure_demo_media
from shared.bootstrap import Container
from shared.domain.records import SegmentRecord, VideoRecord, VideoStatus
from shared.services.processing_ingest import ingest_file, wait_for_processing

PROCESSING_TIMEOUT = 300.0


@dataclass
class DemoLibrary:
    user_id: str
    videos: dict[str, VideoRecord] = field(default_factory=dict)  # file name → record
    segments: dict[str, list[SegmentRecord]] = field(default_factory=dict)  # by start time

    def segment(self, name: str, index: int = 0) -> SegmentRecord:
        return self.segments[name][index]

    def all_segments(self) -> list[SegmentRecord]:
        return [s for segments in self.segments.values() for s in segments]


def process_demo_media(cloud: Container, folder: Path) -> DemoLibrary:
    library = DemoLibrary(f"demo-{uuid.uuid4().hex[:10]}")
    tickets = {}
    for recipe, path in zip(DEMO_MEDIA, ensure_demo_media(folder), strict=True):
        title = str(recipe.tags.get("title", recipe.name))
        tickets[recipe.name] = ingest_file(
            cloud.media, cloud.upload_notifier, path, library.user_id, title=title
        )
    for name, ticket in tickets.items():
        record = wait_for_processing(
            cloud.catalog, ticket, lambda *_: None, timeout=PROCESSING_TIMEOUT
        )
        assert record.status is VideoStatus.PROCESSED, (name, record.error_message)
        library.videos[name] = record
    ids = [v.video_id for v in library.videos.values()]
    by_video: dict[str, list[SegmentRecord]] = {}
    for segment in cloud.catalog.segments_of_videos(library.user_id, ids):
        by_video.setdefault(segment.video_id, []).append(segment)
    for name, record in library.videos.items():
        library.segments[name] = by_video.get(record.video_id, [])
    return library
