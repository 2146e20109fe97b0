"""Thumbnail height and fit modes, for real: each mode's geometry and the frame it shows
(video through ffmpeg, images through Pillow), each cached under its own parameters."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shared.domain.records import MediaType
from tests.integration.media.test_media_rendering import THUMB, World, world  # noqa: F401
from tests.media.fixtures import Samples
from tests.media.samples import frame_number

pytestmark = pytest.mark.emulator


def picture(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def dark(image: Image.Image, y: int) -> bool:
    return max(image.getpixel((image.width // 2, y))) < 24  # type: ignore[arg-type]


@pytest.mark.parametrize("image_format", ["jpg", "png", "webp"])
def test_every_fit_mode_has_its_geometry_and_the_right_frame(
    world: World,  # noqa: F811
    samples: Samples,
    image_format: str,
) -> None:
    clip = samples.hd  # 16:9; frame 45 is 1.5 s in
    video = world.register(clip.path, MediaType.VIDEO, duration_seconds=clip.seconds, fps=30.0)
    segment_id = world.segment(video, 0.0, clip.seconds)
    at = f"?time=1.5&format={image_format}"
    cases = {
        "width=200&height=200": (200, 112),  # preserve (the default): fits inside
        "height=90": (160, 90),  # preserve, height only: as wide as fits
        "width=200&height=200&fit_mode=pad": (200, 200),
        "width=200&height=200&fit_mode=stretch": (200, 200),
        "width=320&height=100&fit_mode=crop": (320, 100),
    }
    names = set()
    for query, size in cases.items():
        reply = world.get(THUMB.format(segment_id) + at + "&" + query)
        assert reply.status_code == 200, (query, reply.get_data(as_text=True))
        shown = picture(reply.data)
        assert shown.size == size, query
        assert frame_number(reply.data) == 45, query
        names.add(reply.headers["ETag"])
        if "pad" in query:  # (200 - 112) / 2 = 44 black rows above and below the frame
            assert dark(shown, 5) and dark(shown, 194) and not dark(shown, 100)
    assert len(names) == len(cases) and world.renderer.renders == len(cases)
    repeat = world.get(THUMB.format(segment_id) + at + "&width=200&height=200&fit_mode=pad")
    assert repeat.status_code == 200 and world.renderer.renders == len(cases)


def test_fit_modes_on_an_image_and_their_limits(world: World, samples: Samples) -> None:  # noqa: F811
    image = world.register(samples.image, MediaType.IMAGE)  # 800x600, left red, right blue
    segment_id = world.segment(image, 0.0, 0.0)

    def get(query: str) -> Image.Image:
        reply = world.get(THUMB.format(segment_id) + "?format=png&" + query)
        assert reply.status_code == 200, (query, reply.get_data(as_text=True))
        return picture(reply.data)

    crop = get("width=100&height=300&fit_mode=crop")  # the middle 100 of a 400x300 resize
    assert crop.size == (100, 300)
    assert crop.getpixel((10, 150))[0] > 180 and crop.getpixel((90, 150))[2] > 180  # type: ignore[index]
    pad = get("width=200&height=200&fit_mode=pad")  # 200x150 inside, 25 px bars
    assert pad.size == (200, 200) and dark(pad, 5) and dark(pad, 194) and not dark(pad, 100)
    assert get("width=200&height=50&fit_mode=stretch").size == (200, 50)
    assert get("width=200&height=50").size == (67, 50)

    for bad in ("fit_mode=crop&width=100", "fit_mode=pad&height=100", "height=1921",
                "height=8", "fit_mode=smartcrop&width=10&height=10", "width=1921"):  # fmt: skip
        reply = world.get(THUMB.format(segment_id) + "?" + bad)
        assert reply.status_code == 422, bad
    missing = world.get(THUMB.format(segment_id) + "?fit_mode=crop&width=100")
    assert "needs both width and height" in missing.get_json()["error"]["message"]
