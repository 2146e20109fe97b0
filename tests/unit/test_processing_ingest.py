"""The ingest command's service: what it uploads and announces is exactly what the worker's
trigger parser accepts, and waiting reports progress until the job ends."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from processing_worker_api.messages import PUBSUB_EVENT, parse_trigger

from shared.adapters.pubsub_upload_notices import RecordingUploadNotifier
from shared.cli.ingest import describe_progress
from shared.domain.records import VideoStatus
from shared.errors import ValidationFailed
from shared.services.processing import process_upload
from shared.services.processing_ingest import ingest_file, wait_for_processing
from tests.contracts.media_analyzer import CLIP
from tests.unit.processing_support import Fakes


def test_an_ingested_file_is_announced_as_the_bucket_would_and_processed(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    source = tmp_path / "My Clip (final).mp4"
    source.write_text(CLIP.to_json())
    notifier = RecordingUploadNotifier()
    ticket = ingest_file(
        fakes.media, notifier, source, "alice", index_id="idx-7", title="Final cut"
    )
    assert ticket.uri.startswith(f"gs://{fakes.media.bucket}/users/alice/videos/vid_")
    assert ticket.uri.endswith("/My-Clip-final-.mp4")
    ((data, attributes),) = notifier.messages
    push = {"message": {"data": base64.b64encode(data).decode(), "attributes": attributes}}
    upload = parse_trigger(PUBSUB_EVENT, push, fakes.media.bucket)
    assert (upload.user_id, upload.video_id, upload.index_id) == ("alice", ticket.video_id, "idx-7")
    assert (upload.title, upload.generation, upload.uri) == (
        "Final cut",
        ticket.generation,
        ticket.uri,
    )
    assert upload.content_type == "video/mp4" and upload.size_bytes == ticket.size_bytes

    process_upload(fakes.ports, upload)
    lines: list[str] = []
    video = wait_for_processing(
        fakes.catalog,
        ticket,
        lambda v, r: lines.append(describe_progress(v, r)),
        timeout=5,
        poll_seconds=0.01,
    )
    assert video.status is VideoStatus.PROCESSED
    assert lines == ["  processed: 3/3 segments"]


def test_waiting_for_a_job_nobody_runs_times_out(tmp_path: Path) -> None:
    fakes = Fakes(tmp_path)
    source = tmp_path / "clip.mp4"
    source.write_text(CLIP.to_json())
    ticket = ingest_file(fakes.media, RecordingUploadNotifier(), source, "alice")
    lines: list[str] = []
    with pytest.raises(TimeoutError):
        wait_for_processing(
            fakes.catalog, ticket, lambda v, r: lines.append(describe_progress(v, r)), 0.05, 0.01
        )
    assert lines == ["  queued: waiting for the worker"]


@pytest.mark.parametrize(
    ("user", "index", "name"),
    [("a/b", None, "clip.mp4"), ("alice", "../x", "clip.mp4"), ("alice", None, "missing.mp4")],
)
def test_bad_input_is_refused_before_uploading(
    tmp_path: Path, user: str, index: str | None, name: str
) -> None:
    fakes = Fakes(tmp_path)
    (tmp_path / "clip.mp4").write_text("x")
    notifier = RecordingUploadNotifier()
    with pytest.raises(ValidationFailed):
        ingest_file(fakes.media, notifier, tmp_path / name, user, index_id=index)
    assert notifier.messages == []
