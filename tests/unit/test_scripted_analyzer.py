"""The scripted analyzer (recipes as media) passes the same contract as ffmpeg's."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.scripted_analyzer import ScriptedMediaAnalyzer
from shared.domain.ports import MediaAnalyzer
from tests.contracts.media_analyzer import MakeMedia, MediaAnalyzerContract


class TestScriptedMediaAnalyzer(MediaAnalyzerContract):
    @pytest.fixture
    def analyzer(self) -> MediaAnalyzer:
        return ScriptedMediaAnalyzer()

    @pytest.fixture
    def make_media(self, tmp_path: Path) -> MakeMedia:
        def make(recipe):  # type: ignore[no-untyped-def]
            path = tmp_path / recipe.name
            path.write_text(recipe.to_json())
            return path

        return make
