"""The playground helpers through the gateway, driven by the public ``videovector`` SDK
unchanged: listing with ``auto_paging_iter``, semantic search and filter search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from videovector import ValidationError

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from tests.contracts.media_catalog import video
from tests.e2e.sdk_support import sdk_client
from tests.support.playground_media import LABELLED_QUERIES, RUN, Seeded, seed_playground

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]


@pytest.fixture
def library(cloud: Container, user_id: str) -> Seeded:
    return seed_playground(cloud.catalog, cloud.embedder, user_id)


def test_list_playground_pages_through_the_sdk(
    stack: LocalStack,
    cloud: Container,
    new_key,
    library: Seeded,
    user_id: str,  # type: ignore[no-untyped-def]
) -> None:
    newest = library.videos["colours"].created_at
    for i in range(3):  # older than the library, in an index, someone else's
        cloud.catalog.put_video(
            video(user_id, f"{user_id}-old-{i}", created_at=newest - timedelta(days=1, minutes=i))
        )
    cloud.catalog.put_video(video(user_id, f"{user_id}-indexed", index_id="idx-1"))
    cloud.catalog.put_video(video("someone-else", f"{user_id}-foreign"))

    with sdk_client(stack.base_url, new_key(user_id, "read")) as client:
        page = client.videos.list_playground(limit=2)
        assert len(page) == 2 and page.has_more and page.next_cursor
        listed = [v.video_id for v in page.auto_paging_iter()]
    expected = [library.videos[k].video_id for k in ("colours", "forest", "tone", "still")]
    assert listed == expected + [f"{user_id}-old-{i}" for i in range(3)]


def test_labelled_queries_rank_the_expected_segment_first(
    stack: LocalStack,
    new_key,
    library: Seeded,
    user_id: str,  # type: ignore[no-untyped-def]
) -> None:
    with sdk_client(stack.base_url, new_key(user_id, "search")) as client:
        for query, (key, index) in LABELLED_QUERIES.items():
            results = client.search.playground(query=query, top_k=3)
            expected = library.segment(key, index)
            assert results[0].segment_id == expected.segment_id, (query, results[0].text_content)
            assert results[0].text_content == expected.metadata_text
            assert results[0].video_name == library.videos[key].title
            scores = [r.similarity_score or 0.0 for r in results]
            assert scores == sorted(scores, reverse=True)
        assert len(client.search.playground(query="scene", top_k=2)) == 2
        assert len(client.search.playground(query="scene", run_id=RUN)) == 5
        assert client.search.playground(query="scene", run_id="another-run") == []
        with pytest.raises(ValidationError):
            client.search.playground(query="scene", top_k=101)


def test_filter_playground_through_the_sdk(
    stack: LocalStack,
    new_key,
    library: Seeded,
    user_id: str,  # type: ignore[no-untyped-def]
) -> None:
    with sdk_client(stack.base_url, new_key(user_id, "search")) as client:
        loud = client.search.filter_playground(
            conditions=[
                {
                    "field": "audio_label",
                    "operator": "equals",
                    "value": "loud audio",
                    "type": "string",
                },
                {
                    "field": "loudness_db",
                    "operator": "greater_than",
                    "value": -7.0,
                    "type": "number",
                },
            ]
        )
        assert [r.segment_id for r in loud.results] == [library.segment("tone").segment_id]
        assert loud.total_shown == 1 and loud.next_page_token is None

        people = client.search.filter_playground(
            conditions=[
                {
                    "field": "people[].name",
                    "operator": "starts_with",
                    "value": "c",
                    "type": "string",
                },
                {"field": "tags", "operator": "is_empty", "type": "array"},
            ]
        )
        assert [r.segment_id for r in people.results] == [library.segment("tone").segment_id]

        everything = [
            {"field": "media_type", "operator": "is_not_empty", "type": "string"},
        ]
        first = client.search.filter_playground(conditions=everything, page_size=3)
        assert first.total_shown == 3 and first.next_page_token and first.pagination.has_more
        rest = client.search.filter_playground(
            conditions=everything, page_size=3, cursor=first.next_page_token
        )
        assert rest.next_page_token is None
        seen = [r.segment_id for r in first.results + rest.results]
        assert seen == sorted(s.segment_id for segs in library.segments.values() for s in segs)
        assert (
            client.search.filter_playground(conditions=everything, run_ids=["nope"]).results == []
        )

        with pytest.raises(ValidationError) as invalid:
            client.search.filter_playground(
                conditions=[{"field": "a[].", "operator": "equals", "value": "x", "type": "string"}]
            )
        assert invalid.value.details["errors"][0]["condition_index"] == 0
