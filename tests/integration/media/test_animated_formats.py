"""Animated WebP and muted looping MP4: the GIF's clip in smaller encodings. Every frame is
checked by its number, as for GIFs; cached, rendered once and answered 304 like them."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from shared.domain.records import MediaType
from tests.integration.media.test_media_rendering import GIF, World, world  # noqa: F401
from tests.media.fixtures import Samples
from tests.media.samples import FFMPEG, frame_number

pytestmark = pytest.mark.emulator
QUERY = "?start_time=1&duration=1&width=240&fps=10"
EXPECTED = [30 + 3 * i for i in range(10)]  # 10 fps out of 30: every third frame from 1 s


def webp_frames(data: bytes) -> tuple[tuple[int, int], list[int]]:
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "WEBP" and getattr(picture, "is_animated", False)
    numbers = []
    for index in range(picture.n_frames):  # type: ignore[attr-defined]
        picture.seek(index)
        out = io.BytesIO()
        picture.convert("RGB").save(out, "PNG")
        numbers.append(frame_number(out.getvalue()))
    return picture.size, numbers


def mp4_frames(data: bytes, folder: Path) -> tuple[tuple[int, int], list[int]]:
    movie = folder / "preview.mp4"
    movie.write_bytes(data)
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-i", str(movie), str(folder / "f%03d.png")],
        check=True,
    )
    pictures = sorted(folder.glob("f*.png"))
    size = Image.open(pictures[0]).size
    return size, [frame_number(p.read_bytes()) for p in pictures]


def mp4_layout(data: bytes) -> list[bytes]:
    """Top-level box types in order (``+faststart``: moov before mdat)."""
    boxes, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        boxes.append(data[at + 4 : at + 8])
        at += size if size >= 8 else len(data)
    return boxes


def test_webp_and_mp4_show_the_gifs_frames_smaller(
    world: World,  # noqa: F811
    samples: Samples,
    tmp_path: Path,
) -> None:
    clip = samples.hd
    video = world.register(clip.path, MediaType.VIDEO, duration_seconds=clip.seconds, fps=30.0)
    path = GIF.format(video.video_id) + QUERY
    gif = world.get(path)
    webp = world.get(path + "&format=webp")
    mp4 = world.get(path + "&format=mp4")
    assert [r.status_code for r in (gif, webp, mp4)] == [200, 200, 200]
    assert gif.content_type == "image/gif"
    assert webp.content_type == "image/webp" and mp4.content_type == "video/mp4"

    assert webp_frames(webp.data) == ((240, 136), EXPECTED)
    assert mp4_frames(mp4.data, tmp_path) == ((240, 136), EXPECTED)
    boxes = mp4_layout(mp4.data)
    assert boxes.index(b"moov") < boxes.index(b"mdat")  # +faststart
    probe = subprocess.run([FFMPEG, "-hide_banner", "-i", str(tmp_path / "preview.mp4")],
                           capture_output=True, text=True)  # fmt: skip
    assert "yuv420p" in probe.stderr and "Audio:" not in probe.stderr  # muted, plays anywhere
    assert len(webp.data) < len(gif.data) and len(mp4.data) < len(gif.data)

    # Each format is its own derived object, announced once, with its own ETag and 304.
    published = world.container.events.published  # type: ignore[attr-defined]
    kinds = sorted(e.payload["content_type"] for e in published)
    assert kinds == ["image/gif", "image/webp", "video/mp4"]
    assert all(e.payload["gcs_uri"].endswith(("gif", "webp", "mp4")) for e in published)
    assert len({gif.headers["ETag"], webp.headers["ETag"], mp4.headers["ETag"]}) == 3
    again = world.get(path + "&format=mp4", **{"If-None-Match": mp4.headers["ETag"]})
    assert again.status_code == 304 and world.renderer.renders == 3
    cached = world.get(path + "&format=webp")
    assert cached.data == webp.data and world.renderer.renders == 3


def test_every_format_has_the_same_limits(world: World, samples: Samples) -> None:  # noqa: F811
    clip = samples.hd
    video = world.register(clip.path, MediaType.VIDEO, duration_seconds=clip.seconds, fps=30.0)
    for image_format in ("webp", "mp4"):
        for bad in ("duration=10.01", "width=641", "fps=31", "start_time=4"):
            reply = world.get(GIF.format(video.video_id) + f"?format={image_format}&{bad}")
            assert reply.status_code == 422, (image_format, bad)
    assert world.get(GIF.format(video.video_id) + "?format=avi").status_code == 422
    image = world.register(samples.image, MediaType.IMAGE)
    still = world.get(GIF.format(image.video_id) + "?format=webp&width=200")
    assert still.status_code == 200 and Image.open(io.BytesIO(still.data)).format == "WEBP"
    refused = world.get(GIF.format(image.video_id) + "?format=mp4")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "preview_not_available"
    assert world.renderer.renders == 1
