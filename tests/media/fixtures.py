"""The set of test media the media tests share (made once per session by their conftests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.media.samples import Clip, frame_coded_clip, still_image, tone


@dataclass(frozen=True)
class Samples:
    hd: Clip  # 1080p30, 4 s, keyframes every 2 s
    sparse: Clip  # 720p30, 21 s, keyframes 10 s apart
    image: Path
    audio: Path


def make_samples(folder: Path) -> Samples:
    return Samples(
        hd=frame_coded_clip(
            folder / "hd.mp4", width=1920, height=1080, fps=30, seconds=4, keyframe_seconds=2
        ),
        sparse=frame_coded_clip(
            folder / "sparse.mp4", width=1280, height=720, fps=30, seconds=21, keyframe_seconds=10
        ),
        image=still_image(folder / "still.png"),
        audio=tone(folder / "tone.m4a"),
    )
