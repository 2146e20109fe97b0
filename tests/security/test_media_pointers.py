"""A playlist or concat list that points at a local listener makes no connection to it,
through the media endpoints or through the processing worker (GCS and Firestore emulators,
the real ffmpeg); and the test can fail: an unrestricted ffmpeg does connect."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import imageio_ffmpeg
import pytest

from shared.bootstrap import Container
from shared.domain.records import MediaType, VideoStatus
from shared.services.processing import Outcome, ProcessingPorts, process_upload
from shared.services.processing_records import MediaUpload
from tests.fakes.memory_events import InMemoryEventPublisher
from tests.media.hostile_samples import concat_list, hls_playlist
from tests.support.media_world import Listener, World

pytestmark = pytest.mark.emulator


def pointers(folder: Path, listener: Listener) -> dict[str, Path]:
    return {
        "hls playlist": hls_playlist(folder / "list.m3u8", listener.segment_url),
        "hls playlist named .mp4": hls_playlist(folder / "named.mp4", listener.segment_url),
        "concat list": concat_list(folder / "list.ffconcat", listener.segment_url),
    }


@pytest.mark.parametrize("which", ["hls playlist", "hls playlist named .mp4", "concat list"])
def test_a_media_object_that_points_elsewhere_fetches_nothing_through_the_media_endpoints(
    world: World, listener: Listener, tmp_path: Path, which: str
) -> None:
    source = pointers(tmp_path, listener)[which]
    processed = world.register(source, MediaType.VIDEO, duration_seconds=2.0, fps=30.0)
    fresh = world.register(source, MediaType.VIDEO)  # no facts yet: the service probes first
    for video in (processed, fresh):
        board = f"/api/v2/videos/{video.video_id}/storyboard.jpg"
        for path in (
            world.preview_path(video, "gif"),
            world.preview_path(video, "thumbnail"),
            board,
        ):
            response = world.get(path)
            assert response.status_code == 422, (which, path, response.get_data(as_text=True))
            error = response.get_json()["error"]
            assert error["code"] == "media_not_decodable", error
            assert "X-Goog" not in error["message"] and "http" not in error["message"]
    time.sleep(0.3)  # a connection attempt in flight would have been accepted by now
    assert listener.connections == 0


def test_the_playlist_test_can_fail_an_unrestricted_ffmpeg_reaches_the_listener(
    world: World, listener: Listener, tmp_path: Path
) -> None:
    """The same object, signed the same way, read by ``ffmpeg -i URL`` as the renderer ran it
    before: ffmpeg follows the playlist to the listener."""
    video = world.register(pointers(tmp_path, listener)["hls playlist"], MediaType.VIDEO)
    bucket, name = video.video_uri.removeprefix("gs://").split("/", 1)
    url = world.container.url_signer.sign_get(bucket, name, 60)
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-rw_timeout", "2000000",
         "-i", url, "-frames:v", "1", "-f", "null", "-"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert listener.connections >= 1


@pytest.mark.parametrize("which", ["hls playlist", "hls playlist named .mp4", "concat list"])
def test_the_processing_worker_refuses_a_playlist_without_fetching(
    cloud: Container, user_id: str, listener: Listener, tmp_path: Path, which: str
) -> None:
    source = pointers(tmp_path, listener)[which]
    video_id = f"v-{uuid.uuid4().hex[:10]}"
    stored = cloud.media.upload(source, f"users/{user_id}/videos/{video_id}/{source.name}")
    events = InMemoryEventPublisher()
    ports = ProcessingPorts(
        media=cloud.media,
        analyzer=cloud.analyzer,
        catalog=cloud.catalog,
        events=events,
        embedder=cloud.embedder,
    )
    upload = MediaUpload(stored.uri, stored.generation, user_id, video_id, source.name)
    assert process_upload(ports, upload) is Outcome.FAILED
    record = cloud.catalog.get_videos(user_id, [video_id])[video_id]
    assert record.status is VideoStatus.FAILED
    assert record.error_message and record.error_message.startswith("Not a readable media file")
    time.sleep(0.3)
    assert listener.connections == 0
