"""Behaviour every PreviewRenderer must have: run against the fake and against ffmpeg."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shared.domain.preview_ports import PreviewRenderer, RenderSource
from shared.domain.previews import GifSpec, ImageFormat, ThumbnailSpec
from shared.domain.records import MediaType
from shared.errors import ValidationFailed

PILLOW_NAMES = {ImageFormat.JPG: "JPEG", ImageFormat.PNG: "PNG", ImageFormat.WEBP: "WEBP"}


class PreviewRendererContract:
    @pytest.fixture
    def renderer(self) -> PreviewRenderer:
        raise NotImplementedError

    @pytest.fixture
    def video_source(self) -> RenderSource:
        """A video of at least 2 s, 1 s keyframes or closer is fine."""
        raise NotImplementedError

    @pytest.mark.parametrize("image_format", list(ImageFormat))
    def test_a_thumbnail_has_the_requested_width_and_format(
        self, renderer: PreviewRenderer, video_source: RenderSource, image_format: ImageFormat
    ) -> None:
        data = renderer.render(video_source, ThumbnailSpec(1000, 200, image_format))
        picture = Image.open(io.BytesIO(data))
        assert picture.format == PILLOW_NAMES[image_format]
        assert picture.width == 200

    def test_a_gif_has_the_requested_width_and_about_duration_times_fps_frames(
        self, renderer: PreviewRenderer, video_source: RenderSource
    ) -> None:
        data = renderer.render(video_source, GifSpec(0, 1000, 120, 8))
        picture = Image.open(io.BytesIO(data))
        assert picture.format == "GIF" and picture.width == 120
        assert abs(picture.n_frames - 8) <= 1  # type: ignore[attr-defined]

    def test_audio_has_no_gif(self, renderer: PreviewRenderer, video_source: RenderSource) -> None:
        audio = RenderSource(video_source.url, MediaType.AUDIO)
        with pytest.raises(ValidationFailed):
            renderer.render(audio, GifSpec())
