"""Descriptions of synthetic media with known content (scenes, colours, tones, hard cuts at
known times): rendered with ffmpeg's own sources for the demo, the tests and the benchmark,
and read directly by the scripted analyzer that stands in for ffmpeg in unit tests."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from typing import Any

from shared.domain.records import MediaType

# The colours recipes may use, as ffmpeg renders them (its colour names differ from CSS's).
RECIPE_COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "blue": (0, 0, 255),
    "green": (0, 160, 0),
    "yellow": (255, 230, 0),
    "orange": (255, 140, 0),
    "navy": (0, 0, 110),
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "purple": (128, 0, 160),
}


@dataclass(frozen=True)
class SceneRecipe:
    seconds: float
    color: str | None = None  # one of RECIPE_COLOURS; None: no picture
    accent: str | None = None  # a band over the bottom third, in another colour
    pattern: str | None = None  # an ffmpeg test pattern instead of a flat colour ("testsrc2")
    moving_box: bool = False  # a white box sweeping across: fast motion
    tone_hz: float | None = None  # None: silence
    volume: float = 1.0  # times ffmpeg's default sine amplitude (1/8, about -21 dBFS RMS)


@dataclass(frozen=True)
class MediaRecipe:
    name: str  # the file name, with the extension that picks the container
    media_type: MediaType
    scenes: tuple[SceneRecipe, ...]
    width: int = 320
    height: int = 240
    fps: int = 25
    audio: bool = True
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return 0.0 if self.media_type is MediaType.IMAGE else sum(s.seconds for s in self.scenes)

    @property
    def cuts(self) -> list[float]:
        """Times where one scene gives way to the next."""
        return list(accumulate(s.seconds for s in self.scenes))[:-1]

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "media_type": self.media_type.value})

    @classmethod
    def from_json(cls, text: str) -> MediaRecipe:
        raw = json.loads(text)
        scenes = tuple(SceneRecipe(**s) for s in raw.pop("scenes"))
        return cls(scenes=scenes, media_type=MediaType(raw.pop("media_type")), **raw)
