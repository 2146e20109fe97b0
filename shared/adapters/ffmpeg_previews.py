"""Previews from the source over HTTP: ffmpeg commands (imageio-ffmpeg's binary) for GIFs,
animated WebP/MP4 and waveforms; in-process decoding (PyAV) for thumbnails and storyboards
(shared/adapters/pyav_previews.py, decision 036); Pillow for images.

Both read a signed URL with Range requests and seek on input, so a frame in the middle of a
long file costs a few MB read, not a download (../notes/media.md). GIFs use a palette
generated from the clip itself, in one pass.

Every render starts with a probe (cached per media version) restricted to plain media
containers; the render then names the probe's demuxer, is sized from the probe's stream size
and rotation, and is refused before decoding starts when it exceeds its pixel budget
(shared/domain/render_limits.py). ffmpeg runs under an address-space ceiling and a wall time
derived from the work asked (shared/adapters/ffmpeg_inputs.py); an in-process decode under
the same wall time, its memory bounded by the checked source size (decision 036).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import httpx
import imageio_ffmpeg

from shared.adapters import pyav_previews
from shared.adapters.ffmpeg_commands import gif_command, http_input, waveform_command
from shared.adapters.ffmpeg_inputs import (
    NOT_A_MEDIA_FILE,
    RunTimedOut,
    demuxer_of,
    refused_format,
    run_limited,
)
from shared.adapters.ffmpeg_probe import parse_probe, probe_command
from shared.adapters.pillow_previews import image_size, resize_image
from shared.adapters.render_errors import interrupted, too_slow, unreadable
from shared.domain.media_analysis import MediaProbe
from shared.domain.preview_ports import MediaFacts, PreviewRenderer, RenderSource
from shared.domain.previews import (
    AnimationFormat,
    FitMode,
    GifSpec,
    PreviewSpec,
    StoryboardSpec,
    ThumbnailSpec,
)
from shared.domain.records import MediaType
from shared.domain.render_limits import (
    BASE_RENDER_SECONDS,
    MAX_GIF_HEIGHT,
    MAX_THUMBNAIL_HEIGHT,
    MAX_WAVEFORM_SECONDS,
    RENDER_MEMORY_BYTES,
    check_gif,
    check_source,
    fit_inside,
    gif_frames,
    render_seconds,
    upright_size,
    waveform_seconds,
)
from shared.domain.storyboards import TILE_BOX, StoryboardLayout, image_layout, video_layout
from shared.errors import ServiceUnavailable, ValidationFailed

__all__ = ["FfmpegPreviewRenderer", "gif_command", "resize_image", "too_slow"]
RENDER_TIMEOUT_SECONDS = 60  # downloading an image; ffmpeg's own limits are derived per render
MAX_IMAGE_BYTES = 50 * 1024 * 1024
PROBES_CACHED = 1024
# More than two decodes at once only adds latency on a 2-core instance (notes/media.md).
DECODE_SLOTS = 2
GOP_SECONDS = 10.0  # the longest keyframe interval a seek is budgeted to decode through


class FfmpegPreviewRenderer(PreviewRenderer):
    def __init__(
        self,
        ffmpeg: str | None = None,
        slots: int = DECODE_SLOTS,
        memory_bytes: int = RENDER_MEMORY_BYTES,
    ) -> None:
        self.ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
        self.memory_bytes = memory_bytes
        self._slots = threading.BoundedSemaphore(slots)
        self._probes: OrderedDict[str, MediaProbe] = OrderedDict()
        self._probes_lock = threading.Lock()

    def render(self, source: RenderSource, spec: PreviewSpec) -> bytes:
        if isinstance(spec, StoryboardSpec):
            return self.render_storyboard(source, spec)[0]
        with self._slots:
            if source.media_type is MediaType.IMAGE:
                return self._image(source, spec)
            if source.media_type is MediaType.AUDIO:
                if isinstance(spec, GifSpec):
                    raise ValidationFailed("Audio has no animated preview.", details={})
                return self._waveform(source, spec, self._probed(source))
            probe = self._probed(source)
            if not probe.width or not probe.height:
                raise unreadable("no video stream")
            check_source(probe.width, probe.height)
            if isinstance(spec, GifSpec):
                return self._gif(source, spec, probe)
            return self._thumbnail(source, spec, probe)

    def render_storyboard(
        self, source: RenderSource, spec: StoryboardSpec
    ) -> tuple[bytes, StoryboardLayout]:
        with self._slots:
            if source.media_type is MediaType.AUDIO:
                raise ValidationFailed("Audio has no storyboard.", details={})
            if source.media_type is MediaType.IMAGE:
                sprite = self._image(source, ThumbnailSpec(0, TILE_BOX, spec.format, TILE_BOX))
                return sprite, image_layout(*image_size(sprite))
            probe = self._probed(source)
            if not probe.width or not probe.height:
                raise unreadable("no video stream")
            check_source(probe.width, probe.height)
            shown = upright_size(probe.width, probe.height, probe.rotation)
            layout = video_layout(probe.duration_seconds or 0.0, *shown)
            # One keyframe decoded per tile, the sprite written once.
            decoded = probe.width * probe.height * layout.tiles
            written = layout.size[0] * layout.size[1]
            limit = render_seconds(written / 1e6, decoded / 1e6)
            sprite = pyav_previews.sprite(
                source.url, probe.container, layout, spec.format, probe.rotation or 0.0, limit
            )
            return sprite, layout

    def _waveform(self, source: RenderSource, spec: ThumbnailSpec, probe: MediaProbe) -> bytes:
        seconds = min(probe.duration_seconds or MAX_WAVEFORM_SECONDS, MAX_WAVEFORM_SECONDS)
        argv = waveform_command(self.ffmpeg, source.url, spec, probe.container)
        return self._run(argv, waveform_seconds(seconds))

    def _gif(self, source: RenderSource, spec: GifSpec, probe: MediaProbe) -> bytes:
        width, height = probe.width or 0, probe.height or 0
        size = fit_inside(*upright_size(width, height, probe.rotation), spec.width, MAX_GIF_HEIGHT)
        frames = gif_frames(spec.duration, spec.fps)
        check_gif(*size, frames, spec.format.value)
        decoded = width * height * (spec.duration + GOP_SECONDS) * (probe.fps or 30.0)
        limit = render_seconds(size[0] * size[1] * frames / 1e6, decoded / 1e6)
        fps = source.fps or probe.fps
        if spec.format is not AnimationFormat.MP4:
            return self._run(
                gif_command(self.ffmpeg, source.url, spec, fps, size, probe.container), limit
            )
        with tempfile.TemporaryDirectory(prefix="vv-anim-") as folder:
            target = Path(folder) / "preview.mp4"
            argv = gif_command(
                self.ffmpeg, source.url, spec, fps, size, probe.container, str(target)
            )
            self._run(argv, limit)
            return target.read_bytes()

    def _thumbnail(self, source: RenderSource, spec: ThumbnailSpec, probe: MediaProbe) -> bytes:
        width, height = probe.width or 0, probe.height or 0
        shown = upright_size(width, height, probe.rotation)
        size = fit_inside(*shown, spec.width, spec.height or MAX_THUMBNAIL_HEIGHT)
        if spec.fit is not FitMode.PRESERVE and spec.height:
            size = (spec.width, spec.height)  # exactly the box: crop, pad or stretch
        decoded = width * height * GOP_SECONDS * (probe.fps or 30.0)
        limit = render_seconds(size[0] * size[1] / 1e6, decoded / 1e6)
        return pyav_previews.thumbnail(
            source.url, probe.container, spec, source.fps or probe.fps, size,
            probe.rotation or 0.0, limit,
        )  # fmt: skip

    def probe(self, source: RenderSource) -> MediaFacts:
        probe = self._probed(source)
        return MediaFacts(probe.duration_seconds, probe.fps)

    def _probed(self, source: RenderSource) -> MediaProbe:
        """The source's container and streams, from an ``ffmpeg -i`` that may open plain
        media containers only. Cached on the media's version: every render needs the
        demuxer's name and the stream's size, and a second probe would cost as much as a
        keyframe thumbnail."""
        if source.key is not None:
            with self._probes_lock:
                if (cached := self._probes.get(source.key)) is not None:
                    self._probes.move_to_end(source.key)
                    return cached
        argv = probe_command(self.ffmpeg, source.url)
        argv[-2:-2] = http_input(source.url)
        done = self._finished(argv, BASE_RENDER_SECONDS)
        text = done.stderr.decode(errors="replace")
        probe = parse_probe(text)
        if probe is None or not _allowed(probe.container):
            if probe is not None or refused_format(text):
                raise unreadable(NOT_A_MEDIA_FILE)
            lines = [
                line for line in text.strip().splitlines() if "Error opening input" not in line
            ]
            raise unreadable(
                lines[0].split("] ")[-1][:200] if lines else "ffmpeg could not read it"
            )
        if source.key is not None:
            with self._probes_lock:
                self._probes[source.key] = probe
                while len(self._probes) > PROBES_CACHED:
                    self._probes.popitem(last=False)
        return probe

    def _image(self, source: RenderSource, spec: ThumbnailSpec | GifSpec) -> bytes:
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

    def _finished(
        self, argv: list[str], seconds: float, memory_bytes: int | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            done = run_limited(argv, seconds, memory_bytes or self.memory_bytes)
        except RunTimedOut:
            error = too_slow(seconds)
            raise error from error.__cause__  # ffmpeg's argv (the signed URL) stays out
        if done.returncode < 0:
            raise interrupted(done.returncode)
        return done

    def _run(self, argv: list[str], seconds: float, memory_bytes: int | None = None) -> bytes:
        done = self._finished(argv, seconds, memory_bytes)
        if done.returncode != 0:
            text = done.stderr.decode(errors="replace")
            if "Cannot allocate memory" in text:
                raise ValidationFailed(
                    "Rendering this preview needs more than the render memory limit "
                    f"({self.memory_bytes // 2**20} MiB).",
                    details={"errors": [{"field": "memory", "limit": {"le": self.memory_bytes}}]},
                )
            message = text.strip().splitlines()
            raise unreadable(message[-1][:200] if message else f"ffmpeg exit {done.returncode}")
        return done.stdout


def _allowed(container: str) -> bool:
    try:
        demuxer_of(container)
    except ValueError:
        return False
    return True
