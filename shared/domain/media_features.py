"""Per-segment features computed from the pixels and the sound, and the words that describe
them (``metadata_text``: what a semantic search for "red scene" or "silence" matches)."""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.domain.media_analysis import DecodedMedia
from shared.domain.records import MediaType
from shared.domain.segmentation import (
    HISTOGRAM_LEVELS,
    QUIET_DB,
    SILENCE_DB,
    frame_differences,
    loudness_db,
    window_levels,
)

PALETTE_SIZE = 3
LOUD_DB = -15.0
STATIC_MOTION = 0.004
FAST_MOTION = 0.05


def colour_name(rgb: tuple[int, int, int] | list[int]) -> str:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    if v < 0.15:
        return "black"
    if s < 0.2:
        return "white" if v > 0.85 else "grey" if v > 0.3 else "black"
    hue = h * 360
    for limit, name in (
        (15, "red"),
        (40, "orange"),
        (70, "yellow"),
        (165, "green"),
        (195, "cyan"),
        (255, "blue"),
        (290, "purple"),
        (335, "magenta"),
        (361, "red"),
    ):
        if hue < limit:
            return "brown" if name == "orange" and v < 0.6 else name
    return "red"


def dominant_colours(frames: npt.NDArray[np.uint8]) -> list[dict[str, Any]]:
    """The most common coarse colours, each with its mean RGB and share of the pixels."""
    pixels = frames.reshape(-1, 3).astype(np.int64)
    q = (pixels * HISTOGRAM_LEVELS) // 256
    bins = (q[:, 0] * HISTOGRAM_LEVELS + q[:, 1]) * HISTOGRAM_LEVELS + q[:, 2]
    counts = np.bincount(bins, minlength=HISTOGRAM_LEVELS**3)
    palette: list[dict[str, Any]] = []
    for b in np.argsort(counts)[::-1][:PALETTE_SIZE]:
        if counts[b] == 0 or counts[b] / len(bins) < 0.05:
            break
        members = pixels[bins == b]
        rgb = [round(float(c)) for c in members.mean(axis=0)]
        share = round(float(counts[b] / len(bins)), 3)
        palette.append({"name": colour_name(rgb), "rgb": rgb, "share": share})
    return palette


def brightness(frames: npt.NDArray[np.uint8]) -> float:
    """Perceived brightness in [0, 1] (HSP: saturated blue reads darker than yellow)."""
    rgb = frames.astype(np.float64) / 255.0
    weights = np.array([0.299, 0.587, 0.114])
    return float(np.sqrt(np.square(rgb) @ weights).mean())


def brightness_label(value: float) -> str:
    for limit, label in ((0.12, "very dark"), (0.3, "dark"), (0.65, "medium brightness")):
        if value < limit:
            return label
    return "bright" if value < 0.85 else "very bright"


def motion_label(value: float) -> str:
    if value < STATIC_MOTION:
        return "static, no motion"
    return "some motion" if value < FAST_MOTION else "fast motion"


def audio_label(loudness: float, silence_ratio: float) -> str:
    if silence_ratio >= 0.9 or loudness < SILENCE_DB:
        return "silence"
    if loudness < QUIET_DB:
        return "quiet audio"
    return "moderate audio" if loudness < LOUD_DB else "loud audio"


def dominant_pitch(samples: npt.NDArray[np.float32], rate: int) -> float | None:
    if samples.size < rate // 10:
        return None
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    spectrum[0] = 0
    peak = int(np.argmax(spectrum))
    return round(peak * rate / samples.size, 1)


def visual_features(frames: npt.NDArray[np.uint8]) -> dict[str, Any]:
    palette = dominant_colours(frames)
    bright = brightness(frames)
    motion = float(frame_differences(frames).mean()) if frames.shape[0] > 1 else 0.0
    return {
        "dominant_color": palette[0]["name"] if palette else "black",
        "dominant_rgb": palette[0]["rgb"] if palette else [0, 0, 0],
        "palette": palette,
        "brightness": round(bright, 4),
        "brightness_label": brightness_label(bright),
        "motion": round(motion, 4),
        "motion_label": motion_label(motion),
        "frames_analyzed": int(frames.shape[0]),
    }


def audio_features(decoded: DecodedMedia, start: float, end: float) -> dict[str, Any]:
    samples = decoded.audio_between(start, end)
    part = DecodedMedia(
        decoded.frame_times[:0], decoded.frames[:0], samples, decoded.audio_rate, end - start
    )
    levels = window_levels(part)
    loudness = loudness_db(samples)
    silence = sum(1 for db in levels if db < SILENCE_DB) / len(levels) if levels else 1.0
    label = audio_label(loudness, silence)
    pitch = None if label == "silence" else dominant_pitch(samples, decoded.audio_rate)
    return {
        "loudness_db": round(loudness, 2),
        "peak_db": round(max(levels), 2) if levels else -120.0,
        "silence_ratio": round(silence, 3),
        "audio_label": label,
        "pitch_hz": pitch,
    }


def segment_features(
    decoded: DecodedMedia, media_type: MediaType, has_audio: bool, start: float, end: float
) -> dict[str, Any]:
    """Raises ``ValueError`` when the time range holds neither frames nor sound."""
    features: dict[str, Any] = {"media_type": media_type.value}
    frames = decoded.frames if media_type is MediaType.IMAGE else decoded.frames_between(start, end)
    if media_type is not MediaType.AUDIO:
        if frames.shape[0] == 0:
            raise ValueError(f"no decodable frames between {start:.2f}s and {end:.2f}s")
        features.update(visual_features(frames))
    if has_audio:
        if decoded.audio_between(start, end).size == 0:
            raise ValueError(f"no decodable sound between {start:.2f}s and {end:.2f}s")
        features.update(audio_features(decoded, start, end))
    return features


def describe(features: dict[str, Any]) -> str:
    """A short description in plain words, for people and for the text embedder."""
    media_type = features.get("media_type", "video")
    parts: list[str] = []
    if "dominant_color" in features:
        kind = "still image" if media_type == "image" else "scene"
        colours = list(dict.fromkeys(p["name"] for p in features.get("palette", [])))
        parts.append(f"{features['dominant_color']} {kind}")
        parts.append("colours: " + ", ".join(colours or [features["dominant_color"]]))
        parts.append(features["brightness_label"])
        if media_type != "image":
            parts.append(features["motion_label"])
    elif media_type == "audio":
        parts.append("audio only, no picture")
    if "audio_label" in features:
        sound = features["audio_label"]
        if sound == "silence":
            sound = "silence, no sound"
        elif features.get("pitch_hz"):
            sound += f", a tone around {features['pitch_hz']:.0f} Hz"
        parts.append(sound)
    elif media_type != "audio":
        parts.append("no audio")
    return "; ".join(parts) + "."
