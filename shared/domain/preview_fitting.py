"""A preview spec checked against its media: times inside the media, kinds the media has
(audio has no animation or storyboard, an image no MP4), one picture per image or track."""

from __future__ import annotations

from dataclasses import replace

from shared.domain.previews import (
    AnimationFormat,
    GifSpec,
    PreviewSpec,
    StoryboardSpec,
    ThumbnailSpec,
)
from shared.domain.records import MediaType, VideoRecord
from shared.errors import ValidationFailed


def fitted_spec(video: VideoRecord, spec: PreviewSpec) -> PreviewSpec:
    """Check times against the media; images and audio have one picture per width."""
    if isinstance(spec, StoryboardSpec):
        if video.media_type is MediaType.AUDIO:
            raise ValidationFailed(
                "Audio media have no storyboard: it tiles video frames (or an image); "
                "the thumbnail of audio is a waveform.",
                code="preview_not_available",
                details={"media_type": video.media_type.value},
            )
        return spec
    if video.media_type is not MediaType.VIDEO:
        if isinstance(spec, GifSpec) and video.media_type is MediaType.AUDIO:
            raise ValidationFailed(
                "Audio media have no animated preview; the thumbnail is a waveform.",
                code="preview_not_available",
                details={"media_type": video.media_type.value},
            )
        if isinstance(spec, ThumbnailSpec):
            return replace(spec, time_ms=0)
        if spec.format is AnimationFormat.MP4:
            raise ValidationFailed(
                "An image has no MP4 preview; ask for format=gif or format=webp.",
                code="preview_not_available",
                details={"media_type": video.media_type.value},
            )
        return replace(spec, start_ms=0)
    duration = video.duration_seconds
    if duration is None:
        return spec
    if isinstance(spec, ThumbnailSpec):
        at, field, outside = spec.time, "time", spec.time > duration
    else:  # a GIF needs at least one frame after its start
        at, field, outside = spec.start, "start_time", spec.start >= duration
    if outside:
        raise ValidationFailed(
            f"{field} {at:g} is outside the media: it must be from 0 to {duration:g} seconds.",
            details={"errors": [{"field": field, "limit": {"ge": 0, "le": duration}}]},
        )
    return spec
