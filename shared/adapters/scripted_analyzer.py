"""A MediaAnalyzer for unit tests: the "media file" is a MediaRecipe as JSON, and decoding
synthesises what ffmpeg would decode from the rendered recipe. Held to the same contract
tests as the ffmpeg analyzer on really rendered files, so the two cannot drift."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from shared.domain.media_analysis import DecodedMedia, MediaProbe
from shared.domain.media_recipes import RECIPE_COLOURS, MediaRecipe
from shared.domain.ports import MediaAnalyzer
from shared.domain.records import MediaType
from shared.errors import UnprocessableMedia

FPS = 10.0
WIDTH = 64
AUDIO_RATE = 16_000
BOX_RADIANS_PER_SECOND = 8


def recipe_of(source: Path) -> MediaRecipe:
    try:
        return MediaRecipe.from_json(source.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise UnprocessableMedia("Not a readable media file: Invalid data found") from exc


class ScriptedMediaAnalyzer(MediaAnalyzer):
    def probe(self, source: Path) -> MediaProbe:
        recipe = recipe_of(source)
        picture = recipe.media_type is not MediaType.AUDIO
        sound = recipe.audio and recipe.media_type is not MediaType.IMAGE
        return MediaProbe(
            media_type=recipe.media_type,
            container="recipe",
            duration_seconds=recipe.duration or None,
            width=recipe.width if picture else None,
            height=recipe.height if picture else None,
            fps=float(recipe.fps) if recipe.media_type is MediaType.VIDEO else None,
            video_codec="recipe" if picture else None,
            audio_codec="recipe" if sound else None,
            audio_sample_rate=AUDIO_RATE if sound else None,
            audio_channels=1 if sound else None,
        )

    def decode(self, source: Path, probe: MediaProbe) -> DecodedMedia:
        recipe = recipe_of(source)
        height = max(2, round(WIDTH * recipe.height / recipe.width / 2) * 2)
        frames: list[np.ndarray] = []
        audio: list[np.ndarray] = []
        start = 0.0
        for scene in recipe.scenes:
            count = 1 if recipe.media_type is MediaType.IMAGE else round(scene.seconds * FPS)
            for k in range(count if probe.has_video else 0):
                frame = np.zeros((height, WIDTH, 3), np.uint8)
                frame[:] = RECIPE_COLOURS[scene.color or "black"]
                if scene.pattern:
                    rng = np.random.default_rng(int((start + k / FPS) * 1000))
                    frame[:] = rng.integers(0, 256, frame.shape, dtype=np.uint8)
                if scene.accent:
                    frame[height * 2 // 3 :] = RECIPE_COLOURS[scene.accent]
                if scene.moving_box:
                    swing = 0.5 + 0.5 * math.sin(k / FPS * BOX_RADIANS_PER_SECOND)
                    x = round(WIDTH * 3 / 4 * swing)
                    frame[:, x : x + WIDTH // 4] = 255
                frames.append(frame)
            if probe.has_audio:
                times = np.arange(round(scene.seconds * AUDIO_RATE)) / AUDIO_RATE
                tone = scene.tone_hz or 0.0
                amplitude = scene.volume / 8 if scene.tone_hz else 0.0
                audio.append((amplitude * np.sin(2 * np.pi * tone * times)).astype(np.float32))
            start += scene.seconds
        stacked = np.stack(frames) if frames else np.zeros((0, height, WIDTH, 3), np.uint8)
        sound = np.concatenate(audio) if audio else np.zeros(0, np.float32)
        return DecodedMedia(
            frame_times=np.arange(len(frames), dtype=np.float64) / FPS,
            frames=stacked,
            audio=sound,
            audio_rate=AUDIO_RATE,
            duration_seconds=recipe.duration,
        )
