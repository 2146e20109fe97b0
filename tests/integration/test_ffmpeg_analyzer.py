"""The ffmpeg analyzer on really rendered media passes the same contract as the fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.ffmpeg_analyzer import FfmpegMediaAnalyzer
from shared.adapters.ffmpeg_synthesis import render
from shared.domain.ports import MediaAnalyzer
from tests.contracts.media_analyzer import MakeMedia, MediaAnalyzerContract


class TestFfmpegMediaAnalyzer(MediaAnalyzerContract):
    @pytest.fixture
    def analyzer(self) -> MediaAnalyzer:
        return FfmpegMediaAnalyzer()

    @pytest.fixture
    def make_media(self, tmp_path: Path) -> MakeMedia:
        return lambda recipe: render(recipe, tmp_path / recipe.name)


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    from tests.contracts.media_analyzer import CLIP

    first = render(CLIP, tmp_path / "a" / CLIP.name).read_bytes()
    second = render(CLIP, tmp_path / "b" / CLIP.name).read_bytes()
    assert first == second


def test_a_truncated_file_decodes_only_what_is_there(tmp_path: Path) -> None:
    """The index is at the front (faststart), so a cut-off upload still probes at full length
    but decodes short: the pipeline must fail the missing segments, not the whole file."""
    from tests.contracts.media_analyzer import CLIP

    whole = render(CLIP, tmp_path / CLIP.name).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    analyzer = FfmpegMediaAnalyzer()
    probe = analyzer.probe(cut)
    decoded = analyzer.decode(cut, probe)
    assert probe.duration_seconds == pytest.approx(6.0, abs=0.1)
    assert decoded.frame_times[-1] < 5.0
