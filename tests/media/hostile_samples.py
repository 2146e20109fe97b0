"""Media shaped to hurt a renderer: extreme aspect ratios, rotation, long silence, high frame
rates, image headers that claim huge sizes, and files that point at other files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.media.samples import _ffmpeg


def shaped_clip(
    path: Path,
    width: int,
    height: int,
    *,
    fps: int = 30,
    seconds: float = 12.0,
    keyframe_seconds: float = 1.0,
    rotation: int | None = None,
) -> Path:
    """A busy picture (testsrc2) of that size; ``rotation`` sets the display matrix."""
    gop = str(max(1, round(fps * keyframe_seconds)))
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", gop, "-keyint_min", gop,
        "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path),
    )  # fmt: skip
    if rotation is None:
        return path
    turned = path.with_name(f"turned-{path.name}")
    _ffmpeg("-display_rotation", str(rotation), "-i", str(path), "-c", "copy", str(turned))
    turned.replace(path)
    return path


def silent_flac(path: Path, seconds: float, rate: int = 48000) -> Path:
    """Silence compresses to almost nothing: a tiny file that decodes to a long track."""
    _ffmpeg(
        "-f", "lavfi", "-i", f"anullsrc=r={rate}:cl=stereo", "-t", str(seconds),
        "-c:a", "flac", str(path),
    )  # fmt: skip
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(path: Path, width: int, height: int) -> Path:
    """A PNG of a few dozen bytes whose header claims ``width`` x ``height``: decoding it
    would allocate the whole bitmap before finding the data missing."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    body = _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def large_jpeg(path: Path, width: int, height: int) -> Path:
    """A real photo-sized JPEG (flat colour halves: small file, full-size bitmap)."""
    picture = Image.new("RGB", (width, height), (200, 40, 40))
    picture.paste((40, 40, 200), (width // 2, 0, width, height))
    picture.save(path, "JPEG", quality=70)
    return path


def hls_playlist(path: Path, segment_url: str) -> Path:
    """An HLS playlist whose one segment lives on another host."""
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        f"#EXTINF:2.0,\n{segment_url}\n#EXT-X-ENDLIST\n"
    )
    return path


def concat_list(path: Path, segment_url: str) -> Path:
    """An ffconcat list naming a file on another host."""
    path.write_text(f"ffconcat version 1.0\nfile '{segment_url}'\nduration 2.0\n")
    return path
