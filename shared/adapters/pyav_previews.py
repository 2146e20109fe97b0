"""Thumbnails and storyboard sprites decoded in-process (PyAV) rather than by an ffmpeg
command (decision 036): the same frames as the commands they replaced, at less cost.

- A thumbnail seeks on input to the keyframe before its time and decodes up to the frame
  shown at that time, exactly like ``ffmpeg -ss T -i``; it saves the process start and the
  command's second open and probe of the source.
- A storyboard opens the source once and, per tile, seeks to the keyframe at or before the
  tile's time and decodes that one packet (decision 034): it reads the index once and a
  keyframe per tile, where the command either read the whole file or reopened it per tile.
"""

from __future__ import annotations

from PIL import Image

from shared.adapters.ffmpeg_commands import seek_point
from shared.adapters.frame_pictures import encoded, fitted, scaled
from shared.adapters.pyav_frames import (
    DecodeFailed,
    DecodeTimedOut,
    frame_at,
    keyframes_at,
    opened,
)
from shared.adapters.render_errors import too_slow, unreadable
from shared.domain.previews import ImageFormat, ThumbnailSpec
from shared.domain.storyboards import StoryboardLayout

# A thumbnail reads from its keyframe onward: the command's 2 MiB ranges.
FRAME_REQUEST_BYTES = 2 * 1024 * 1024
# A storyboard tile reads one keyframe (50-300 KB at 1080p): ranges of that order. 64 KiB
# made each tile take several round trips, 2 MiB made each read mostly unused bytes.
TILE_REQUEST_BYTES = 256 * 1024


def thumbnail(
    url: str,
    container: str,
    spec: ThumbnailSpec,
    fps: float | None,
    size: tuple[int, int],
    rotation: float,
    seconds: float,
) -> bytes:
    """``size``: the fitted size (preserve) or the exact box; both bounded by the caller."""
    at = float(seek_point(spec.time, fps))
    try:
        with opened(url, container, FRAME_REQUEST_BYTES, seconds) as (box, stream, deadline):
            frame = frame_at(box, stream, at, deadline, seconds)
            picture = fitted(frame, spec, size, rotation)
    except DecodeTimedOut:
        error = too_slow(seconds, "decoding stopped")
        raise error from error.__cause__
    except DecodeFailed as exc:
        raise unreadable(str(exc)) from None
    return encoded(picture, spec.format)


def sprite(
    url: str,
    container: str,
    layout: StoryboardLayout,
    image_format: ImageFormat,
    rotation: float,
    seconds: float,
) -> bytes:
    tile = (layout.tile_width, layout.tile_height)
    canvas = Image.new("RGB", layout.size, "black")
    times = [layout.time(index) for index in range(layout.tiles)]
    try:
        with opened(url, container, TILE_REQUEST_BYTES, seconds) as (box, stream, deadline):
            frames = keyframes_at(box, stream, times, deadline, seconds)
            for index, frame in enumerate(frames):
                found = layout.tile(index)
                canvas.paste(scaled(frame, tile, rotation), (found.x, found.y))
    except DecodeTimedOut:
        error = too_slow(seconds, "decoding stopped")
        raise error from error.__cause__
    except DecodeFailed as exc:
        raise unreadable(str(exc)) from None
    return encoded(canvas, image_format)
