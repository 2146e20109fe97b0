"""The media helpers' in-memory fakes pass the same contracts as the real adapters."""

from __future__ import annotations

import pytest

from shared.domain.preview_ports import RenderSource
from shared.domain.records import MediaType
from tests.contracts.derived_media_store import DerivedMediaStoreContract
from tests.contracts.preview_renderer import PreviewRendererContract
from tests.contracts.render_leases import RenderLeasesContract
from tests.fakes.memory_derived import InMemoryDerivedMediaStore
from tests.fakes.memory_previews import InMemoryPreviewRenderer
from tests.fakes.memory_render_leases import InMemoryRenderLeases


class TestInMemoryDerivedMediaStore(DerivedMediaStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryDerivedMediaStore:
        return InMemoryDerivedMediaStore()


class TestInMemoryRenderLeases(RenderLeasesContract):
    @pytest.fixture
    def leases(self) -> InMemoryRenderLeases:
        return InMemoryRenderLeases()


class TestInMemoryPreviewRenderer(PreviewRendererContract):
    @pytest.fixture
    def renderer(self) -> InMemoryPreviewRenderer:
        return InMemoryPreviewRenderer()

    @pytest.fixture
    def video_source(self) -> RenderSource:
        return RenderSource("memory://clip", MediaType.VIDEO, 30.0)
