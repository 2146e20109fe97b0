"""Still images through Pillow: checked for corruption, turned upright, shrunk for analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import UnprocessableMedia

Image.MAX_IMAGE_PIXELS = 100_000_000  # refuse decompression bombs beyond ~100 megapixels


def _opened(source: Path) -> Image.Image:
    try:
        with Image.open(source) as probe:
            probe.verify()
        image = Image.open(source)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnprocessableMedia(f"Not a readable image: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise UnprocessableMedia("The image is too large to process.") from exc
    return ImageOps.exif_transpose(image)


def image_size(source: Path) -> tuple[int, int]:
    image = _opened(source)
    return image.width, image.height


def image_frame(source: Path, width: int) -> npt.NDArray[np.uint8]:
    image = _opened(source).convert("RGB")
    height = max(1, round(width * image.height / image.width))
    small = image.resize((width, height), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8)
