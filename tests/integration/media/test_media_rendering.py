"""Thumbnails and GIFs for real: ffmpeg reading signed URLs from the GCS emulator, leases in
the Firestore emulator, results in the derived bucket. Every frame is checked by its number."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer
from shared.bootstrap import Container
from shared.domain.preview_ports import RenderSource
from shared.domain.previews import GifSpec, PreviewSpec, derived_object_name, version_of
from shared.domain.records import MediaType
from shared.domain.storyboards import StoryboardLayout, StoryboardSpec
from tests.media.fixtures import Samples
from tests.media.samples import Clip, frame_number
from tests.support.media_world import GIF, THUMB, World, world_of

pytestmark = pytest.mark.emulator
PILLOW = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}


class CountingFfmpegRenderer(FfmpegPreviewRenderer):
    def __init__(self) -> None:
        super().__init__()
        self.renders = 0
        self._count_lock = threading.Lock()

    def render(self, source: RenderSource, spec: PreviewSpec) -> bytes:
        with self._count_lock:
            self.renders += 1
        return super().render(source, spec)

    def render_storyboard(
        self, source: RenderSource, spec: StoryboardSpec
    ) -> tuple[bytes, StoryboardLayout]:
        with self._count_lock:
            self.renders += 1
        return super().render_storyboard(source, spec)


@pytest.fixture
def world(cloud: Container, user_id: str) -> Iterator[World]:
    with world_of(cloud, user_id, CountingFfmpegRenderer()) as world:
        yield world


def positions(clip: Clip) -> list[tuple[str, float, int]]:
    """(name, time, expected frame): start, just before a keyframe mid-clip, last frame, end."""
    middle = round(clip.keyframe_seconds * clip.fps) - 1  # the most frames to decode
    return [
        ("start", 0.0, 0),
        ("middle", middle / clip.fps, middle),
        ("last frame", (clip.frames - 1) / clip.fps, clip.frames - 1),
        ("end", clip.seconds, clip.frames - 1),
    ]


@pytest.mark.parametrize("which", ["hd", "sparse"])
def test_thumbnails_show_the_expected_frame_in_every_format(
    world: World,
    samples: Samples,
    which: str,
) -> None:
    clip: Clip = getattr(samples, which)
    # The 1080p clip's record has no duration or fps yet: the service probes the file.
    facts = {} if which == "hd" else {"duration_seconds": clip.seconds, "fps": float(clip.fps)}
    video = world.register(clip.path, MediaType.VIDEO, **facts)
    segment_id = world.segment(video, 0.0, clip.seconds)
    for name, at, expected in positions(clip):
        for image_format in ("jpg", "png", "webp"):
            query = f"?time={at:.3f}&width=320&format={image_format}"
            response = world.get(THUMB.format(segment_id) + query)
            assert response.status_code == 200, (name, response.get_data(as_text=True))
            picture = Image.open(io.BytesIO(response.data))
            assert picture.format == PILLOW[image_format] and picture.width == 320
            assert frame_number(response.data) == expected, (which, name, image_format)
    midpoint = world.get(THUMB.format(segment_id))  # default: the segment's midpoint, 640 px
    assert frame_number(midpoint.data) == round(clip.seconds / 2 * clip.fps)
    assert Image.open(io.BytesIO(midpoint.data)).width == 640
    outside = world.get(THUMB.format(segment_id) + f"?time={clip.seconds + 0.5}")
    assert outside.status_code == 422
    assert f"0 to {clip.seconds:g} seconds" in outside.get_json()["error"]["message"]


def test_gif_frames_follow_the_clip_and_the_limits(world: World, samples: Samples) -> None:
    clip = samples.hd
    video = world.register(clip.path, MediaType.VIDEO, duration_seconds=clip.seconds, fps=30.0)
    response = world.get(GIF.format(video.video_id) + "?start_time=1&duration=1&width=240&fps=10")
    assert response.status_code == 200 and response.content_type == "image/gif"
    gif = Image.open(io.BytesIO(response.data))
    assert gif.width == 240 and gif.n_frames == 10  # type: ignore[attr-defined]
    numbers = []
    for index in range(gif.n_frames):  # type: ignore[attr-defined]
        gif.seek(index)
        out = io.BytesIO()
        gif.convert("RGB").save(out, "PNG")
        numbers.append(frame_number(out.getvalue()))
    assert numbers == [30 + 3 * i for i in range(10)]  # 10 fps out of 30: every third frame
    stored = world.container.derived_media.stat(
        next(iter(world.container.events.published)).payload["gcs_uri"].split("/", 3)[3]  # type: ignore[attr-defined]
    )
    assert stored is not None and stored.content_type == "image/gif"
    etag = response.headers["ETag"]
    again = world.get(GIF.format(video.video_id) + "?start_time=1&duration=1&width=240&fps=10",
                      **{"If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304 and world.renderer.renders == 1
    for bad in ("duration=10.01", "width=641", "fps=31", "duration=0.24", "start_time=4"):
        assert world.get(GIF.format(video.video_id) + "?" + bad).status_code == 422, bad


def test_an_image_is_resized_and_audio_gets_a_waveform(world: World, samples: Samples) -> None:
    image = world.register(samples.image, MediaType.IMAGE)
    segment_id = world.segment(image, 0.0, 0.0)
    response = world.get(THUMB.format(segment_id) + "?width=200&format=png")
    assert response.status_code == 200
    picture = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert picture.size == (200, 150)
    assert picture.getpixel((20, 75))[0] > 180 and picture.getpixel((180, 75))[2] > 180  # type: ignore[index]

    audio = world.register(samples.audio, MediaType.AUDIO, duration_seconds=2.0)
    segment_id = world.segment(audio, 0.0, 2.0)
    wave = world.get(THUMB.format(segment_id) + "?width=400&format=png")
    assert wave.status_code == 200 and Image.open(io.BytesIO(wave.data)).size == (400, 100)
    assert world.get(GIF.format(audio.video_id)).status_code == 422


def test_concurrent_identical_requests_render_once(world: World, samples: Samples) -> None:
    clip = samples.hd
    video = world.register(clip.path, MediaType.VIDEO, duration_seconds=clip.seconds, fps=30.0)
    path = GIF.format(video.video_id) + "?duration=2&width=320"
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: world.get(path), range(6)))
    assert [r.status_code for r in replies] == [200] * 6
    assert len({r.data for r in replies}) == 1
    assert world.renderer.renders == 1
    assert len(world.container.events.published) == 1  # type: ignore[attr-defined]


def test_a_corrupt_file_is_422_and_leaves_no_object(world: World, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 1000)
    video = world.register(broken, MediaType.VIDEO, duration_seconds=5.0, fps=30.0)
    response = world.get(GIF.format(video.video_id))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "media_not_decodable"
    prefix = f"previews/{world.user_id}/"
    bucket = world.container.storage.bucket(world.container.settings.derived_bucket)
    assert not list(bucket.list_blobs(prefix=prefix))
    assert not world.container.events.published  # type: ignore[attr-defined]
    name = derived_object_name(world.user_id, video.video_id, version_of(video), GifSpec())
    assert world.container.render_leases.acquire(name, "next-request", 60)  # given back
