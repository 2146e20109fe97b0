"""The in-memory search index passes the same contract as the Firestore one."""

from __future__ import annotations

import pytest

from tests.contracts.segment_search_index import SegmentSearchIndexContract
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_search import InMemorySegmentSearchIndex


class TestInMemorySegmentSearchIndex(SegmentSearchIndexContract):
    @pytest.fixture
    def catalog(self) -> InMemoryMediaCatalog:
        return InMemoryMediaCatalog()

    @pytest.fixture
    def index(self, catalog: InMemoryMediaCatalog) -> InMemorySegmentSearchIndex:
        return InMemorySegmentSearchIndex(catalog)
