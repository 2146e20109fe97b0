"""Playground search: semantic (query vs. segments' ``metadata_text``) and filter search over
segment ``metadata``. Both answer the SDK's ``SearchResult`` shape.

Filter search splits each condition (decision 041): exact tests on plain paths go to the store,
which needs no composite index for them; the service then evaluates EVERY condition on what
the store returned, so both halves agree by construction. Pages follow segment ids; one request
reads at most ``FILTER_SCAN_BUDGET`` segments, so a rare match can give a short page that
still says ``has_more``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shared.domain.filters import Condition, matches, parse_conditions, store_equality
from shared.domain.ports import SegmentSearchIndex, TextEmbedder
from shared.domain.records import SegmentRecord, VideoRecord
from shared.domain.resources.base import PaginationInfo
from shared.domain.resources.search import FilterSearchResponse, SearchResult
from shared.domain.search import NearestQuery, ScanQuery, SegmentScope, StoreFilter
from shared.errors import InvalidRequest, ValidationFailed
from shared.pagination import CursorId, decode_cursor, encode_cursor
from shared.services.catalog import CatalogReaders, CatalogService, unique
from shared.services.marker_attachment import attach_markers
from shared.services.previews import fill_preview_urls

MAX_SCOPE_DISJUNCTIONS = 30  # the store's limit on ``in`` x ``in`` combinations
FILTER_SCAN_BATCH = 200
FILTER_SCAN_BUDGET = 1000
FILTER_CURSOR = "filter_playground"


class SearchReaders(CatalogReaders, Protocol):
    @property
    def embedder(self) -> TextEmbedder: ...

    @property
    def search_index(self) -> SegmentSearchIndex: ...


def playground_search(
    r: SearchReaders, user_id: str, query: str, top_k: int, run_id: str | None
) -> list[SearchResult]:
    """The ``top_k`` playground segments most similar to ``query``, best first."""
    vector = r.embedder.embed_query(query)
    hits = r.search_index.nearest(NearestQuery(user_id, r.embedder.model_id, vector, top_k, run_id))
    videos = r.catalog.get_videos(user_id, unique(h.segment.video_id for h in hits))
    results = [
        SearchResult.of(h.segment, videos[h.segment.video_id], round(h.similarity, 6))
        for h in hits
        if h.segment.video_id in videos
    ]
    _decorate(r, user_id, results, videos)
    return results


def filter_search(
    r: SearchReaders,
    user_id: str,
    raw_conditions: Sequence[Any],
    page_size: int,
    cursor: str | None,
    run_ids: Sequence[str] = (),
    index_ids: Sequence[str] = (),
) -> FilterSearchResponse:
    """One page of the segments matching every condition (``FilterSearchResponse``), in both
    of its shapes: ``results`` / ``next_page_token`` / ``total_shown`` and ``data`` /
    ``pagination``."""
    conditions = parse_conditions(raw_conditions)
    scope = SegmentScope(tuple(unique(index_ids)), tuple(unique(run_ids)))
    if max(len(scope.index_ids), 1) * max(len(scope.run_ids), 1) > MAX_SCOPE_DISJUNCTIONS:
        raise ValidationFailed(
            "Too many index and run combinations.",
            details={
                "errors": [
                    {
                        "field": "run_ids",
                        "message": "len(run_ids) x len(index_ids) must be at most 30",
                        "limit": {"max_combinations": MAX_SCOPE_DISJUNCTIONS},
                    }
                ]
            },
        )
    fingerprint = _fingerprint(conditions, scope)
    after = _cursor_position(cursor, fingerprint)
    page, has_more, last = _scan(r.search_index, user_id, scope, conditions, page_size, after)
    next_cursor = (
        encode_cursor(FILTER_CURSOR, {"q": fingerprint, "after": last}) if has_more else None
    )
    videos = r.catalog.get_videos(user_id, unique(s.video_id for s in page))
    results = [SearchResult.of(s, videos[s.video_id]) for s in page if s.video_id in videos]
    _decorate(r, user_id, results, videos)
    return FilterSearchResponse(
        results=results,
        next_page_token=next_cursor,
        total_shown=len(results),
        data=results,
        pagination=PaginationInfo(limit=page_size, has_more=has_more, next_cursor=next_cursor),
    )


def store_filters(conditions: Sequence[Condition]) -> list[StoreFilter]:
    """What the store can test (the store allows one ``array_contains`` per query)."""
    chosen: list[StoreFilter] = []
    for condition in conditions:
        pushed = store_equality(condition)
        if pushed is None:
            continue
        if pushed[1] == "array_contains" and any(f.op == "array_contains" for f in chosen):
            continue
        chosen.append(StoreFilter(*pushed))
    return chosen


def _scan(
    index: SegmentSearchIndex,
    user_id: str,
    scope: SegmentScope,
    conditions: Sequence[Condition],
    page_size: int,
    after: str | None,
) -> tuple[list[SegmentRecord], bool, str | None]:
    """Matches for one page, whether more may follow, and where the next page starts."""
    query = ScanQuery(user_id, scope, store_filters(conditions))
    matched: list[SegmentRecord] = []
    scanned = 0
    last = after
    while scanned < FILTER_SCAN_BUDGET:
        batch = index.scan(query, last, FILTER_SCAN_BATCH)
        for segment in batch:
            scanned += 1
            if all(matches(c, segment.metadata) for c in conditions):
                if len(matched) == page_size:  # one more match: there is a next page
                    return matched, True, matched[-1].segment_id
                matched.append(segment)
            last = segment.segment_id
        if len(batch) < FILTER_SCAN_BATCH:
            return matched, False, None
    return matched, True, last  # budget spent: resume after the last segment read


def _fingerprint(conditions: Sequence[Condition], scope: SegmentScope) -> str:
    canonical = json.dumps(
        [[c.as_dict() for c in conditions], sorted(scope.index_ids), sorted(scope.run_ids)],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _cursor_position(cursor: str | None, fingerprint: str) -> str | None:
    if cursor is None:
        return None
    position = decode_cursor(FILTER_CURSOR, cursor, {"q": str, "after": CursorId})
    if position["q"] != fingerprint:
        raise InvalidRequest(
            "The cursor belongs to another search; send the same conditions and scope.",
            code="invalid_cursor",
            details={"field": "cursor"},
        )
    return str(position["after"])


def _decorate(
    r: SearchReaders, user_id: str, results: list[SearchResult], videos: dict[str, VideoRecord]
) -> None:
    """Markers (the segment's, and its extracted fields') and preview URLs on each result;
    the preview fields repeat the result's own segment's."""
    attach_markers(r.markers, user_id, results=results)
    types = {v: video.media_type.value for v, video in videos.items()}
    fill_preview_urls(r, user_id, [], results, media_types=types)
    for result in results:
        result.preview_thumbnail_uri = result.thumbnail_uri
        result.preview_gif_uri = result.gif_uri


@dataclass(frozen=True)
class SearchService(CatalogService):
    """Playground search beside the catalog's reads, one call per handler; built in
    ``shared/bootstrap.py`` (decision 009). It is the ``SearchReaders`` of the functions above."""

    embedder: TextEmbedder
    search_index: SegmentSearchIndex

    playground_search = playground_search
    filter_search = filter_search
