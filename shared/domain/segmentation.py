"""Where segments start and end: hard cuts in the picture (or level changes in the sound of
audio-only media), kept within length bounds, with fixed windows when a scene runs long."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.domain.media_analysis import DecodedMedia

HISTOGRAM_LEVELS = 4  # per channel: 64 colour bins, coarse enough to ignore noise and motion
CUT_HISTOGRAM_DISTANCE = 0.35
CUT_PIXEL_DIFFERENCE = 0.08
AUDIO_WINDOW_SECONDS = 0.1
SILENCE_DB = -50.0
QUIET_DB = -30.0
TRUNCATION_SLACK_SECONDS = 0.5  # decoders may stop a little short of the container's length


@dataclass(frozen=True)
class SegmentBounds:
    min_seconds: float = 1.0
    max_seconds: float = 5.0


def colour_histograms(frames: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """One normalised 64-bin colour histogram per frame."""
    if frames.shape[0] == 0:
        return np.zeros((0, HISTOGRAM_LEVELS**3))
    q = (frames.astype(np.int64) * HISTOGRAM_LEVELS) // 256
    bins = (q[..., 0] * HISTOGRAM_LEVELS + q[..., 1]) * HISTOGRAM_LEVELS + q[..., 2]
    flat = bins.reshape(frames.shape[0], -1)
    counts = np.stack([np.bincount(row, minlength=HISTOGRAM_LEVELS**3) for row in flat])
    return counts / flat.shape[1]


def frame_differences(frames: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Mean absolute pixel change from each frame to the next, in [0, 1] (n - 1 values)."""
    if frames.shape[0] < 2:
        return np.zeros(0)
    as_float = frames.astype(np.float32)
    return np.abs(np.diff(as_float, axis=0)).mean(axis=(1, 2, 3)) / 255.0


def detect_visual_cuts(decoded: DecodedMedia) -> list[float]:
    """Times of hard cuts: the colour make-up and the pixels both change at once."""
    hist = colour_histograms(decoded.frames)
    if hist.shape[0] < 2:
        return []
    hist_distance = np.abs(np.diff(hist, axis=0)).sum(axis=1) / 2
    pixels = frame_differences(decoded.frames)
    is_cut = (hist_distance > CUT_HISTOGRAM_DISTANCE) & (pixels > CUT_PIXEL_DIFFERENCE)
    return [float(decoded.frame_times[i + 1]) for i in np.flatnonzero(is_cut)]


def loudness_db(samples: npt.NDArray[np.float32]) -> float:
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(-120.0, 20 * math.log10(rms)) if rms > 0 else -120.0


def window_levels(decoded: DecodedMedia, window: float = AUDIO_WINDOW_SECONDS) -> list[float]:
    size = max(1, int(decoded.audio_rate * window))
    count = decoded.audio.size // size
    return [loudness_db(decoded.audio[i * size : (i + 1) * size]) for i in range(count)]


def detect_audio_cuts(decoded: DecodedMedia, bounds: SegmentBounds) -> list[float]:
    """Times where the sound changes between silent, quiet and loud and stays changed for at
    least the minimum segment length."""
    labels = [0 if db < SILENCE_DB else 1 if db < QUIET_DB else 2 for db in window_levels(decoded)]
    runs: list[list[int]] = []  # [label, first window, window count]
    for i, label in enumerate(labels):
        if runs and runs[-1][0] == label:
            runs[-1][2] += 1
        else:
            runs.append([label, i, 1])
    min_windows = max(1, round(bounds.min_seconds / AUDIO_WINDOW_SECONDS))
    steady = [run for run in runs if run[2] >= min_windows]
    cuts = []
    for previous, current in itertools.pairwise(steady):
        if previous[0] != current[0]:
            cuts.append(round(current[1] * AUDIO_WINDOW_SECONDS, 3))
    return cuts


def plan_segments(
    duration: float, cuts: list[float], bounds: SegmentBounds, decodable: float | None = None
) -> list[tuple[float, float]]:
    """Segments covering ``[0, duration]`` end to end: cuts closer than the minimum to a
    boundary are dropped; pieces longer than the maximum are split into equal windows.

    When less than the whole could be decoded (``decodable`` seconds: a file cut short), the
    rest gets segments of its own, so that only they fail."""
    if decodable is not None and 0 < decodable < duration - TRUNCATION_SLACK_SECONDS:
        head = plan_segments(decodable, [c for c in cuts if c < decodable], bounds)
        tail = plan_segments(duration - decodable, [], bounds)
        return head + [(round(s + decodable, 3), round(e + decodable, 3)) for s, e in tail]
    if duration <= 0:
        return [(0.0, 0.0)]
    boundaries = [0.0]
    for cut in sorted(cuts):
        if cut - boundaries[-1] >= bounds.min_seconds and duration - cut >= bounds.min_seconds:
            boundaries.append(cut)
    boundaries.append(duration)
    segments: list[tuple[float, float]] = []
    for start, end in itertools.pairwise(boundaries):
        pieces = max(1, math.ceil((end - start) / bounds.max_seconds - 1e-9))
        step = (end - start) / pieces
        for k in range(pieces):
            piece_end = end if k == pieces - 1 else start + (k + 1) * step
            segments.append((round(start + k * step, 3), round(piece_end, 3)))
    return segments
