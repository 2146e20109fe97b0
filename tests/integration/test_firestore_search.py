"""The Firestore search index, against the emulator, passes the same contract as the fake."""

from __future__ import annotations

import pytest

from shared.bootstrap import Container
from shared.domain.ports import MediaCatalog, SegmentSearchIndex
from tests.contracts.segment_search_index import SegmentSearchIndexContract

pytestmark = pytest.mark.emulator


class TestFirestoreSegmentSearchIndex(SegmentSearchIndexContract):
    @pytest.fixture
    def catalog(self, cloud: Container) -> MediaCatalog:
        return cloud.catalog

    @pytest.fixture
    def index(self, cloud: Container) -> SegmentSearchIndex:
        return cloud.search_index
