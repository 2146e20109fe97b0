"""A decoded video frame made into a preview picture: scaled by swscale straight from the
decoder's pixel format to the size the fit mode needs (never a full-size RGB copy), turned
upright, then cropped, padded or encoded by Pillow.

The geometry matches the ffmpeg filters it replaced (``bench/raw_thumbnail.py``,
``fit_filter``): preserve scales to the probe's fitted size, crop covers the box and keeps its
centre, pad fits inside and centres on black, stretch fills the box.
"""

from __future__ import annotations

import io
import math

from av import VideoFrame
from PIL import Image

from shared.domain.previews import FitMode, ImageFormat, ThumbnailSpec

# The quality of the ffmpeg encoders they replace: mjpeg -q:v 3 is about Pillow's 90; libwebp
# -quality 80 is the same library and setting.
_SAVE: dict[ImageFormat, tuple[str, dict[str, object]]] = {
    ImageFormat.JPG: ("JPEG", {"quality": 90}),
    ImageFormat.PNG: ("PNG", {}),
    ImageFormat.WEBP: ("WEBP", {"quality": 80}),
}
# A stream's display rotation (ffmpeg's "rotation of R degrees", counter-clockwise) undone the
# way ffmpeg's autorotate does: -90 is shown turned a quarter clockwise.
_UPRIGHT = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def quarter_turns(rotation: float) -> int:
    return round(-rotation / 90) % 4


def scaled(frame: VideoFrame, size: tuple[int, int], rotation: float) -> Image.Image:
    """The frame at ``size`` as shown (after rotation), bicubic like the command's scale."""
    turns = quarter_turns(rotation)
    stored = (size[1], size[0]) if turns % 2 else size
    image = frame.to_image(width=stored[0], height=stored[1], interpolation="BICUBIC")
    if turns:
        image = image.transpose(_UPRIGHT[turns * 90])
    return image


def fitted(
    frame: VideoFrame, spec: ThumbnailSpec, size: tuple[int, int], rotation: float
) -> Image.Image:
    """``size``: preserve's size fitted by the render limits, or the exact box otherwise."""
    if spec.fit is FitMode.PRESERVE or spec.height is None or spec.fit is FitMode.STRETCH:
        return scaled(frame, size, rotation)
    box_w, box_h = size
    turned = quarter_turns(rotation) % 2
    shown_w, shown_h = (frame.height, frame.width) if turned else (frame.width, frame.height)
    if spec.fit is FitMode.CROP:
        scale = max(box_w / shown_w, box_h / shown_h)
        cover = (max(math.ceil(shown_w * scale), box_w), max(math.ceil(shown_h * scale), box_h))
        image = scaled(frame, cover, rotation)
        left, top = (cover[0] - box_w) // 2, (cover[1] - box_h) // 2
        return image.crop((left, top, left + box_w, top + box_h))
    scale = min(box_w / shown_w, box_h / shown_h)
    inside = (
        min(max(round(shown_w * scale), 1), box_w),
        min(max(round(shown_h * scale), 1), box_h),
    )
    canvas = Image.new("RGB", (box_w, box_h), "black")
    corner = ((box_w - inside[0]) // 2, (box_h - inside[1]) // 2)
    canvas.paste(scaled(frame, inside, rotation), corner)
    return canvas


def encoded(image: Image.Image, image_format: ImageFormat) -> bytes:
    name, options = _SAVE[image_format]
    out = io.BytesIO()
    image.convert("RGB").save(out, name, **options)
    return out.getvalue()
