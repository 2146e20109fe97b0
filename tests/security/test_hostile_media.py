"""Hostile media against the real media function and processing worker (GCS and Firestore
emulators, the real ffmpeg): the worst shapes render inside the documented memory ceiling
and time limit or are refused with a 422 naming the limit before the render's ffmpeg starts;
image headers claiming huge sizes are 422s (media that points elsewhere:
test_media_pointers.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shared.domain.records import MediaType
from shared.domain.render_limits import (
    MAX_GIF_PIXELS,
    MAX_IMAGE_PIXELS,
    MAX_RENDER_SECONDS,
    RENDER_MEMORY_BYTES,
)
from tests.media.child_peaks import ChildPeaks, OwnPeak
from tests.media.hostile_samples import (
    png_header,
    shaped_clip,
    silent_flac,
)
from tests.support.media_world import World, timed

pytestmark = pytest.mark.emulator
CEILING_MB = RENDER_MEMORY_BYTES / 2**20
# Documented peaks (docs/reliability.md, "Hostile tenants — renders") with a margin for
# another ffmpeg build: the largest GIF the budget allows peaked at ~360 MB, a 30-minute
# waveform at ~72 MB, a 1920 px thumbnail of a 4K frame at ~150 MB. Thumbnails and
# storyboards decode in-process (decision 036): their figure is this process's growth.
DOCUMENTED_MB = {"gif": 450, "waveform": 150, "thumbnail": 250, "storyboard": 150}


def only_probes(peaks: ChildPeaks) -> bool:
    """No ffmpeg child but the probe (a media version's first render probes it once)."""
    return all("-format_whitelist" in command for command in peaks.commands.values())


# --- worst shapes: rendered inside the ceiling, or refused naming the limit -----------------


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-shapes")
    return {
        "tall": shaped_clip(folder / "tall.mp4", 64, 1024),  # the 12 s 64x1024 clip
        "wide": shaped_clip(folder / "wide.mp4", 1024, 64, seconds=3),
        "square": shaped_clip(folder / "square.mp4", 640, 640, seconds=1),
        "rotated": shaped_clip(folder / "rotated.mp4", 640, 360, seconds=1, rotation=90),
        "8k": shaped_clip(folder / "8k.mp4", 8192, 4320, seconds=0.1),
        # The largest frame decoded (MAX_SOURCE_PIXELS): the worst in-process decode.
        "4k": shaped_clip(folder / "4k.mp4", 4096, 2160, seconds=0.5),
        "silence": silent_flac(folder / "silence.flac", 1800),
        # 20 minutes: a storyboard's most tiles (100); small frames keep making it quick.
        "long": shaped_clip(
            folder / "long.mp4", 320, 180, fps=2, seconds=1200, keyframe_seconds=10
        ),
    }


@pytest.mark.parametrize(
    ("shape", "kind", "query", "size"),
    [
        ("tall", "gif", "duration=10&fps=30&width=640", (40, 640)),
        ("tall", "thumbnail", "time=5&width=1920", (120, 1920)),
        ("wide", "gif", "duration=3&fps=30&width=640", (640, 40)),
        ("rotated", "thumbnail", "time=0.5&width=320", (320, 568)),  # shown upright: 360x640
        ("4k", "thumbnail", "time=0.4&width=1920", (1920, 1012)),
        ("silence", "waveform", "width=1920&format=png", (1920, 480)),
    ],
)
def test_worst_shapes_render_inside_the_memory_ceiling_and_time_limit(
    world: World, shapes: dict[str, Path], shape: str, kind: str, query: str, size: tuple[int, int]
) -> None:
    audio = kind == "waveform"
    video = world.register(shapes[shape], MediaType.AUDIO if audio else MediaType.VIDEO)
    path = world.preview_path(video, kind, query)
    with ChildPeaks() as peaks, OwnPeak() as own:
        response, seconds = timed(lambda: world.get(path))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert Image.open(io.BytesIO(response.data)).size == size
    if kind == "thumbnail":  # decoded in this process
        assert only_probes(peaks) and own.grown_mb < DOCUMENTED_MB[kind]
    else:
        assert peaks.commands, "no ffmpeg child was seen"
        assert peaks.address_mb < CEILING_MB and peaks.resident_mb < DOCUMENTED_MB[kind]
    assert seconds < MAX_RENDER_SECONDS
    print(f"\n{shape} {kind} {query}: {peaks.resident_mb:.0f} MB resident (child), "
          f"{peaks.address_mb:.0f} MB address space (child), {own.grown_mb:.0f} MB grown "
          f"in-process, {seconds:.2f} s")  # fmt: skip


@pytest.mark.parametrize(
    ("shape", "path", "size"),
    [
        ("tall", "gif?format=webp&duration=10&fps=30&width=640", (40, 640)),
        ("tall", "gif?format=mp4&duration=10&fps=30&width=640", None),
        ("wide", "gif?format=webp&duration=3&fps=30&width=640", (640, 40)),
        ("tall", "storyboard.jpg", (10 * 16, 2 * 256)),  # 12 tiles of 16x256
        ("wide", "storyboard.webp", (3 * 256, 16)),  # 3 tiles of 256x16
        ("long", "storyboard.jpg", (10 * 256, 10 * 144)),  # 100 tiles, the most
        ("4k", "storyboard.jpg", (256, 136)),  # the largest frames decoded
    ],
)
def test_worst_shapes_of_webp_mp4_and_storyboards_stay_bounded(
    world: World, shapes: dict[str, Path], shape: str, path: str, size: tuple[int, int] | None
) -> None:
    video = world.register(shapes[shape], MediaType.VIDEO)
    with ChildPeaks() as peaks, OwnPeak() as own:
        response, seconds = timed(lambda: world.get(f"/api/v2/videos/{video.video_id}/{path}"))
    assert response.status_code == 200, response.get_data(as_text=True)
    if size is not None:
        assert Image.open(io.BytesIO(response.data)).size == size
    if "storyboard" in path:  # decoded in this process, one tile at a time
        assert only_probes(peaks) and own.grown_mb < DOCUMENTED_MB["storyboard"]
    else:
        # A render of a few hundred ms can end between two samples of the process table.
        assert peaks.commands or seconds < 1.0, "no ffmpeg child was seen"
        assert peaks.address_mb < CEILING_MB and peaks.resident_mb < DOCUMENTED_MB["gif"]
    assert seconds < MAX_RENDER_SECONDS
    print(f"\n{shape} {path}: {peaks.resident_mb:.0f} MB resident (child), "
          f"{peaks.address_mb:.0f} MB address space (child), {own.grown_mb:.0f} MB grown "
          f"in-process, {seconds:.2f} s")  # fmt: skip


@pytest.mark.parametrize(
    ("shape", "kind", "query", "named"),
    [
        ("square", "gif", "duration=10&fps=30&width=640", f"{MAX_GIF_PIXELS:,} pixels"),
        ("8k", "thumbnail", "time=0&width=640", "4096x2160"),
    ],
)
def test_renders_over_budget_are_refused_before_the_render_starts(
    world: World, shapes: dict[str, Path], shape: str, kind: str, query: str, named: str
) -> None:
    video = world.register(shapes[shape], MediaType.VIDEO)
    path = world.preview_path(video, kind, query)
    with ChildPeaks() as peaks:
        response = world.get(path)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and named in error["message"]
    assert error["details"]["errors"][0]["limit"]["le"] > 0
    # Only the probe ran: no decode, no palette.
    assert only_probes(peaks)


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (9000, 9000), (7100, 7100)])
def test_an_image_header_over_the_pixel_budget_is_422(
    world: World, tmp_path: Path, width: int, height: int
) -> None:
    """20000² trips Pillow's own bomb error, 9000² its warning, 7100² only our limit: each is
    a 422 naming the limit, from a header of a few dozen bytes, never a decode or a 500."""
    image = world.register(png_header(tmp_path / "claims.png", width, height), MediaType.IMAGE)
    path = world.preview_path(image, "thumbnail", "width=1920")
    response, seconds = timed(lambda: world.get(path))
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert f"{MAX_IMAGE_PIXELS:,} pixels" in error["message"]
    assert seconds < 5
