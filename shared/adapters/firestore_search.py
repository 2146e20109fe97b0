"""Segment search in Firestore: ``find_nearest`` (cosine) on the ``embedding`` vector the
pipeline writes, and filtered scans in document-id order. Every query shape here has its index
declared in ``infra/firestore.indexes.json`` (a test checks the two agree)."""

from __future__ import annotations

import dataclasses

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_catalog import SEGMENTS
from shared.adapters.firestore_documents import from_document
from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.ports import SegmentSearchIndex
from shared.domain.records import SegmentRecord
from shared.domain.search import NearestQuery, ScanQuery, ScoredSegment

DISTANCE_FIELD = "vector_distance"
# Scans read the record's fields only: the 384-float embedding would triple what is sent.
SEGMENT_FIELDS = [f.name for f in dataclasses.fields(SegmentRecord)]


class FirestoreSegmentSearchIndex(SegmentSearchIndex):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._client = client
        self._call = call_options(timeout)

    def nearest(self, query: NearestQuery) -> list[ScoredSegment]:
        q = (
            self._client.collection(SEGMENTS)
            .where(filter=FieldFilter("user_id", "==", query.user_id))
            .where(filter=FieldFilter("embedding_model", "==", query.model_id))
            .where(filter=FieldFilter("index_id", "==", None))
        )
        if query.run_id is not None:
            q = q.where(filter=FieldFilter("from_run_id", "==", query.run_id))
        vector_query = q.find_nearest(
            "embedding",
            Vector(list(query.vector)),
            limit=query.limit,
            distance_measure=DistanceMeasure.COSINE,
            distance_result_field=DISTANCE_FIELD,
        )
        with translated_google_errors("Search"):
            snapshots = vector_query.get(**self._call)
        found = []
        for snapshot in snapshots:
            data = snapshot.to_dict() or {}
            distance = float(data.get(DISTANCE_FIELD, 1.0))
            found.append(ScoredSegment(from_document(SegmentRecord, data), 1.0 - distance))
        return found

    def scan(
        self, query: ScanQuery, after_segment_id: str | None, limit: int
    ) -> list[SegmentRecord]:
        scope = query.scope
        collection = self._client.collection(SEGMENTS)
        q = collection.where(filter=FieldFilter("user_id", "==", query.user_id))
        if scope.index_ids:
            q = q.where(filter=FieldFilter("index_id", "in", list(scope.index_ids)))
        else:
            q = q.where(filter=FieldFilter("index_id", "==", None))
        if scope.run_ids:
            q = q.where(filter=FieldFilter("from_run_id", "in", list(scope.run_ids)))
        for f in query.filters:
            q = q.where(filter=FieldFilter(f.path, f.op, f.value))
        q = q.select(SEGMENT_FIELDS).order_by("__name__")
        if after_segment_id is not None:
            q = q.start_after({"__name__": collection.document(after_segment_id)})
        with translated_google_errors("Search"):
            return [
                from_document(SegmentRecord, s.to_dict() or {})
                for s in q.limit(limit).stream(**self._call)
            ]
