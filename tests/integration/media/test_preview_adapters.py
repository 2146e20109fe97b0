"""The media helpers' real adapters (GCS, Firestore, ffmpeg) pass the same contracts as the
fakes."""

from __future__ import annotations

import pytest

from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer
from shared.bootstrap import Container
from shared.domain.preview_ports import DerivedMediaStore, RenderLeases, RenderSource
from shared.domain.records import MediaType
from tests.contracts.derived_media_store import DerivedMediaStoreContract
from tests.contracts.preview_renderer import PreviewRendererContract
from tests.contracts.render_leases import RenderLeasesContract
from tests.media.fixtures import Samples

pytestmark = pytest.mark.emulator


class TestGcsDerivedMediaStore(DerivedMediaStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> DerivedMediaStore:
        return cloud.derived_media


class TestFirestoreRenderLeases(RenderLeasesContract):
    @pytest.fixture
    def leases(self, cloud: Container) -> RenderLeases:
        return cloud.render_leases


class TestFfmpegPreviewRenderer(PreviewRendererContract):
    @pytest.fixture
    def renderer(self) -> FfmpegPreviewRenderer:
        return FfmpegPreviewRenderer()

    @pytest.fixture
    def video_source(self, samples: Samples) -> RenderSource:
        return RenderSource(str(samples.hd.path), MediaType.VIDEO, 30.0)
