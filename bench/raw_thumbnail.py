"""The ffmpeg thumbnail command the renderer ran before decision 036 (thumbnails are decoded
in-process now): the benches' reference, timed against the endpoint on the same URL.

Input seeking (``-ss`` before ``-i``) decodes from the keyframe before T only; the fit modes
are the scale/crop/pad filters the in-process path reproduces (shared/adapters/
frame_pictures.py).
"""

from __future__ import annotations

from shared.adapters.ffmpeg_commands import _CODECS, _base, _input, seek_point
from shared.domain.previews import FitMode, ThumbnailSpec


def fit_filter(spec: ThumbnailSpec, size: tuple[int, int] | None = None) -> str:
    """The frame scaled to the spec's fit mode; ``size`` is preserve's fitted size (from the
    probe). The other modes give exactly width x height, square pixels."""
    if spec.fit is FitMode.PRESERVE or spec.height is None:
        scale = f"{size[0]}:{size[1]}" if size else f"{spec.width}:-2"
        return f"scale={scale}:flags=bicubic"
    box = f"{spec.width}:{spec.height}"
    if spec.fit is FitMode.CROP:
        return f"scale={box}:force_original_aspect_ratio=increase:flags=bicubic,crop={box},setsar=1"
    if spec.fit is FitMode.PAD:
        return (
            f"scale={box}:force_original_aspect_ratio=decrease:flags=bicubic,"
            f"pad={box}:-1:-1:black,setsar=1"
        )
    return f"scale={box}:flags=bicubic,setsar=1"


def thumbnail_command(
    ffmpeg: str,
    url: str,
    spec: ThumbnailSpec,
    seek: float | None = None,
    fps: float | None = None,
    size: tuple[int, int] | None = None,
    container: str | None = None,
) -> list[str]:
    """One frame at T, fitted, encoded to the pipe."""
    at = seek_point(spec.time if seek is None else seek, fps)
    return [
        *_base(ffmpeg),
        *_input(url, container),
        "-ss",
        at,
        "-i",
        url,
        "-frames:v",
        "1",
        "-an",
        "-vf",
        fit_filter(spec, size),
        *_CODECS[spec.format],
        "-f",
        "image2pipe",
        "-",
    ]
