"""Ingest a local file: upload it to the media bucket where the processing trigger sees it,
then (optionally) follow the job's progress in the catalog."""

from __future__ import annotations

import mimetypes
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared.domain.identifiers import is_valid_id
from shared.domain.media_layout import MediaObjectName
from shared.domain.ports import MediaCatalog, MediaStore, UploadNotifier
from shared.domain.records import RunVideoStatus, VideoRecord, VideoStatus
from shared.domain.stored_objects import ObjectHeaders
from shared.errors import ValidationFailed

FINISHED = (VideoStatus.PROCESSED, VideoStatus.FAILED)


@dataclass(frozen=True)
class IngestTicket:
    user_id: str
    video_id: str
    uri: str
    generation: str
    size_bytes: int


def new_video_id() -> str:
    return f"vid_{uuid.uuid4().hex[:20]}"


def ingest_file(
    media: MediaStore,
    notifier: UploadNotifier,
    source: Path,
    user_id: str,
    *,
    index_id: str | None = None,
    title: str | None = None,
    video_id: str | None = None,
) -> IngestTicket:
    """Upload ``source`` for ``user_id`` (into an index, or the playground when ``index_id``
    is None). Processing starts from the bucket's finalize notification."""
    video_id = video_id or new_video_id()
    for field, value in (("user", user_id), ("index", index_id), ("video_id", video_id)):
        if value is not None and not is_valid_id(value):
            raise ValidationFailed(f"Invalid {field} id.", details={"field": field})
    if not source.is_file():
        raise ValidationFailed("No such file.", details={"field": "file"})
    name = MediaObjectName.build(user_id, video_id, source.name)
    metadata = {"user_id": user_id, "video_id": video_id, "title": title or source.name}
    if index_id:
        metadata["index_id"] = index_id
    content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    stored = media.upload(source, str(name), ObjectHeaders(content_type, metadata))
    notifier.object_finalized(stored)
    return IngestTicket(user_id, video_id, stored.uri, stored.generation, stored.size_bytes)


ProgressCallback = Callable[[VideoRecord | None, RunVideoStatus | None], None]


def wait_for_processing(
    catalog: MediaCatalog,
    ticket: IngestTicket,
    on_change: ProgressCallback,
    timeout: float = 600.0,
    poll_seconds: float = 0.5,
) -> VideoRecord:
    """Poll the video record (and its run) until processing ends; ``on_change`` hears every
    change of status or counters. Raises ``TimeoutError`` when it does not end in time."""
    deadline = time.monotonic() + timeout
    last: tuple[object, ...] | None = None
    while True:
        video = catalog.get_videos(ticket.user_id, [ticket.video_id]).get(ticket.video_id)
        current = video if video and video.media_version == ticket.generation else None
        runs = catalog.run_statuses_of_videos(ticket.user_id, [ticket.video_id]) if current else []
        run = runs[-1] if runs else None
        state = (
            current.status if current else None,
            tuple(s.status for s in run.segments) if run else None,
            run.status if run else None,
        )
        if state != last:
            on_change(current, run)
            last = state
        if current is not None and current.status in FINISHED:
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"{ticket.video_id} was still processing after {timeout:.0f}s")
        time.sleep(poll_seconds)
