"""Batch reads and searches against the emulator: the round trips a batch costs, and the
query shapes the code issues, checked against the indexes declared in the infra."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.bootstrap import Container
from shared.config import Settings
from shared.services import catalog as catalog_service
from shared.services import search as search_service
from tests.contracts.media_catalog import video
from tests.support.firestore_indexes import declared_exemptions, declared_indexes, is_covered
from tests.support.firestore_recorder import QueryShape, RecordingClient
from tests.support.playground_media import RUN, Seeded, seed_playground

pytestmark = pytest.mark.emulator


@pytest.fixture
def recording(cloud: Container) -> Iterator[Container]:
    """Adapters on a client that records what reaches Firestore (and the real embedder)."""
    settings = Settings()
    client = RecordingClient(project=settings.project_id)
    yield Container(settings, firestore=client, embedder=cloud.embedder)
    client.close()


@pytest.fixture
def library(cloud: Container, user_id: str) -> Seeded:
    return seed_playground(cloud.catalog, cloud.embedder, user_id)


def recorded(container: Container):  # type: ignore[no-untyped-def]
    return container.firestore.recorded  # type: ignore[attr-defined]


def test_a_batch_of_100_ids_costs_a_small_constant_number_of_round_trips(
    cloud: Container, recording: Container, library: Seeded, user_id: str
) -> None:
    ids = [v.video_id for v in library.videos.values()]
    for i in range(100 - len(ids)):
        cloud.catalog.put_video(video(user_id, f"{user_id}-bulk-{i:03}"))
        ids.append(f"{user_id}-bulk-{i:03}")
    assert len(ids) == 100
    rec = recorded(recording)

    rec.clear()
    answer = catalog_service.batch_videos(recording, user_id, ids)
    assert [v.video_id for v in answer] == ids
    # one batch get of the videos; run snapshots and markers: one query per 30 ids each
    assert rec.counts() == {"BatchGetDocuments": 1, "RunQuery": 4 + 4}

    rec.clear()
    statuses = catalog_service.batch_statuses(recording, user_id, ids + ids)
    assert len(statuses) == 100
    assert rec.counts() == {"BatchGetDocuments": 1, "RunQuery": 4}

    rec.clear()
    groups = catalog_service.batch_segments(recording, user_id, ids[:50])
    assert sum(len(g.segments) for g in groups) == 5
    # videos, then segments per 30 videos, then markers per 30 segments
    assert rec.counts() == {"BatchGetDocuments": 1, "RunQuery": 2 + 1}

    rec.clear()
    targets = [(v, None) for v in ids[:50]]
    groups = catalog_service.batch_segments_for_targets(recording, user_id, targets)
    assert {g.run_id for g in groups[: len(library.videos)]} == {RUN}
    assert sum(len(g.segments) for g in groups) == 5
    # videos, run snapshots per 30 videos (to resolve the run) and, beside them, the segments
    # of every run per 30 videos (decision 045); then markers
    assert rec.counts() == {"BatchGetDocuments": 1, "RunQuery": 2 + 2 + 1}


def test_declared_indexes_cover_every_query_the_code_issues(
    recording: Container, library: Seeded, user_id: str
) -> None:
    rec = recorded(recording)
    rec.clear()
    page = catalog_service.playground_videos(recording, user_id, 2, None)
    catalog_service.playground_videos(recording, user_id, 2, page.next_cursor)
    ids = [v.video_id for v in library.videos.values()]
    catalog_service.batch_videos(recording, user_id, ids)
    catalog_service.batch_statuses(recording, user_id, ids)
    catalog_service.batch_segments(recording, user_id, ids[:2])
    catalog_service.batch_segments_for_targets(recording, user_id, [(ids[0], RUN), (ids[1], None)])
    catalog_service.batch_segments_for_targets(recording, user_id, [(ids[0], RUN)])
    search_service.playground_search(recording, user_id, "red scene", 5, None)
    search_service.playground_search(recording, user_id, "red scene", 5, RUN)
    conditions = [
        {"field": "dominant_color", "operator": "equals", "type": "string", "value": "red"},
        {"field": "tags", "operator": "item_equals", "type": "array", "value": "warm"},
        {"field": "loudness_db", "operator": "greater_than", "type": "number", "value": -10},
    ]
    found = search_service.filter_search(recording, user_id, conditions, 10, None)
    assert [r.segment_id for r in found.data] == [library.segment("colours").segment_id]
    range_only = [{"field": "loudness_db", "operator": "less_than", "type": "number", "value": 0}]
    first = search_service.filter_search(recording, user_id, range_only, 1, None)
    search_service.filter_search(recording, user_id, range_only, 1, first.next_page_token)
    search_service.filter_search(
        recording, user_id, range_only, 5, None, run_ids=[RUN, "r2"], index_ids=["i1", "i2"]
    )

    shapes = rec.query_shapes()
    assert {s.collection for s in shapes} >= {"videos", "segments", "run_videos", "markers"}
    assert any(s.vector_field == "embedding" for s in shapes)
    indexes, exempt = declared_indexes(), declared_exemptions()
    missing = [s for s in shapes if not is_covered(s, indexes, exempt)]
    assert missing == []

    # the rule can fail: a range after an equality needs a composite index nobody declared
    needs_index = QueryShape("segments", frozenset({"user_id"}), frozenset({"start_time"}), ())
    assert not is_covered(needs_index, indexes)
