"""Behaviour every SegmentSearchIndex must have: run against the fake and against Firestore."""

from __future__ import annotations

import uuid

import pytest

from shared.domain.ports import MediaCatalog, SegmentSearchIndex
from shared.domain.search import NearestQuery, ScanQuery, SegmentScope, StoreFilter
from tests.contracts.media_catalog import segment


class SegmentSearchIndexContract:
    @pytest.fixture
    def catalog(self) -> MediaCatalog:
        raise NotImplementedError

    @pytest.fixture
    def index(self, catalog: MediaCatalog) -> SegmentSearchIndex:
        raise NotImplementedError

    @pytest.fixture
    def user(self) -> str:
        return f"u-{uuid.uuid4().hex[:10]}"

    def _put(self, catalog: MediaCatalog, user: str, name: str, **kw: object):  # type: ignore[no-untyped-def]
        seg = segment(user, f"{user}-{name}", 0.0, run_id=str(kw.pop("run", "run-1")))
        for key, value in kw.items():
            setattr(seg, key, value)
        catalog.put_segments([seg])
        return seg

    def test_nearest_ranks_by_cosine_within_the_users_playground(
        self, catalog: MediaCatalog, index: SegmentSearchIndex, user: str
    ) -> None:
        near = self._put(catalog, user, "near")
        far = self._put(catalog, user, "far", run="run-2")
        indexed = self._put(catalog, user, "indexed", index_id="idx-1")
        other_model = self._put(catalog, user, "other-model")
        foreign = self._put(catalog, "someone-else", "foreign")
        catalog.put_segment_embeddings(
            "m1", {near.segment_id: [1.0, 0.1], far.segment_id: [0.0, 1.0]}
        )
        catalog.put_segment_embeddings("m1", {indexed.segment_id: [1.0, 0.0]})
        catalog.put_segment_embeddings("m1", {foreign.segment_id: [1.0, 0.0]})
        catalog.put_segment_embeddings("m2", {other_model.segment_id: [1.0, 0.0]})

        hits = index.nearest(NearestQuery(user, "m1", [1.0, 0.0], limit=10))
        assert [h.segment.segment_id for h in hits] == [near.segment_id, far.segment_id]
        assert hits[0].similarity == pytest.approx(1 / (1.01**0.5), abs=1e-4)
        assert hits[1].similarity == pytest.approx(0.0, abs=1e-4)
        assert hits[0].segment.metadata == near.metadata

        assert [
            h.segment.segment_id for h in index.nearest(NearestQuery(user, "m1", [1.0, 0.0], 1))
        ] == [near.segment_id]
        only = index.nearest(NearestQuery(user, "m1", [1.0, 0.0], 10, run_id="run-2"))
        assert [h.segment.segment_id for h in only] == [far.segment_id]
        assert index.nearest(NearestQuery(user, "m3", [1.0, 0.0], 10)) == []

    def test_scan_pages_in_id_order_within_scope_and_filters(
        self, catalog: MediaCatalog, index: SegmentSearchIndex, user: str
    ) -> None:
        a = self._put(catalog, user, "a", metadata={"mood": "calm", "tags": ["x", "y"], "n": 3})
        b = self._put(catalog, user, "b", metadata={"mood": "calm", "tags": ["y"], "n": 3.0})
        c = self._put(catalog, user, "c", metadata={"mood": "calm", "n": True}, run="run-2")
        d = self._put(catalog, user, "d", metadata={"mood": "calm"}, index_id="idx-1")
        self._put(catalog, "someone-else", "e", metadata={"mood": "calm"})
        playground = SegmentScope()

        ids = [s.segment_id for s in index.scan(ScanQuery(user, playground, []), None, 10)]
        assert ids == [a.segment_id, b.segment_id, c.segment_id]
        first = index.scan(ScanQuery(user, playground, []), None, 2)
        rest = index.scan(ScanQuery(user, playground, []), first[-1].segment_id, 2)
        assert [s.segment_id for s in first + rest] == ids

        runs = index.scan(ScanQuery(user, SegmentScope(run_ids=("run-2",)), []), None, 10)
        assert [s.segment_id for s in runs] == [c.segment_id]
        indexed = index.scan(
            ScanQuery(user, SegmentScope(index_ids=("idx-1", "idx-2")), []), None, 10
        )
        assert [s.segment_id for s in indexed] == [d.segment_id]

        def found(*filters: StoreFilter) -> list[str]:
            return [
                s.segment_id for s in index.scan(ScanQuery(user, playground, filters), None, 10)
            ]

        assert found(StoreFilter("metadata.tags", "array_contains", "x")) == [a.segment_id]
        assert found(StoreFilter("metadata.n", "==", 3)) == [a.segment_id, b.segment_id]
        assert found(StoreFilter("metadata.n", "==", True)) == [c.segment_id]
        assert found(
            StoreFilter("metadata.mood", "==", "calm"),
            StoreFilter("metadata.tags", "array_contains", "y"),
        ) == [a.segment_id, b.segment_id]
        assert found(StoreFilter("metadata.mood", "==", "Calm")) == []
