"""What an analyzer reads from a media file: a probe (container facts) and a decoded,
analysis-sized version of its pixels and sound. Pure values; the ffmpeg adapter fills them.

numpy is imported for type checking only: ``shared/domain/ports.py`` names these types, so
every function imports this module, and only the worker ever holds an array (decision 053)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.domain.records import MediaType

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class MediaProbe:
    media_type: MediaType
    container: str
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_sample_rate: int | None = None
    audio_channels: int | None = None
    rotation: float = 0.0  # degrees of the video's display matrix; ffmpeg applies it
    bitrate_kbps: int | None = None  # the whole file's: duration x bitrate ~ its size

    @property
    def has_video(self) -> bool:
        return self.media_type is not MediaType.AUDIO and self.width is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


@dataclass(frozen=True)
class DecodedMedia:
    """Small frames (``frames[i]`` shown from ``frame_times[i]``) and mono audio in [-1, 1]."""

    frame_times: npt.NDArray[np.float64]
    frames: npt.NDArray[np.uint8]  # (n, height, width, 3) RGB
    audio: npt.NDArray[np.float32]
    audio_rate: int
    duration_seconds: float

    @property
    def frame_count(self) -> int:
        return int(self.frames.shape[0])

    def frames_between(self, start: float, end: float) -> npt.NDArray[np.uint8]:
        mask = (self.frame_times >= start - 1e-6) & (self.frame_times < end - 1e-6)
        return self.frames[mask]

    def audio_between(self, start: float, end: float) -> npt.NDArray[np.float32]:
        return self.audio[int(start * self.audio_rate) : int(end * self.audio_rate)]
