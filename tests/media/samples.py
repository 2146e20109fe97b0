"""Test media made with ffmpeg's own sources: small, fast, and decodable by the tests.

Video frames carry their own frame number: ten vertical bars, bar k white when bit k of the
frame index is set (drawn small with ``geq`` and scaled up, so generation stays fast). Any
thumbnail at any width and in any format decodes back to the frame it shows.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

BITS = 10
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class Clip:
    path: Path
    width: int
    height: int
    fps: int
    seconds: float
    keyframe_seconds: float

    @property
    def frames(self) -> int:
        return round(self.fps * self.seconds)


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def frame_coded_clip(
    path: Path, *, width: int, height: int, fps: int, seconds: float, keyframe_seconds: float
) -> Clip:
    bars = f"if(mod(floor(N/pow(2,floor(X*{BITS}/W))),2),235,16)"
    source = (
        f"nullsrc=s=160x90:r={fps}:d={seconds},geq=lum='{bars}':cb=128:cr=128,"
        f"scale={width}:{height}:flags=neighbor,format=yuv420p"
    )
    _ffmpeg(
        "-f", "lavfi", "-i", source,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", str(round(fps * keyframe_seconds)),
        "-keyint_min", str(round(fps * keyframe_seconds)), "-sc_threshold", "0",
        "-movflags", "+faststart", str(path),
    )  # fmt: skip
    return Clip(path, width, height, fps, seconds, keyframe_seconds)


def frame_number(image: bytes) -> int:
    """The frame index a thumbnail shows (the inverse of the bars above)."""
    picture = Image.open(io.BytesIO(image))
    picture.seek(0)
    gray = picture.convert("L")
    number = 0
    for bit in range(BITS):
        x = int((bit + 0.5) * gray.width / BITS)
        if gray.getpixel((x, gray.height // 2)) > 128:  # type: ignore[operator]
            number |= 1 << bit
    return number


def still_image(path: Path, width: int = 800, height: int = 600) -> Path:
    """Left half red, right half blue: a resize keeps the halves."""
    picture = Image.new("RGB", (width, height), (220, 30, 30))
    picture.paste((30, 30, 220), (width // 2, 0, width, height))
    picture.save(path)
    return path


def tone(path: Path, seconds: float = 2.0) -> Path:
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", str(path))
    return path
