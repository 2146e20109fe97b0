"""Previews with the ffmpeg of imageio-ffmpeg and Pillow, reading the source over HTTP.

ffmpeg reads a signed URL with Range requests and seeks on input (``-ss T -i URL``), so a
frame in the middle of a long file costs a few MB read, not a download (../notes/media.md).
GIFs use a palette generated from the clip itself, in one pass.
"""

from __future__ import annotations

import io
import math
import re
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import httpx
import imageio_ffmpeg
from PIL import Image, ImageOps, UnidentifiedImageError

from shared.domain.preview_ports import MediaFacts, PreviewRenderer, RenderSource
from shared.domain.previews import GifSpec, ImageFormat, PreviewSpec, ThumbnailSpec
from shared.domain.records import MediaType
from shared.errors import ServiceUnavailable, ValidationFailed

RENDER_TIMEOUT_SECONDS = 60
REQUEST_BYTES = 2 * 1024 * 1024
MAX_IMAGE_BYTES = 50 * 1024 * 1024
# More than two decodes at once only adds latency on a 2-core instance (notes/media.md).
DECODE_SLOTS = 2
_CODECS = {
    ImageFormat.JPG: ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"],
    ImageFormat.PNG: ["-c:v", "png"],
    ImageFormat.WEBP: ["-c:v", "libwebp", "-quality", "80"],
}
_PILLOW = {ImageFormat.JPG: "JPEG", ImageFormat.PNG: "PNG", ImageFormat.WEBP: "WEBP"}
_DURATION_RE = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_FPS_RE = re.compile(r"Video: .*?(\d+(?:\.\d+)?) fps")


def _http_input(url: str) -> list[str]:
    """Bounded Range requests (``bytes=a-b``, 2 MiB each) rather than open-ended ones: a
    seek never leaves a response streaming past what was needed (GCS bills and sends what
    it streams; the single-threaded GCS emulator would block on it and deadlock the seek,
    since ffmpeg opens the new range before closing the old one). Give up on a source that
    sends nothing for 30 s (ffmpeg counts microseconds)."""
    if not url.startswith("http"):
        return []
    return ["-request_size", str(REQUEST_BYTES), "-rw_timeout", str(30_000_000)]


def seek_point(seconds: float, fps: float | None) -> str:
    """ffmpeg's input seek returns the first frame at or after the time; moving the time back
    to the start of the frame shown at that time returns that frame. Truncated, never rounded
    up past the frame's timestamp."""
    if fps:
        seconds = math.floor(seconds * fps + 1e-6) / fps
    return f"{math.floor(seconds * 1_000_000) / 1_000_000:.6f}"


def interrupted(returncode: int) -> ServiceUnavailable:
    """ffmpeg ended by a signal (killed, out of memory, the instance shutting down) says
    nothing about the media: a transient failure, safe to retry, never a 422."""
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    error = ServiceUnavailable("Rendering the preview was interrupted; retry shortly.")
    error.__cause__ = RuntimeError(f"ffmpeg ended by {name}")  # logged, not shown
    return error


def unreadable(what: str) -> ValidationFailed:
    return ValidationFailed(
        f"The media could not be decoded ({what}).", code="media_not_decodable", details={}
    )


