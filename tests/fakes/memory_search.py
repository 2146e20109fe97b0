"""In-memory segment search over the in-memory catalog: brute-force cosine and plain scans.
Held to the same contract tests as the Firestore adapter."""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

from shared.domain.filters import same_value
from shared.domain.ports import SegmentSearchIndex
from shared.domain.records import SegmentRecord
from shared.domain.search import NearestQuery, ScanQuery, ScoredSegment, SegmentScope, StoreFilter
from tests.fakes.memory_catalog import InMemoryMediaCatalog

_MISSING = object()


class InMemorySegmentSearchIndex(SegmentSearchIndex):
    def __init__(self, catalog: InMemoryMediaCatalog) -> None:
        self._catalog = catalog

    def nearest(self, query: NearestQuery) -> list[ScoredSegment]:
        scored = []
        for segment_id, (model, embedding) in list(self._catalog.embeddings.items()):
            segment = self._catalog.segments.get(segment_id)
            if (
                segment is None
                or model != query.model_id
                or segment.user_id != query.user_id
                or segment.index_id is not None
                or (query.run_id is not None and segment.from_run_id != query.run_id)
            ):
                continue
            scored.append(ScoredSegment(copy.deepcopy(segment), _cosine(query.vector, embedding)))
        scored.sort(key=lambda s: -s.similarity)
        return scored[: query.limit]

    def scan(
        self, query: ScanQuery, after_segment_id: str | None, limit: int
    ) -> list[SegmentRecord]:
        found = []
        for segment_id in sorted(self._catalog.segments):
            segment = self._catalog.segments[segment_id]
            if after_segment_id is not None and segment_id <= after_segment_id:
                continue
            if segment.user_id != query.user_id or not _in_scope(segment, query.scope):
                continue
            if all(_passes(segment, f) for f in query.filters):
                found.append(copy.deepcopy(segment))
                if len(found) == limit:
                    break
        return found


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _in_scope(segment: SegmentRecord, scope: SegmentScope) -> bool:
    if scope.index_ids:
        if segment.index_id not in scope.index_ids:
            return False
    elif segment.index_id is not None:
        return False
    return not scope.run_ids or segment.from_run_id in scope.run_ids


def _passes(segment: SegmentRecord, f: StoreFilter) -> bool:
    value = _at(segment, f.path)
    if f.op == "==":
        return same_value(value, f.value)
    if f.op == "array_contains":
        return isinstance(value, list) and any(same_value(i, f.value) for i in value)
    raise ValueError(f"unsupported store filter {f.op}")


def _at(segment: SegmentRecord, path: str) -> Any:
    node: Any = {"metadata": segment.metadata}
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            return _MISSING
        node = node[name]
    return node
