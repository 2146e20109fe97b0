"""The worker through functions-framework itself: Pub/Sub push bodies in, as Pub/Sub sends
them, on fakes. A message that asks for nothing is acknowledged; an outage is retried."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared import bootstrap
from shared.adapters.pubsub_upload_notices import RecordingUploadNotifier, finalize_notification
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.records import VideoStatus
from shared.errors import ServiceUnavailable
from tests.contracts.media_analyzer import CLIP
from tests.support.settings import settings_for_fakes
from tests.unit.processing_support import Fakes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fakes(tmp_path: Path) -> Fakes:
    return Fakes(tmp_path)


@pytest.fixture
def worker(fakes: Fakes) -> Iterator[FlaskClient]:
    fakes.media.bucket = Settings().media_bucket
    container = Container(
        settings_for_fakes(),
        media=fakes.media,
        analyzer=fakes.analyzer,
        catalog=fakes.catalog,
        events=fakes.events,
        embedder=fakes.embedder,
    )
    bootstrap.override(container)
    app = functions_framework.create_app(
        target="processing_worker", source=str(ROOT / "functions/processing_worker/main.py")
    )
    yield app.test_client()
    bootstrap.override(None)


def push_body(data: bytes, attributes: dict[str, str]) -> dict[str, Any]:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes,
            "messageId": "1234567",
            "publishTime": "2026-01-01T00:00:00.000Z",
        },
        "subscription": "projects/p/subscriptions/media-uploads-worker",
    }


def notice_for(fakes: Fakes, data: bytes, file_name: str, **meta: str) -> dict[str, Any]:
    upload = fakes.upload_bytes(data, file_name, **meta)
    stored = fakes.media.stat(upload.uri)
    assert stored is not None
    notifier = RecordingUploadNotifier()
    notifier.object_finalized(stored)
    return push_body(*notifier.messages[0])


def test_a_finalize_notification_is_processed(worker: FlaskClient, fakes: Fakes) -> None:
    body = notice_for(fakes, CLIP.to_json().encode(), "clip.mp4", title="My clip", index_id="i1")
    assert worker.post("/", json=body).status_code == 200
    video = fakes.catalog.videos["vid-1"]
    assert video.status is VideoStatus.PROCESSED and video.title == "My clip"
    assert video.index_id == "i1" and len(fakes.catalog.segments) == 3
    assert fakes.event_types()[-1] == "media.processing.completed"


def test_a_corrupt_upload_is_acknowledged_after_recording_the_failure(
    worker: FlaskClient, fakes: Fakes
) -> None:
    body = notice_for(fakes, b"not media at all", "broken.mov")
    assert worker.post("/", json=body).status_code == 200
    assert fakes.catalog.videos["vid-1"].status is VideoStatus.FAILED
    assert fakes.event_types()[-1] == "media.processing.failed"


@pytest.mark.parametrize(
    "change",
    [
        {"eventType": "OBJECT_DELETE"},
        {"eventType": None},
        {"bucketId": "someone-elses-bucket", "bucket": "someone-elses-bucket"},
        {"objectId": "elsewhere/clip.mp4", "name": "elsewhere/clip.mp4"},
        {"objectId": "users/a/b/videos/v/clip.mp4", "name": "users/a/b/videos/v/clip.mp4"},
        {"generation": "not-a-number"},
        {"data": "%%% not base64"},
        {"user_id": "mallory"},
    ],
)
def test_messages_that_ask_for_nothing_are_acknowledged_untouched(
    worker: FlaskClient, fakes: Fakes, change: dict[str, str | None]
) -> None:
    data, attributes = finalize_notification(
        fakes.media.upload(_file(fakes), "users/alice/videos/vid-1/clip.mp4")
    )
    resource = json.loads(data)
    for key, value in change.items():
        if key in attributes:
            if value is None:
                attributes.pop(key)
            else:
                attributes[key] = value
        if key in resource:
            resource[key] = value
        if key == "user_id":
            resource["metadata"]["user_id"] = value
    body = push_body(json.dumps(resource).encode(), attributes)
    if "data" in change:
        body["message"]["data"] = change["data"]
    assert worker.post("/", json=body).status_code == 200
    assert fakes.catalog.videos == {} and fakes.events.published == []


def test_an_outage_is_answered_with_an_error_so_pubsub_retries(
    worker: FlaskClient, fakes: Fakes
) -> None:
    body = notice_for(fakes, CLIP.to_json().encode(), "clip.mp4")

    def down(*_: object) -> None:
        raise ServiceUnavailable("The catalog is temporarily unavailable; retry shortly.")

    fakes.catalog.put_segments = down  # type: ignore[method-assign]
    assert worker.post("/", json=body).status_code == 500
    assert fakes.catalog.videos["vid-1"].status is VideoStatus.PROCESSING


def _file(fakes: Fakes) -> Path:
    path = fakes.tmp_path / "clip.mp4"
    path.write_text(CLIP.to_json())
    return path


def test_an_eventarc_storage_event_is_processed_too(worker: FlaskClient, fakes: Fakes) -> None:
    """The same worker behind an Eventarc Cloud Storage trigger: a binary-mode CloudEvent
    whose data is the object resource."""
    upload = fakes.upload_bytes(CLIP.to_json().encode(), "clip.mp4", title="Via Eventarc")
    stored = fakes.media.stat(upload.uri)
    assert stored is not None
    data, _ = finalize_notification(stored)
    headers = {
        "ce-specversion": "1.0",
        "ce-id": "evt-1",
        "ce-source": f"//storage.googleapis.com/projects/_/buckets/{fakes.media.bucket}",
        "ce-type": "google.cloud.storage.object.v1.finalized",
        "ce-subject": f"objects/{stored.address.name}",
        "Content-Type": "application/json",
    }
    assert worker.post("/", data=data, headers=headers).status_code == 200
    video = fakes.catalog.videos["vid-1"]
    assert video.status is VideoStatus.PROCESSED and video.title == "Via Eventarc"
