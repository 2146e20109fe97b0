"""Pure segmentation and feature logic, on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pytest

from shared.domain.media_analysis import DecodedMedia
from shared.domain.media_features import (
    audio_label,
    brightness_label,
    colour_name,
    describe,
    motion_label,
)
from shared.domain.segmentation import SegmentBounds, detect_visual_cuts, plan_segments

BOUNDS = SegmentBounds(min_seconds=1.0, max_seconds=5.0)


@pytest.mark.parametrize(
    ("cuts", "duration", "expected"),
    [
        ([], 4.0, [(0, 4)]),
        ([2.0, 4.0], 6.0, [(0, 2), (2, 4), (4, 6)]),
        ([0.4, 2.0, 2.5, 5.7], 6.0, [(0, 2), (2, 6)]),  # too close to a boundary: dropped
        ([], 12.0, [(0, 4), (4, 8), (8, 12)]),  # fixed windows when a scene runs long
        ([1.0], 12.0, [(0, 1), (1, 4.667), (4.667, 8.333), (8.333, 12)]),
        ([], 0.0, [(0, 0)]),  # a still image
    ],
)
def test_plan_segments(
    cuts: list[float], duration: float, expected: list[tuple[float, float]]
) -> None:
    spans = plan_segments(duration, cuts, BOUNDS)
    assert spans == expected
    assert all(BOUNDS.min_seconds <= e - s <= BOUNDS.max_seconds for s, e in spans if duration > 1)


def test_a_file_cut_short_gets_its_missing_tail_as_separate_segments() -> None:
    spans = plan_segments(12.0, [2.0], BOUNDS, decodable=3.5)
    assert spans == [(0, 2), (2, 3.5), (3.5, 7.75), (7.75, 12)]
    assert plan_segments(6.0, [2.0], BOUNDS, decodable=5.8) == plan_segments(6.0, [2.0], BOUNDS)


def _decoded(colours: list[tuple[int, int, int]]) -> DecodedMedia:
    frames = np.array([np.full((4, 4, 3), c, np.uint8) for c in colours])
    return DecodedMedia(np.arange(len(colours)) / 10, frames, np.zeros(0, np.float32), 16000, 1)


def test_cuts_need_the_colours_to_change() -> None:
    red, blue, dark_red = (255, 0, 0), (0, 0, 255), (200, 0, 0)
    assert detect_visual_cuts(_decoded([red, red, blue, blue])) == [pytest.approx(0.2)]
    assert detect_visual_cuts(_decoded([red, dark_red, red])) == []  # same bins: a fade, no cut


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((250, 5, 5), "red"),
        ((0, 0, 255), "blue"),
        ((0, 160, 0), "green"),
        ((255, 140, 0), "orange"),
        ((120, 60, 10), "brown"),
        ((255, 230, 0), "yellow"),
        ((128, 0, 160), "purple"),
        ((10, 10, 10), "black"),
        ((128, 128, 128), "grey"),
        ((250, 250, 250), "white"),
        ((0, 200, 200), "cyan"),
    ],
)
def test_colour_names(rgb: tuple[int, int, int], name: str) -> None:
    assert colour_name(rgb) == name


def test_labels() -> None:
    assert [brightness_label(v) for v in (0.05, 0.2, 0.5, 0.7, 0.9)] == [
        "very dark",
        "dark",
        "medium brightness",
        "bright",
        "very bright",
    ]
    assert [motion_label(v) for v in (0.0, 0.02, 0.2)] == [
        "static, no motion",
        "some motion",
        "fast motion",
    ]
    assert audio_label(-9, 0.0) == "loud audio" and audio_label(-40, 0.0) == "quiet audio"
    assert audio_label(-9, 0.95) == "silence" and audio_label(-70, 0.0) == "silence"


def test_descriptions_use_searchable_words() -> None:
    scene = {
        "media_type": "video",
        "dominant_color": "navy",
        "palette": [{"name": "blue"}, {"name": "white"}],
        "brightness_label": "dark",
        "motion_label": "fast motion",
        "audio_label": "silence",
    }
    assert (
        describe(scene) == "navy scene; colours: blue, white; dark; fast motion; silence, no sound."
    )
    sound = {"media_type": "audio", "audio_label": "loud audio", "pitch_hz": 440.0}
    assert describe(sound) == "audio only, no picture; loud audio, a tone around 440 Hz."