class FfmpegPreviewRenderer(PreviewRenderer):
    def __init__(self, ffmpeg: str | None = None, slots: int = DECODE_SLOTS) -> None:
        self.ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
        self._slots = threading.BoundedSemaphore(slots)

    def render(self, source: RenderSource, spec: PreviewSpec) -> bytes:
        with self._slots:
            if source.media_type is MediaType.IMAGE:
                return self._image(source, spec)
            if isinstance(spec, GifSpec):
                if source.media_type is MediaType.AUDIO:
                    raise ValidationFailed("Audio has no animated preview.", details={})
                return self._run(gif_command(self.ffmpeg, source.url, spec, source.fps))
            if source.media_type is MediaType.AUDIO:
                return self._run(waveform_command(self.ffmpeg, source.url, spec))
            return self._frame(source, spec)

    def probe(self, source: RenderSource) -> MediaFacts:
        argv = [self.ffmpeg, "-hide_banner", "-nostdin", *_http_input(source.url), "-i", source.url]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=RENDER_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise ServiceUnavailable("Reading the media took too long.") from exc
        if done.returncode < 0:
            raise interrupted(done.returncode)
        text = done.stderr.decode(errors="replace")
        duration = _DURATION_RE.search(text)
        fps = _FPS_RE.search(text)
        seconds = None
        if duration:
            hours, minutes, rest = duration.groups()
            seconds = int(hours) * 3600 + int(minutes) * 60 + float(rest)
        return MediaFacts(seconds, float(fps.group(1)) if fps else None)

    def _frame(self, source: RenderSource, spec: ThumbnailSpec) -> bytes:
        url = source.url
        data = self._run(thumbnail_command(self.ffmpeg, url, spec, fps=source.fps))
        if data:
            return data
        # Seeking into the last frame's interval yields nothing: take the last frame instead.
        with tempfile.TemporaryDirectory(prefix="vv-thumb-") as folder:
            target = Path(folder) / f"last.{spec.format.value}"
            argv = thumbnail_command(self.ffmpeg, url, spec, seek=max(spec.time - 1.0, 0.0))
            argv[argv.index("-frames:v") : argv.index("-frames:v") + 2] = []
            argv[-3:] = ["-f", "image2", "-update", "1", str(target)]
            self._run(argv)
            if not target.exists():
                raise unreadable("no frame at that time")
            return target.read_bytes()

    def _image(self, source: RenderSource, spec: PreviewSpec) -> bytes:
        try:
            with httpx.stream("GET", source.url, timeout=RENDER_TIMEOUT_SECONDS) as reply:
                if reply.status_code != 200:
                    raise ServiceUnavailable("The media bucket did not serve the image.")
                chunks, size = [], 0
                for chunk in reply.iter_bytes():
                    size += len(chunk)
                    if size > MAX_IMAGE_BYTES:
                        raise ValidationFailed("The image is too large to preview.", details={})
                    chunks.append(chunk)
        except httpx.TransportError as exc:
            raise ServiceUnavailable("The media bucket is not answering.") from exc
        return resize_image(b"".join(chunks), spec)

    def _run(self, argv: list[str]) -> bytes:
        try:
            done = subprocess.run(argv, capture_output=True, timeout=RENDER_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise ServiceUnavailable("Rendering the preview took too long.") from exc
        if done.returncode < 0:
            raise interrupted(done.returncode)
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise unreadable(message[-1][:200] if message else f"ffmpeg exit {done.returncode}")
        return done.stdout


def resize_image(data: bytes, spec: PreviewSpec) -> bytes:
    """An image's preview is the image itself, resized to the requested width."""
    try:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    except (UnidentifiedImageError, OSError) as exc:
        raise unreadable("not an image Pillow can read") from exc
    height = max(1, round(image.height * spec.width / image.width))
    image = image.resize((spec.width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if isinstance(spec, GifSpec):
        image.convert("RGB").save(out, "GIF")
    else:
        keep_alpha = spec.format is not ImageFormat.JPG and image.mode in ("RGBA", "LA")
        image.convert("RGBA" if keep_alpha else "RGB").save(out, _PILLOW[spec.format])
    return out.getvalue()


def _base(ffmpeg: str) -> list[str]:
    return [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin"]


def thumbnail_command(
    ffmpeg: str,
    url: str,
    spec: ThumbnailSpec,
    seek: float | None = None,
    fps: float | None = None,
) -> list[str]:
    """Input seeking: ``-ss`` before ``-i`` decodes from the keyframe before T only."""
    at = seek_point(spec.time if seek is None else seek, fps)
    return [
        *_base(ffmpeg),
        *_http_input(url),
        "-ss",
        at,
        "-i",
        url,
        "-frames:v",
        "1",
        "-an",
        "-vf",
        f"scale={spec.width}:-2:flags=bicubic",
        *_CODECS[spec.format],
        "-f",
        "image2pipe",
        "-",
    ]


def gif_command(ffmpeg: str, url: str, spec: GifSpec, fps: float | None = None) -> list[str]:
    """One pass: the clip's own palette (palettegen) applied to the same frames (paletteuse)."""
    graph = (
        f"fps={spec.fps}:round=up,scale={spec.width}:-2:flags=lanczos,split[a][b];"
        "[a]palettegen=stats_mode=full[p];[b][p]paletteuse"
    )
    return [
        *_base(ffmpeg),
        *_http_input(url),
        "-ss",
        seek_point(spec.start, fps),
        "-t",
        f"{spec.duration:.3f}",
        "-i",
        url,
        "-an",
        "-filter_complex",
        graph,
        "-loop",
        "0",
        "-f",
        "gif",
        "-",
    ]


def waveform_command(ffmpeg: str, url: str, spec: ThumbnailSpec) -> list[str]:
    """Audio's picture: the waveform of the whole file."""
    height = max(spec.width // 4, 16)
    return [
        *_base(ffmpeg),
        *_http_input(url),
        "-i",
        url,
        "-filter_complex",
        f"aformat=channel_layouts=mono,showwavespic=s={spec.width}x{height}:colors=0x3b82f6",
        "-frames:v",
        "1",
        *_CODECS[spec.format],
        "-f",
        "image2pipe",
        "-",
    ]
