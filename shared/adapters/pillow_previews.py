"""An image's preview is the image itself, resized: with Pillow, bounded before decoding.

``Image.open`` reads only the header, so the pixel budget is checked on the size it claims
before ``load()``; a JPEG is first told the size wanted (``draft``), so its decoder scales
down by up to 8 while decoding and a large photo costs a fraction of its full bitmap.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.domain.previews import AnimationFormat, FitMode, GifSpec, ImageFormat, ThumbnailSpec
from shared.domain.render_limits import (
    MAX_GIF_HEIGHT,
    MAX_IMAGE_PIXELS,
    MAX_THUMBNAIL_HEIGHT,
    check_image,
    fit_image,
    upright_size,
)
from shared.errors import ValidationFailed

_PILLOW = {ImageFormat.JPG: "JPEG", ImageFormat.PNG: "PNG", ImageFormat.WEBP: "WEBP"}
# EXIF orientations 5-8 turn the picture a quarter: its shown size is the stored one swapped.
_QUARTER_TURNS = {5, 6, 7, 8}


def not_an_image(what: str) -> ValidationFailed:
    return ValidationFailed(
        f"The media could not be decoded ({what}).", code="media_not_decodable", details={}
    )


def _opened(data: bytes) -> Image.Image:
    """The header only. Pillow's own bomb check (a warning above its limit, an error at twice
    it) runs here on the full size: the warning is ours to judge after ``draft`` (our limit
    is lower), the error is a 422 naming our limit, never a 500."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ValidationFailed(
            f"Decoding this image would exceed the limit of {MAX_IMAGE_PIXELS:,} pixels.",
            details={"errors": [{"field": "image_pixels", "limit": {"le": MAX_IMAGE_PIXELS}}]},
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise not_an_image("not an image Pillow can read") from exc


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:  # a damaged EXIF block only loses the rotation
        return 1


def resize_image(data: bytes, spec: ThumbnailSpec | GifSpec) -> bytes:
    """Fitted inside the requested width and the kind's height limit, upright."""
    image = _opened(data)
    turned = _orientation(image) in _QUARTER_TURNS
    shown_w, shown_h = upright_size(image.width, image.height, 90 if turned else 0)
    fit = FitMode.PRESERVE if isinstance(spec, GifSpec) else spec.fit
    box_h = MAX_GIF_HEIGHT if isinstance(spec, GifSpec) else spec.height or MAX_THUMBNAIL_HEIGHT
    target = fit_image(shown_w, shown_h, spec.width, box_h)
    if fit is not FitMode.PRESERVE:
        target = (spec.width, box_h)
        if fit is FitMode.CROP:  # decode at least the covering size
            scale = max(spec.width / shown_w, box_h / shown_h)
            target = (max(round(shown_w * scale), 1), max(round(shown_h * scale), 1))
    if image.format == "JPEG":
        stored_target = (target[1], target[0]) if turned else target
        image.draft("RGB", stored_target)  # decode at 1/2, 1/4 or 1/8 scale when that suffices
    check_image(image.width, image.height)
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as exc:
        raise not_an_image("the image data is damaged") from exc
    if fit is FitMode.CROP:
        image = ImageOps.fit(image, (spec.width, box_h), Image.Resampling.LANCZOS)
    elif fit is FitMode.PAD:
        image = ImageOps.pad(
            image.convert("RGB"), (spec.width, box_h), Image.Resampling.LANCZOS, color="black"
        )
    else:
        image = image.resize(target, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if isinstance(spec, GifSpec):  # an animation of one frame: the picture itself
        still = "WEBP" if spec.format is AnimationFormat.WEBP else "GIF"
        image.convert("RGB").save(out, still)
    else:
        keep_alpha = spec.format is not ImageFormat.JPG and image.mode in ("RGBA", "LA")
        image.convert("RGBA" if keep_alpha else "RGB").save(out, _PILLOW[spec.format])
    return out.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    """The size of a picture we made (its header only)."""
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size
