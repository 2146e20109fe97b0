"""The in-memory search index passes the same contract as the Firestore one."""

from __future__ import annotations

import pytest

from shared.adapters.memory_catalog import InMemoryMediaCatalog
from shared.adapters.memory_search import InMemorySegmentSearchIndex
from tests.contracts.segment_search_index import SegmentSearchIndexContract


class TestInMemorySegmentSearchIndex(SegmentSearchIndexContract):
    @pytest.fixture
    def catalog(self) -> InMemoryMediaCatalog:
        return InMemoryMediaCatalog()

    @pytest.fixture
    def index(self, catalog: InMemoryMediaCatalog) -> InMemorySegmentSearchIndex:
        return InMemorySegmentSearchIndex(catalog)
