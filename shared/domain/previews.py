"""Previews made from media: a thumbnail (one frame) or an animated GIF, with their limits.

A preview is fully described by its media, the media's version and a spec; the derived
object's name is made from exactly those, so a name never needs checking against anything
but the caller's own records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from shared.domain.records import VideoRecord

MIN_WIDTH = 16
MAX_THUMBNAIL_WIDTH = 1920
DEFAULT_THUMBNAIL_WIDTH = 640
LINK_THUMBNAIL_WIDTH = 320  # the size of thumbnails linked from JSON responses
MIN_GIF_SECONDS = 0.25
MAX_GIF_SECONDS = 10.0
DEFAULT_GIF_SECONDS = 3.0
MAX_GIF_WIDTH = 640
DEFAULT_GIF_WIDTH = 320
MAX_GIF_FPS = 30
DEFAULT_GIF_FPS = 10
DERIVED_PREFIX = "previews"


class ImageFormat(StrEnum):
    JPG = "jpg"
    PNG = "png"
    WEBP = "webp"

    @property
    def content_type(self) -> str:
        return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[self.value]


GIF_CONTENT_TYPE = "image/gif"


class AnimationFormat(StrEnum):
    """An animated preview's encoding: a palette GIF (the default), animated WebP, or a muted
    H.264 MP4 for a looping ``<video muted loop autoplay playsinline>`` (7-25x smaller than
    the GIF at about the same render cost; notes/media.md)."""

    GIF = "gif"
    WEBP = "webp"
    MP4 = "mp4"

    @property
    def content_type(self) -> str:
        return {"gif": GIF_CONTENT_TYPE, "webp": "image/webp", "mp4": "video/mp4"}[self.value]


def milliseconds(seconds: float) -> int:
    """Times are keyed to the millisecond: 1.0 and 1.0004 are the same preview."""
    return round(seconds * 1000)


class FitMode(StrEnum):
    """How a thumbnail fills ``width`` x ``height`` (Mux's names). ``preserve`` fits inside
    and keeps the aspect ratio; the others give exactly that size: ``crop`` fills it and cuts
    the overflow evenly, ``pad`` fits inside and letterboxes in black, ``stretch`` distorts."""

    PRESERVE = "preserve"
    CROP = "crop"
    PAD = "pad"
    STRETCH = "stretch"


class RenderedSpec:
    """What every spec shares: its format names the content type of what it renders."""

    format: ImageFormat | AnimationFormat

    @property
    def content_type(self) -> str:
        return self.format.content_type


@dataclass(frozen=True)
class ThumbnailSpec(RenderedSpec):
    time_ms: int
    width: int = DEFAULT_THUMBNAIL_WIDTH
    format: ImageFormat = ImageFormat.JPG
    height: int | None = None  # preserve: the box's height (None: only the kind's limit)
    fit: FitMode = FitMode.PRESERVE

    @property
    def time(self) -> float:
        return self.time_ms / 1000

    @property
    def file_name(self) -> str:
        # Default height and fit add nothing: older names (and their caches) stay valid.
        height = f"-h{self.height}" if self.height else ""
        fit = "" if self.fit is FitMode.PRESERVE else f"-{self.fit.value}"
        return f"thumb-t{self.time_ms}-w{self.width}{height}{fit}.{self.format.value}"


@dataclass(frozen=True)
class GifSpec(RenderedSpec):
    start_ms: int = 0
    duration_ms: int = milliseconds(DEFAULT_GIF_SECONDS)
    width: int = DEFAULT_GIF_WIDTH
    fps: int = DEFAULT_GIF_FPS
    format: AnimationFormat = AnimationFormat.GIF

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def duration(self) -> float:
        return self.duration_ms / 1000

    @property
    def file_name(self) -> str:
        # The extension names the format: a GIF keeps the name it always had.
        stem = f"gif-s{self.start_ms}-d{self.duration_ms}-w{self.width}-f{self.fps}"
        return f"{stem}.{self.format.value}"


@dataclass(frozen=True)
class StoryboardSpec(RenderedSpec):
    format: ImageFormat = ImageFormat.JPG

    @property
    def file_name(self) -> str:
        # Everything else follows from the media's version (its duration and shape).
        return f"storyboard.{self.format.value}"


PreviewSpec = ThumbnailSpec | GifSpec | StoryboardSpec


def user_prefix(user_id: str) -> str:
    """Every derived object of a user lives under this prefix of the derived bucket."""
    return f"{DERIVED_PREFIX}/{user_id}/"


def derived_object_name(user_id: str, video_id: str, version: str, spec: PreviewSpec) -> str:
    return f"{user_prefix(user_id)}{video_id}/{version}/{spec.file_name}"


def version_of(video: VideoRecord) -> str:
    """The media's version for keying: its object generation, or (before the pipeline has
    recorded one) a digest of its uri and last update, so a replaced file gets new previews."""
    if video.media_version and video.media_version.isalnum():
        return f"g{video.media_version}"
    digest = hashlib.sha256(f"{video.video_uri}|{video.updated_at.isoformat()}".encode())
    return f"h{digest.hexdigest()[:16]}"
