"""The ffmpeg command lines of previews: input seeking, one-pass palettes, waveforms.

A render's command names the demuxer its probe found and only the protocols its URL needs
(shared/adapters/ffmpeg_inputs.py); sizes come from the render's budget check.
"""

from __future__ import annotations

import math

from shared.adapters.ffmpeg_inputs import known_input
from shared.domain.preview_fitting import waveform_height
from shared.domain.previews import AnimationFormat, GifSpec, ImageFormat, ThumbnailSpec
from shared.domain.render_limits import MAX_WAVEFORM_SECONDS, WAVEFORM_SAMPLE_RATE

REQUEST_BYTES = 2 * 1024 * 1024
_CODECS = {
    ImageFormat.JPG: ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"],
    ImageFormat.PNG: ["-c:v", "png"],
    ImageFormat.WEBP: ["-c:v", "libwebp", "-quality", "80"],
}


def http_input(url: str, request_bytes: int = REQUEST_BYTES) -> list[str]:
    """Bounded Range requests (``bytes=a-b``, 2 MiB each) rather than open-ended ones: a
    seek never leaves a response streaming past what was needed (GCS bills and sends what
    it streams; the single-threaded GCS emulator would block on it and deadlock the seek,
    since ffmpeg opens the new range before closing the old one). Give up on a source that
    sends nothing for 30 s (ffmpeg counts microseconds)."""
    if not url.startswith("http"):
        return []
    return ["-request_size", str(request_bytes), "-rw_timeout", str(30_000_000)]


def seek_point(seconds: float, fps: float | None) -> str:
    """ffmpeg's input seek returns the first frame at or after the time; moving the time back
    to the start of the frame shown at that time returns that frame. Truncated, never rounded
    up past the frame's timestamp."""
    if fps:
        seconds = math.floor(seconds * fps + 1e-6) / fps
    return f"{math.floor(seconds * 1_000_000) / 1_000_000:.6f}"


def _base(ffmpeg: str) -> list[str]:
    return [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin"]


def _input(url: str, container: str | None, request_bytes: int = REQUEST_BYTES) -> list[str]:
    """How a render opens its source: bounded Range requests and, once probed, the probe's
    demuxer with only the protocols the URL needs. (Without a container: the bench's raw
    command, which runs ffmpeg as it was before the limits.)"""
    opened = known_input(url, container) if container else []
    return [*http_input(url, request_bytes), *opened]


def gif_command(
    ffmpeg: str,
    url: str,
    spec: GifSpec,
    fps: float | None = None,
    size: tuple[int, int] | None = None,
    container: str | None = None,
    target: str = "-",
) -> list[str]:
    """GIF: one pass, the clip's own palette (palettegen) applied to the same frames
    (paletteuse). The split holds every frame until the palette is known, so memory is
    frames x size: bounded by the GIF pixel budget, checked before this runs (a two-pass or
    per-frame palette was measured 2x slower; decision 032).

    WebP and MP4 stream the same frames (same seek, fps and size) into their encoders. An
    MP4 needs a seekable ``target`` (a file): ``+faststart`` moves its index to the front
    after the encode, so a ``<video>`` starts playing on its first bytes."""
    scale = f"{size[0]}:{size[1]}" if size else f"{spec.width}:-2"
    frames = f"fps={spec.fps}:round=up,scale={scale}:flags=lanczos"
    head = [
        *_base(ffmpeg),
        *_input(url, container),
        "-ss",
        seek_point(spec.start, fps),
        "-t",
        f"{spec.duration:.3f}",
        "-i",
        url,
        "-an",
    ]
    if spec.format is AnimationFormat.WEBP:
        return [*head, "-vf", frames, *_ANIMATED_WEBP, "-f", "webp", target]
    if spec.format is AnimationFormat.MP4:
        return [*head, "-vf", f"{frames},format=yuv420p", *_LOOPING_MP4, "-f", "mp4", target]
    graph = f"{frames},split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse"
    return [*head, "-filter_complex", graph, "-loop", "0", "-f", "gif", target]


# Lossy animated WebP, looping forever like the GIF. Quality 60 with libwebp's "picture"
# preset: on camera-like footage (bench clip with grain) 8.3x smaller than the GIF against
# 6.8x at cwebp's default 75, at the same encoding time; a hover preview at 320 px shows no
# difference (decision 033). Flat synthetic colour (testsrc2) stays ~3x: GIF's LZW is at
# its best there, and lossless WebP was twice the GIF.
_ANIMATED_WEBP = ["-c:v", "libwebp_anim", "-quality", "60", "-preset", "picture", "-loop", "0"]
# Muted (no audio track), baseline-compatible yuv420p H.264 any browser plays inline;
# one thread: two renders share a 2-core instance (notes/media.md).
_LOOPING_MP4 = [
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-threads", "1",
    "-movflags", "+faststart",
]  # fmt: skip


def waveform_command(
    ffmpeg: str, url: str, spec: ThumbnailSpec, container: str | None = None
) -> list[str]:
    """Audio's picture: the waveform of the file's first MAX_WAVEFORM_SECONDS, decoded to
    8 kHz mono. showwavespic holds every frame until the end: at the native rate a 30-minute
    track held 338 MB, at 8 kHz in the decoder's small frames still 207 MB (per-frame
    overhead); regrouped into 1 s frames (asetnsamples, unpadded) 72 MB."""
    height = spec.height or waveform_height(spec.width)
    return [
        *_base(ffmpeg),
        *_input(url, container),
        "-t",
        f"{MAX_WAVEFORM_SECONDS:g}",
        "-i",
        url,
        "-filter_complex",
        f"aformat=channel_layouts=mono,aresample={WAVEFORM_SAMPLE_RATE},"
        f"asetnsamples=n={WAVEFORM_SAMPLE_RATE}:p=0,"
        f"showwavespic=s={spec.width}x{height}:colors=0x3b82f6",
        "-frames:v",
        "1",
        *_CODECS[spec.format],
        "-f",
        "image2pipe",
        "-",
    ]
