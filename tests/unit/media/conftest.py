"""Unit fixtures of the media helpers: the media function on in-memory ports, a development
signing key, and the real ffmpeg-free renderer fake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from shared import bootstrap
from shared.adapters.gcs_url_signers import LocalKeyUrlSigner, development_key_info
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.records import MediaType, SegmentRecord, VideoRecord, VideoStatus
from shared.services.api_keys import create_api_key
from tests.fakes.memory_api_keys import InMemoryApiKeyStore
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_derived import InMemoryDerivedMediaStore
from tests.fakes.memory_events import InMemoryEventPublisher
from tests.fakes.memory_previews import InMemoryPreviewRenderer
from tests.fakes.memory_render_leases import InMemoryRenderLeases
from tests.support.settings import settings_for_fakes
from tests.unit.conftest import function_client

MEDIA_BUCKET = "videovector-media"


@pytest.fixture(scope="session")
def dev_key() -> dict[str, Any]:
    return development_key_info(None)


@dataclass
class MediaWorld:
    container: Container
    client: FlaskClient
    alice: str  # read key
    bob: str
    alice_search: str

    @property
    def catalog(self) -> InMemoryMediaCatalog:
        return self.container.catalog  # type: ignore[return-value]

    @property
    def renderer(self) -> InMemoryPreviewRenderer:
        return self.container.preview_renderer  # type: ignore[return-value]

    @property
    def derived(self) -> InMemoryDerivedMediaStore:
        return self.container.derived_media  # type: ignore[return-value]

    @property
    def events(self) -> InMemoryEventPublisher:
        return self.container.events  # type: ignore[return-value]

    def add_video(self, user_id: str, video_id: str, **kw: Any) -> VideoRecord:
        now = utcnow()
        fields: dict[str, Any] = {
            "title": video_id,
            "video_uri": f"gs://{MEDIA_BUCKET}/uploads/{user_id}/{video_id}.mp4",
            "media_type": MediaType.VIDEO,
            "status": VideoStatus.PROCESSED,
            "created_at": now,
            "updated_at": now,
            "duration_seconds": 20.0,
            "fps": 30.0,
            "media_version": "1700000000000001",
            **kw,
        }
        record = VideoRecord(video_id=video_id, user_id=user_id, **fields)
        self.catalog.put_video(record)
        return record

    def add_segment(self, video: VideoRecord, segment_id: str, start: float, end: float) -> None:
        segment = SegmentRecord(segment_id, video.video_id, video.user_id, start, end, utcnow())
        self.catalog.put_segments([segment])


@pytest.fixture
def media(dev_key: dict[str, Any]) -> Iterator[MediaWorld]:
    anonymous = storage.Client(project="videovector-local", credentials=AnonymousCredentials())
    container = Container(
        settings_for_fakes(public_base_url="http://api.test"),
        api_keys=InMemoryApiKeyStore(),
        catalog=InMemoryMediaCatalog(),
        derived_media=InMemoryDerivedMediaStore("videovector-derived"),
        render_leases=InMemoryRenderLeases(),
        preview_renderer=InMemoryPreviewRenderer(),
        events=InMemoryEventPublisher(),
        url_signer=LocalKeyUrlSigner(anonymous, dev_key),
    )
    bootstrap.override(container)
    keys = container.api_keys
    world = MediaWorld(
        container,
        function_client("media"),
        alice=create_api_key(keys, "alice", ["read"]),
        bob=create_api_key(keys, "bob", ["write"]),
        alice_search=create_api_key(keys, "alice", ["search"]),
    )
    yield world
    bootstrap.override(None)
