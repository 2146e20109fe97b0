"""Behaviour every MediaAnalyzer must have, on media with known content: run against the
scripted fake (recipes) and against ffmpeg (the same recipes really rendered)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shared.domain.media_features import segment_features
from shared.domain.media_recipes import MediaRecipe, SceneRecipe
from shared.domain.ports import MediaAnalyzer
from shared.domain.records import MediaType
from shared.domain.segmentation import SegmentBounds, detect_audio_cuts, detect_visual_cuts
from shared.errors import UnprocessableMedia

MakeMedia = Callable[[MediaRecipe], Path]
CUT_TOLERANCE = 0.15

CLIP = MediaRecipe(
    "clip.mp4",
    MediaType.VIDEO,
    (
        SceneRecipe(2, "red", tone_hz=440, volume=4),
        SceneRecipe(2, "blue"),
        SceneRecipe(2, "green", moving_box=True, tone_hz=880, volume=0.1),
    ),
)
SILENT_FILM = MediaRecipe(
    "silent.mp4",
    MediaType.VIDEO,
    (SceneRecipe(1.5, "yellow"), SceneRecipe(1.5, "navy")),
    audio=False,
)
SOUND = MediaRecipe(
    "sound.mp3",
    MediaType.AUDIO,
    (SceneRecipe(2, tone_hz=440, volume=4), SceneRecipe(2), SceneRecipe(2, tone_hz=660)),
)
PICTURE = MediaRecipe(
    "picture.png", MediaType.IMAGE, (SceneRecipe(1, "orange", accent="navy"),), 640, 360
)


class MediaAnalyzerContract:
    @pytest.fixture
    def analyzer(self) -> MediaAnalyzer:
        raise NotImplementedError

    @pytest.fixture
    def make_media(self, tmp_path: Path) -> MakeMedia:
        raise NotImplementedError

    def test_a_clip_probes_decodes_and_cuts_where_the_scenes_change(
        self, analyzer: MediaAnalyzer, make_media: MakeMedia
    ) -> None:
        source = make_media(CLIP)
        probe = analyzer.probe(source)
        assert probe.media_type is MediaType.VIDEO and probe.has_video and probe.has_audio
        assert (probe.width, probe.height) == (320, 240) and probe.fps == 25
        assert probe.duration_seconds == pytest.approx(6.0, abs=0.1)
        decoded = analyzer.decode(source, probe)
        assert decoded.duration_seconds == pytest.approx(6.0, abs=0.1)
        cuts = detect_visual_cuts(decoded)
        assert len(cuts) == 2
        assert cuts == pytest.approx([2.0, 4.0], abs=CUT_TOLERANCE)
        red, blue, green = (
            segment_features(decoded, MediaType.VIDEO, True, s, s + 2) for s in (0.0, 2.0, 4.0)
        )
        assert (red["dominant_color"], blue["dominant_color"]) == ("red", "blue")
        assert red["audio_label"] == "loud audio" and red["pitch_hz"] == pytest.approx(440, abs=5)
        assert blue["audio_label"] == "silence" and blue["motion_label"] == "static, no motion"
        assert green["dominant_color"] == "green" and green["motion_label"] == "fast motion"
        assert green["audio_label"] == "quiet audio"

    def test_a_film_without_sound(self, analyzer: MediaAnalyzer, make_media: MakeMedia) -> None:
        source = make_media(SILENT_FILM)
        probe = analyzer.probe(source)
        assert probe.has_video and not probe.has_audio
        decoded = analyzer.decode(source, probe)
        assert decoded.audio.size == 0
        assert detect_visual_cuts(decoded) == pytest.approx([1.5], abs=CUT_TOLERANCE)
        navy = segment_features(decoded, MediaType.VIDEO, False, 1.5, 3.0)
        assert navy["brightness_label"] in {"very dark", "dark"} and "audio_label" not in navy

    def test_sound_only(self, analyzer: MediaAnalyzer, make_media: MakeMedia) -> None:
        source = make_media(SOUND)
        probe = analyzer.probe(source)
        assert probe.media_type is MediaType.AUDIO and probe.has_audio and not probe.has_video
        assert probe.duration_seconds == pytest.approx(6.0, abs=0.15)
        decoded = analyzer.decode(source, probe)
        assert decoded.frame_count == 0
        cuts = detect_audio_cuts(decoded, SegmentBounds())
        assert cuts == pytest.approx([2.0, 4.0], abs=CUT_TOLERANCE)

    def test_a_still_image(self, analyzer: MediaAnalyzer, make_media: MakeMedia) -> None:
        source = make_media(PICTURE)
        probe = analyzer.probe(source)
        assert probe.media_type is MediaType.IMAGE and not probe.has_audio
        assert (probe.width, probe.height) == (640, 360) and not probe.duration_seconds
        decoded = analyzer.decode(source, probe)
        assert decoded.frame_count == 1
        features = segment_features(decoded, MediaType.IMAGE, False, 0.0, 0.0)
        assert [p["name"] for p in features["palette"]] == ["orange", "blue"]

    def test_garbage_is_unprocessable_with_a_reason(
        self, analyzer: MediaAnalyzer, tmp_path: Path
    ) -> None:
        source = tmp_path / "broken.mp4"
        source.write_bytes(bytes(range(256)) * 40)
        with pytest.raises(UnprocessableMedia) as caught:
            analyzer.decode(source, analyzer.probe(source))
        assert "Invalid data" in caught.value.message
