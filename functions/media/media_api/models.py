"""Request models of the media helpers, with the contract's limits named."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from shared.domain.previews import (
    DEFAULT_GIF_FPS,
    DEFAULT_GIF_SECONDS,
    DEFAULT_GIF_WIDTH,
    DEFAULT_THUMBNAIL_WIDTH,
    MAX_GIF_FPS,
    MAX_GIF_SECONDS,
    MAX_GIF_WIDTH,
    MAX_THUMBNAIL_WIDTH,
    MIN_GIF_SECONDS,
    MIN_WIDTH,
    AnimationFormat,
    FitMode,
    GifSpec,
    ImageFormat,
    StoryboardSpec,
    ThumbnailSpec,
    milliseconds,
)
from shared.domain.render_limits import MAX_THUMBNAIL_HEIGHT
from shared.errors import ValidationFailed
from shared.http.validation import StrictModel
from shared.services.signed_urls import DEFAULT_EXPIRES_IN, MAX_EXPIRES_IN, MIN_EXPIRES_IN

MAX_SECONDS = 7 * 24 * 3600.0  # no media is longer; bounds the numbers before they reach ffmpeg


class SignedUrlRequest(StrictModel):
    gcs_uri: str = Field(max_length=4096)
    force_refresh: bool = Field(
        default=False,
        description="Accepted for the SDK, which sends it; no effect: nothing caches signed "
        "URLs, so every answer is a fresh signature expiring expires_in seconds from the "
        "request, with or without it.",
    )
    expires_in: int = Field(
        default=DEFAULT_EXPIRES_IN, ge=MIN_EXPIRES_IN, le=MAX_EXPIRES_IN, strict=True
    )


class GifQuery(StrictModel):
    start_time: float = Field(default=0.0, ge=0.0, le=MAX_SECONDS, allow_inf_nan=False)
    duration: float = Field(
        default=DEFAULT_GIF_SECONDS, ge=MIN_GIF_SECONDS, le=MAX_GIF_SECONDS, allow_inf_nan=False
    )
    width: int = Field(default=DEFAULT_GIF_WIDTH, ge=MIN_WIDTH, le=MAX_GIF_WIDTH)
    fps: int = Field(default=DEFAULT_GIF_FPS, ge=1, le=MAX_GIF_FPS)
    format: AnimationFormat = Field(
        default=AnimationFormat.GIF,
        description="gif (default), webp (animated WebP) or mp4 (muted H.264, for "
        "<video muted loop autoplay playsinline>): the same clip, 7-25x smaller than the GIF.",
    )

    def spec(self) -> GifSpec:
        return GifSpec(
            milliseconds(self.start_time),
            milliseconds(self.duration),
            self.width,
            self.fps,
            self.format,
        )


class ThumbnailQuery(StrictModel):
    time: float | None = Field(default=None, ge=0.0, le=MAX_SECONDS, allow_inf_nan=False)
    width: int | None = Field(
        default=None,
        ge=MIN_WIDTH,
        le=MAX_THUMBNAIL_WIDTH,
        description=f"Default {DEFAULT_THUMBNAIL_WIDTH}, or (given only a height, fit_mode "
        "preserve) whatever width fits that height.",
    )
    height: int | None = Field(default=None, ge=MIN_WIDTH, le=MAX_THUMBNAIL_HEIGHT)
    fit_mode: FitMode = Field(
        default=FitMode.PRESERVE,
        description="preserve: fit inside width x height, keep the aspect ratio; crop: fill "
        "exactly, centred; pad: fit inside, black bars to the exact size; stretch: exactly "
        "that size, distorted. All but preserve need both width and height.",
    )
    format: ImageFormat = ImageFormat.JPG

    def spec(self, default_time_ms: int) -> ThumbnailSpec:
        at = default_time_ms if self.time is None else milliseconds(self.time)
        if self.fit_mode is not FitMode.PRESERVE and (self.width is None or self.height is None):
            missing = [name for name in ("width", "height") if getattr(self, name) is None]
            raise ValidationFailed(
                f"fit_mode={self.fit_mode.value} needs both width and height.",
                details={"errors": [{"field": name, "message": "required"} for name in missing]},
            )
        width = self.width or (MAX_THUMBNAIL_WIDTH if self.height else DEFAULT_THUMBNAIL_WIDTH)
        return ThumbnailSpec(at, width, self.format, self.height, self.fit_mode)


class StoryboardQuery(StrictModel):
    # Plain values, not ImageFormat members: a refusal names 'jpg' or 'webp', not enum reprs.
    format: Literal["jpg", "webp"] = Field(
        default="jpg",
        description="The sprite the VTT / JSON point to: jpg (default) or webp.",
    )

    def spec(self) -> StoryboardSpec:
        return StoryboardSpec(ImageFormat(self.format))


class PreviewLinkQuery(StrictModel):
    """No parameters of its own. A keyless link is pasted into pages, mail and chats, whose
    tools append cache busters and tracking parameters: those are ignored, not refused (the
    one endpoint where an unknown parameter is not a 422)."""

    model_config = ConfigDict(extra="ignore")


# Parsed even though empty: without a model the sprite routes let ?foo=bar and repeated
# keys through, while every other route answers them with a 422.
class SpriteQuery(StrictModel):
    """No parameters: the extension names the sprite's format."""
