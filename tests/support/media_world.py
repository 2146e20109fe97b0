"""The media function as a user meets it, on the real catalog and stores (integration and
security tests): a user with a key, their media registered, previews asked through the
function (``world_of``); and a loopback listener that counts every connection a render might
make to it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from shared import bootstrap
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.preview_ports import PreviewRenderer
from shared.domain.records import MediaType, SegmentRecord, VideoRecord, VideoStatus
from shared.services.api_keys import create_api_key
from tests.fakes.memory_events import InMemoryEventPublisher
from tests.unit.conftest import function_client

GIF = "/api/v2/videos/{}/gif"
THUMB = "/api/v2/videos/segments/{}/thumbnail"


class Listener:
    """A TCP port on loopback that counts every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def segment_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/segment.ts"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                peer, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            peer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


class World:
    def __init__(self, container: Container, user_id: str) -> None:
        self.container = container
        self.user_id = user_id
        self.key = create_api_key(container.api_keys, user_id, ["read"])
        self.client: FlaskClient = function_client("media")

    def register(
        self, path: Path, media_type: MediaType, name: str | None = None, **kw: Any
    ) -> VideoRecord:
        video_id = f"v-{uuid.uuid4().hex[:10]}"
        object_name = f"uploads/{self.user_id}/{name or video_id + path.suffix}"
        stored = self.container.media.upload(path, object_name)
        now = utcnow()
        record = VideoRecord(
            video_id, self.user_id, path.name, stored.uri, media_type, VideoStatus.PROCESSED,
            now, now, media_version=stored.generation, **kw,
        )  # fmt: skip
        self.container.catalog.put_video(record)
        return record

    @property
    def renderer(self) -> Any:
        return self.container.preview_renderer

    def segment(self, video: VideoRecord, start: float, end: float) -> str:
        segment_id = f"{video.video_id}-s{int(start * 1000)}"
        record = SegmentRecord(segment_id, video.video_id, self.user_id, start, end, utcnow())
        self.container.catalog.put_segments([record])
        return segment_id

    def preview_path(self, video: VideoRecord, kind: str, query: str = "") -> str:
        """A GIF of the video, or the thumbnail of a segment covering it (thumbnails and
        waveforms are asked by segment)."""
        if kind == "gif":
            return GIF.format(video.video_id) + "?" + query
        return THUMB.format(self.segment(video, 0.0, 1.0)) + "?" + query

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, headers={"X-API-Key": self.key, **headers})


@contextlib.contextmanager
def world_of(cloud: Container, user_id: str, renderer: PreviewRenderer) -> Iterator[World]:
    """The media function on ``cloud``'s emulators with ``renderer`` and an in-memory event
    publisher (the events a test can read), for the length of the block."""
    container = Container(
        cloud.settings, preview_renderer=renderer, events=InMemoryEventPublisher()
    )
    bootstrap.override(container)
    try:
        yield World(container, user_id)
    finally:
        bootstrap.override(None)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started
