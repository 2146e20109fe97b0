"""Storyboards for real: one in-process decode (one open, a seek per tile) tiles the media;
the VTT and JSON describe the sprite exactly (every cue's rectangle inside it, showing the
expected keyframe)."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image

from shared.domain.records import MediaType
from tests.integration.media.test_media_rendering import World, world  # noqa: F401
from tests.media.fixtures import Samples
from tests.media.samples import Clip, frame_number

pytestmark = pytest.mark.emulator
BOARD = "/api/v2/videos/{}/storyboard.{}"
STAMP = r"(\d\d):(\d\d):(\d\d)\.(\d{3})"
CUE = re.compile(rf"^{STAMP} --> {STAMP}\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$")


def seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_vtt(text: str) -> list[tuple[float, float, str, tuple[int, int, int, int]]]:
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.split("\n\n")[1:]:
        if not block.strip():
            continue
        found = CUE.match(block.strip())
        assert found, block
        g = found.groups()
        rect = (int(g[9]), int(g[10]), int(g[11]), int(g[12]))
        cues.append((seconds(*g[0:4]), seconds(*g[4:8]), g[8], rect))
    return cues


def keyframe_before(clip: Clip, at: float) -> int:
    gop = round(clip.keyframe_seconds * clip.fps)
    return int(at * clip.fps + 1e-6) // gop * gop


def tile_image(sprite: Image.Image, rect: tuple[int, int, int, int]) -> bytes:
    x, y, w, h = rect
    out = io.BytesIO()
    sprite.crop((x, y, x + w, y + h)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("which", ["hd", "sparse"])
def test_the_vtt_maps_every_cue_inside_the_sprite_to_its_keyframe(
    world: World,  # noqa: F811
    samples: Samples,
    which: str,
) -> None:
    """Keyframes every 2 s (hd) and every 10 s (sparse: several tiles share a keyframe)."""
    clip: Clip = getattr(samples, which)
    video = world.register(clip.path, MediaType.VIDEO, duration_seconds=clip.seconds, fps=30.0)
    vtt = world.get(BOARD.format(video.video_id, "vtt"))
    assert vtt.status_code == 200 and vtt.content_type.startswith("text/vtt")
    cues = parse_vtt(vtt.get_data(as_text=True))
    assert len(cues) == min(50, int(clip.seconds))  # one tile per second at most
    sprite_reply = world.get(BOARD.format(video.video_id, "jpg"))
    assert sprite_reply.status_code == 200 and sprite_reply.content_type == "image/jpeg"
    sprite = Image.open(io.BytesIO(sprite_reply.data)).convert("RGB")
    assert world.renderer.renders == 1  # the VTT rendered it; the sprite request read it

    link = urlsplit(cues[0][2]).path
    keyless = world.client.get(link)  # the sprite the VTT names loads without a key
    assert keyless.status_code == 200 and keyless.data == sprite_reply.data
    previous_end = 0.0
    for start, end, url, (x, y, w, h) in cues:
        assert url == cues[0][2] and (w, h) == (256, 144)
        assert x >= 0 and x + w <= sprite.width and y >= 0 and y + h <= sprite.height
        assert abs(start - previous_end) < 0.002 and end > start  # contiguous, in order
        previous_end = end
        assert frame_number(tile_image(sprite, (x, y, w, h))) == keyframe_before(clip, start)
    assert abs(previous_end - clip.seconds) < 0.002

    board = world.get(BOARD.format(video.video_id, "json"))
    assert board.status_code == 200
    body = board.get_json()
    assert body["duration"] == clip.seconds and len(body["tiles"]) == len(cues)
    assert (body["tile_width"], body["tile_height"]) == (256, 144)
    assert body["columns"] * body["tile_width"] == sprite.width
    assert [(t["start"], t["x"], t["y"]) for t in body["tiles"]] == [
        (round(c[0], 3), c[3][0], c[3][1]) for c in cues
    ]
    again = world.get(BOARD.format(video.video_id, "vtt"), **{"If-None-Match": vtt.headers["ETag"]})
    assert again.status_code == 304
    stale = world.get(
        BOARD.format(video.video_id, "json"), **{"If-None-Match": board.headers["ETag"]}
    )
    assert stale.status_code == 304
    webp = world.get(BOARD.format(video.video_id, "webp"))
    assert webp.status_code == 200 and Image.open(io.BytesIO(webp.data)).size == sprite.size
    webp_vtt = world.get(BOARD.format(video.video_id, "vtt") + "?format=webp").get_data(
        as_text=True
    )
    assert parse_vtt(webp_vtt)[0][2] != cues[0][2]  # the WebP sprite's own link
    assert world.get(BOARD.format(video.video_id, "vtt") + "?format=png").status_code == 422
    assert world.renderer.renders == 2


def test_images_are_one_tile_and_audio_is_refused(world: World, samples: Samples) -> None:  # noqa: F811
    image = world.register(samples.image, MediaType.IMAGE)  # 800x600
    body = world.get(BOARD.format(image.video_id, "json")).get_json()
    assert (body["tile_width"], body["tile_height"], len(body["tiles"])) == (256, 192, 1)
    sprite = Image.open(io.BytesIO(world.get(BOARD.format(image.video_id, "jpg")).data))
    assert sprite.size == (256, 192)

    audio = world.register(samples.audio, MediaType.AUDIO, duration_seconds=2.0)
    for ext in ("jpg", "webp", "vtt", "json"):
        refused = world.get(BOARD.format(audio.video_id, ext))
        assert refused.status_code == 422, ext
        error = refused.get_json()["error"]
        assert error["code"] == "preview_not_available" and "Audio" in error["message"]
