"""What one preview may cost, decided from the probe before any decoding starts.

A render's memory grows with what it must hold: a GIF's one-pass palette keeps every output
frame until the palette is known (frames x width x height x 4 bytes), a thumbnail one source
frame plus its references, an image the decoded bitmap. So each preview kind has a pixel
budget checked here, from the source's stored size and rotation, and a render that would
exceed it is refused with a 422 naming the limit (decision 032; measured figures in
docs/reliability.md, "Hostile tenants — renders").
"""

from __future__ import annotations

import math

from shared.errors import ValidationFailed

# Both output dimensions are bounded: a thumbnail fits inside width x 1920, a GIF inside
# width x 640 (a 64x1024 source at width 640 made 640x10240 frames when only the width was).
MAX_THUMBNAIL_HEIGHT = 1920
MAX_GIF_HEIGHT = 640
# frames x width x height of a GIF: the contract's largest landscape GIF (10 s, 30 fps,
# 640x360) and no more; ~360 MB resident for the one-pass palette (measured).
MAX_GIF_PIXELS = 300 * 640 * 360
# WebP and MP4 encoders stream (libwebp_anim keeps the previous frame, x264 its ~40-frame
# lookahead), so memory does not grow with frames; their budget bounds the encoding time
# instead, and is the same clip as the GIF's: one request, whatever its format, costs at
# most the contract's largest animation. Keyed by AnimationFormat's value.
MAX_ANIMATION_PIXELS = {"gif": MAX_GIF_PIXELS, "webp": MAX_GIF_PIXELS, "mp4": MAX_GIF_PIXELS}
# A decoded source frame: DCI 4K. Larger sources cost more to decode than any preview is worth.
MAX_SOURCE_PIXELS = 4096 * 2160
# A still image's decoded bitmap, after JPEG draft scaling (~200 MB as RGBA).
MAX_IMAGE_PIXELS = 50_000_000
# Audio waveforms: decoded downsampled to mono at this rate, and at most this much of it.
WAVEFORM_SAMPLE_RATE = 8000
MAX_WAVEFORM_SECONDS = 1800.0
# Every ffmpeg process: an address-space ceiling (the worst allowed render peaked at 653 MB
# of address space, 357 MB resident) and a wall time derived from the work asked.
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024
# A base covering start, seek and a busy machine (renders ran 5-7x slower at load 14 on 2
# cores), plus 5-7x the measured quiet cost per megapixel written and per source megapixel
# decoded; capped below the render lease (90 s).
BASE_RENDER_SECONDS = 30.0
SECONDS_PER_OUTPUT_MEGAPIXEL = 0.25
SECONDS_PER_DECODED_MEGAPIXEL = 0.01
MAX_RENDER_SECONDS = 60.0


def over_limit(what: str, asked: str, limit: str, field: str, value: float) -> ValidationFailed:
    return ValidationFailed(
        f"{what} would be {asked}; the limit is {limit}.",
        details={"errors": [{"field": field, "limit": {"le": value}}]},
    )


def upright_size(width: int, height: int, rotation: float) -> tuple[int, int]:
    """The size ffmpeg shows after applying the stream's rotation (it autorotates)."""
    quarter_turns = round(rotation / 90) % 2
    return (height, width) if quarter_turns else (width, height)


def fit_inside(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The source's shape scaled to fit the box (upscaled too, like ``scale=W:-2``), each side
    rounded to the nearest even number (yuv420p encoders need it) within the box."""
    scale = min(box_width / width, box_height / height)

    def even(value: float, bound: int) -> int:
        return max(2, min(math.floor(value / 2 + 0.5) * 2, bound // 2 * 2))

    return even(width * scale, box_width), even(height * scale, box_height)


def fit_image(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """Pillow has no even-size rule: the exact fit, at least 1 px."""
    scale = min(box_width / width, box_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def check_source(width: int | None, height: int | None) -> None:
    if width and height and width * height > MAX_SOURCE_PIXELS:
        raise over_limit(
            "Decoding this media's frames",
            f"{width}x{height} pixels per frame",
            f"{MAX_SOURCE_PIXELS:,} pixels per source frame (4096x2160)",
            "source_pixels",
            MAX_SOURCE_PIXELS,
        )


def check_gif(width: int, height: int, frames: int, format: str = "gif") -> None:
    pixels = width * height * frames
    budget = MAX_ANIMATION_PIXELS[format]
    if pixels > budget:
        raise over_limit(
            "This GIF" if format == "gif" else f"This animated {format.upper()}",
            f"{frames} frames of {width}x{height} = {pixels:,} pixels",
            f"{budget:,} pixels (frames x width x height): ask for fewer seconds, "
            "a lower fps or a smaller width",
            "duration",
            budget,
        )


def check_image(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise over_limit(
            "Decoding this image",
            f"{width}x{height} = {width * height:,} pixels",
            f"{MAX_IMAGE_PIXELS:,} pixels",
            "image_pixels",
            MAX_IMAGE_PIXELS,
        )


def gif_frames(duration: float, fps: int) -> int:
    """The frames ``fps=F:round=up`` makes from ``duration`` seconds."""
    return max(1, math.ceil(duration * fps - 1e-9))


def render_seconds(output_megapixels: float, decoded_megapixels: float = 0.0) -> float:
    """Wall time for a render: a base (start, seek, the source's first bytes) plus a share
    per megapixel written and decoded, capped below the render lease."""
    work = (
        SECONDS_PER_OUTPUT_MEGAPIXEL * output_megapixels
        + SECONDS_PER_DECODED_MEGAPIXEL * decoded_megapixels
    )
    return min(BASE_RENDER_SECONDS + work, MAX_RENDER_SECONDS)


def waveform_seconds(audio_seconds: float) -> float:
    """Decoding audio to 8 kHz mono ran at ~500x real time on a quiet machine (30 min in
    3.2 s); 1/100 leaves a margin for a busy one."""
    return min(BASE_RENDER_SECONDS + audio_seconds / 100, MAX_RENDER_SECONDS)
