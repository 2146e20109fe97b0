"""A renderer without ffmpeg for unit tests: real images of the requested size and format
(Pillow), no media read. Counts its renders; can be slowed down or made to fail. Held to the
same contract tests as the ffmpeg renderer."""

from __future__ import annotations

import io
import threading
import time

from PIL import Image

from shared.domain import previews
from shared.domain.preview_ports import MediaFacts, PreviewRenderer, RenderSource
from shared.domain.records import MediaType
from shared.domain.storyboards import TILE_BOX, StoryboardLayout, image_layout, video_layout
from shared.errors import ValidationFailed

_PILLOW = {
    previews.ImageFormat.JPG: "JPEG",
    previews.ImageFormat.PNG: "PNG",
    previews.ImageFormat.WEBP: "WEBP",
}


class InMemoryPreviewRenderer(PreviewRenderer):
    def __init__(self, facts: MediaFacts | None = None, seconds: float = 0.0) -> None:
        self.facts = facts or MediaFacts(None, None)
        self.seconds = seconds
        self.fail_with: Exception | None = None
        self.renders: list[tuple[RenderSource, previews.PreviewSpec]] = []
        self._lock = threading.Lock()

    def render(self, source: RenderSource, spec: previews.PreviewSpec) -> bytes:
        if isinstance(spec, previews.StoryboardSpec):
            return self.render_storyboard(source, spec)[0]
        with self._lock:
            self.renders.append((source, spec))
        time.sleep(self.seconds)
        if self.fail_with is not None:
            raise self.fail_with
        height = max(spec.width * 9 // 16, 1)
        if isinstance(spec, previews.ThumbnailSpec) and spec.height:
            fitted = spec.fit is not previews.FitMode.PRESERVE
            height = spec.height if fitted else min(height, spec.height)
        out = io.BytesIO()
        if isinstance(spec, previews.GifSpec):
            if source.media_type is MediaType.AUDIO:
                raise ValidationFailed("Audio has no animated preview.", details={})
            count = max(1, round(spec.duration * spec.fps))
            frames = [
                Image.new("RGB", (spec.width, height), (i * 7 % 256, 0, 0)) for i in range(count)
            ]
            if spec.format is previews.AnimationFormat.MP4:
                return b"\x00\x00\x00\x20ftypisom" + bytes(count)  # a stand-in, not decodable
            kind = "WEBP" if spec.format is previews.AnimationFormat.WEBP else "GIF"
            frames[0].save(out, kind, save_all=True, append_images=frames[1:], loop=0)
        else:
            Image.new("RGB", (spec.width, height), (0, 128, 0)).save(out, _PILLOW[spec.format])
        return out.getvalue()

    def render_storyboard(
        self, source: RenderSource, spec: previews.StoryboardSpec
    ) -> tuple[bytes, StoryboardLayout]:
        with self._lock:
            self.renders.append((source, spec))
        time.sleep(self.seconds)
        if self.fail_with is not None:
            raise self.fail_with
        if source.media_type is MediaType.AUDIO:
            raise ValidationFailed("Audio has no storyboard.", details={})
        if source.media_type is MediaType.IMAGE:
            layout = image_layout(TILE_BOX, TILE_BOX * 3 // 4)
        else:
            layout = video_layout(self.facts.duration_seconds or 10.0, 1920, 1080)
        out = io.BytesIO()
        Image.new("RGB", layout.size, (0, 0, 128)).save(out, _PILLOW[spec.format])
        return out.getvalue(), layout

    def probe(self, source: RenderSource) -> MediaFacts:
        return self.facts
