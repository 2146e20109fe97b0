"""A preview spec checked against its media: times inside the media, kinds the media has
(audio has no animation or storyboard, an image no MP4), one picture per image or track."""

from __future__ import annotations

from dataclasses import replace

from shared.domain.previews import (
    MIN_WIDTH,
    AnimationFormat,
    FitMode,
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
            if video.media_type is MediaType.AUDIO:
                _check_time(spec, video.duration_seconds)
                return waveform_spec(spec)
            return replace(spec, time_ms=0)
        if spec.format is AnimationFormat.MP4:
            raise ValidationFailed(
                "An image has no MP4 preview; ask for format=gif or format=webp.",
                code="preview_not_available",
                details={"media_type": video.media_type.value},
            )
        return replace(spec, start_ms=0)
    if isinstance(spec, ThumbnailSpec):
        _check_time(spec, video.duration_seconds)
    elif video.duration_seconds is not None and spec.start >= video.duration_seconds:
        # A clip needs at least one frame after its start: the end itself is refused.
        duration = video.duration_seconds
        raise ValidationFailed(
            f"start_time {spec.start:g} is outside the media: it must be from 0 up to, "
            f"not including, {duration:g} seconds.",
            details={"errors": [{"field": "start_time", "limit": {"ge": 0, "lt": duration}}]},
        )
    return spec


def _check_time(spec: ThumbnailSpec, duration: float | None) -> None:
    """A frame at the very end is the last frame, so the end itself is allowed."""
    if duration is not None and spec.time > duration:
        raise ValidationFailed(
            f"time {spec.time:g} is outside the media: it must be from 0 to {duration:g} "
            f"seconds ({duration:g} included).",
            details={"errors": [{"field": "time", "limit": {"ge": 0, "le": duration}}]},
        )


# Audio's thumbnail is a waveform WAVEFORM_ASPECT times as wide as high: the shape a width
# alone gives it, so a height alone (or a box, fit_mode preserve) keeps that shape too.
WAVEFORM_ASPECT = 4


def waveform_height(width: int) -> int:
    return max(width // WAVEFORM_ASPECT, MIN_WIDTH)


def waveform_spec(spec: ThumbnailSpec) -> ThumbnailSpec:
    """One waveform per size (its time is irrelevant). preserve fits the waveform's shape
    inside width x height (a height alone comes with the widest width allowed), which comes
    down to a width alone: ``?height=50`` and ``?width=200`` are the same picture, under the
    name it always had. The other modes draw it at exactly width x height."""
    if spec.fit is not FitMode.PRESERVE:
        return replace(spec, time_ms=0)
    width = spec.width if spec.height is None else min(spec.width, spec.height * WAVEFORM_ASPECT)
    return replace(spec, time_ms=0, width=width, height=None)
