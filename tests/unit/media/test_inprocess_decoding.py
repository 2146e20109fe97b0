"""The in-process (PyAV) renders keep the command's failure semantics: a source that stalls
is a 503 within the render's limit, one that cannot be read is a 422, and neither text
carries the signed URL; a rotated stream is turned as ffmpeg turns it."""

from __future__ import annotations

import io
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest
from PIL import Image, ImageChops, ImageStat

from shared.adapters import pyav_previews
from shared.adapters.ffmpeg_probe import probe_file
from shared.domain.previews import ImageFormat, ThumbnailSpec
from shared.domain.render_limits import fit_inside, upright_size
from shared.errors import ServiceUnavailable, ValidationFailed

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
SIGNED = "?X-Goog-Credential=svc&X-Goog-Signature=deadbeef"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    yield server.getsockname()[1]
    server.close()


def thumbnail(url: str, seconds: float) -> bytes:
    spec = ThumbnailSpec(time_ms=0, width=64)
    return pyav_previews.thumbnail(url, "mov,mp4", spec, 30.0, (64, 36), 0.0, seconds)


def test_a_silent_source_is_503_within_the_limit_without_the_url(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        thumbnail(f"http://127.0.0.1:{silent_port}/m.mp4{SIGNED}", 0.5)
    assert time.monotonic() - started < 3
    assert not isinstance(caught.value, ValidationFailed)
    assert "deadbeef" not in str(caught.value) + str(caught.value.__cause__)


def test_an_unreachable_source_is_422_without_the_url() -> None:
    with pytest.raises(ValidationFailed) as caught:
        thumbnail(f"http://127.0.0.1:9/m.mp4{SIGNED}", 5)
    assert caught.value.code == "media_not_decodable"
    assert "deadbeef" not in caught.value.message and "X-Goog" not in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_a_rotated_stream_is_shown_as_ffmpeg_autorotates_it(tmp_path: Path, rotation: int) -> None:
    """The picture, not just its size: the in-process thumbnail of a stream with a display
    rotation matches ffmpeg's autorotated frame (a wrong turn differs by ~200 per channel)."""
    plain, turned = tmp_path / "plain.mp4", tmp_path / "turned.mp4"
    ffmpeg = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(
        [*ffmpeg, "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=1", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(plain)],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [*ffmpeg, "-display_rotation", str(rotation), "-i", str(plain), "-c", "copy", str(turned)],
        check=True,
    )
    probe = probe_file(FFMPEG, turned)
    size = fit_inside(*upright_size(probe.width or 0, probe.height or 0, probe.rotation), 160, 1920)
    spec = ThumbnailSpec(time_ms=500, width=160, format=ImageFormat.PNG)
    ours = pyav_previews.thumbnail(
        str(turned), probe.container, spec, 30.0, size, probe.rotation, 30
    )
    theirs = subprocess.run(
        [*ffmpeg, "-ss", "0.5", "-i", str(turned), "-frames:v", "1", "-vf",
         f"scale={size[0]}:{size[1]}", "-c:v", "png", "-f", "image2pipe", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    a, b = (Image.open(io.BytesIO(data)).convert("RGB") for data in (ours, theirs))
    assert a.size == b.size == size
    assert max(ImageStat.Stat(ImageChops.difference(a, b)).mean) < 12


def test_a_stream_that_grows_past_the_limit_mid_file_is_422_not_decoded(tmp_path: Path) -> None:
    """A transport stream of a small picture, then one over 4096x2160: the probe sees the
    small one; the decoder's own bound refuses the large frames instead of allocating them."""
    small, large, joined = tmp_path / "small.ts", tmp_path / "large.ts", tmp_path / "joined.ts"
    ffmpeg = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"]
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mpegts"]
    subprocess.run([*ffmpeg, "color=c=red:s=320x180:r=10:d=1", *encode, str(small)], check=True)
    subprocess.run([*ffmpeg, "color=c=blue:s=4608x2592:r=10:d=1", *encode, str(large)], check=True)
    joined.write_bytes(small.read_bytes() + large.read_bytes())
    probe = probe_file(FFMPEG, joined)
    assert (probe.width, probe.height) == (320, 180)  # what the probe's bound saw
    spec = ThumbnailSpec(time_ms=1500, width=64)
    with pytest.raises(ValidationFailed) as caught:
        pyav_previews.thumbnail(str(joined), probe.container, spec, 10.0, (64, 36), 0.0, 30)
    assert caught.value.code == "media_not_decodable"
