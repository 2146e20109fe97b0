"""Playground listing, semantic search and filter search through functions-framework, on
in-memory ports and the real local embedder."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from videovector import FilterSearchResponse, SearchResult, Video

from shared.bootstrap import Container
from shared.services import search as search_service
from tests.support.playground_media import LABELLED_QUERIES, RUN, Seeded
from tests.unit.conftest import Keys, function_client


@pytest.fixture
def client(container: Container) -> FlaskClient:
    return function_client("playground")


def search(client: FlaskClient, key: str, body: Any, **params: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v2/playground/search", json=body, query_string=params, headers={"X-API-Key": key}
    )


def filter_(client: FlaskClient, key: str, body: Any):  # type: ignore[no-untyped-def]
    return client.post("/api/v2/search/filter/playground", json=body, headers={"X-API-Key": key})


def test_listing_is_newest_first_paginated_and_only_the_callers_index_less_media(
    client: FlaskClient, keys: Keys, library: Seeded, container: Container
) -> None:
    indexed = library.videos["forest"]
    indexed.index_id = "idx-1"
    container.catalog.put_video(indexed)
    foreign = library.videos["tone"]
    foreign.video_id, foreign.user_id = "bob-video", "bob"
    foreign.created_at += timedelta(hours=1)
    container.catalog.put_video(foreign)

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = client.get(
            "/api/v2/playground/videos", query_string=params, headers={"X-API-Key": keys.alice_read}
        ).get_json()
        assert page["pagination"]["limit"] == 2
        seen += [Video.model_validate(v).video_id for v in page["data"]]
        cursor = page["pagination"]["next_cursor"]
        if not page["pagination"]["has_more"]:
            assert cursor is None
            break
    assert seen == [
        "alice-colours",
        "alice-tone",
        "alice-still",
    ]  # LIBRARY order is newest first; forest is in an index


def test_listing_rejects_bad_cursors_and_limits(client: FlaskClient, keys: Keys, library: Seeded):  # type: ignore[no-untyped-def]
    headers = {"X-API-Key": keys.alice_read}
    bad = client.get("/api/v2/playground/videos?cursor=nope", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_cursor"
    assert client.get("/api/v2/playground/videos?limit=101", headers=headers).status_code == 422
    assert client.get("/api/v2/playground/videos?limit=0", headers=headers).status_code == 422


@pytest.mark.parametrize("query", sorted(LABELLED_QUERIES))
def test_labelled_queries_rank_the_expected_segment_first(
    client: FlaskClient, keys: Keys, library: Seeded, query: str
) -> None:
    response = search(client, keys.alice_search, {"query": query, "top_k": 3})
    assert response.status_code == 200, response.get_data(as_text=True)
    results = [SearchResult.model_validate(r) for r in response.get_json()]
    expected = library.segment(*LABELLED_QUERIES[query])
    assert results[0].segment_id == expected.segment_id, [r.text_content for r in results]
    assert len(results) == 3
    scores = [r.similarity_score or 0 for r in results]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1


def test_semantic_search_shape_run_filter_and_bounds(
    client: FlaskClient, keys: Keys, library: Seeded
) -> None:
    (top,) = search(client, keys.alice_search, {"query": "red scene", "top_k": 1}).get_json()
    result = SearchResult.model_validate(top)
    red = library.segment("colours", 0)
    assert result.video_id == red.video_id and result.video_name == "Demo colours"
    assert result.text_content == red.metadata_text and result.metadata == red.metadata
    assert result.media_type == "video" and result.run_id == RUN
    assert result.thumbnail_uri and result.marker.marker_id is None

    everything = search(client, keys.alice_search, {"query": "scene"}).get_json()
    assert len(everything) == 5  # top_k defaults to 30; the library has five segments
    assert search(client, keys.alice_search, {"query": "scene"}, run_id="other").get_json() == []
    assert len(search(client, keys.alice_search, {"query": "x"}, run_id=RUN).get_json()) == 5
    assert search(client, keys.bob, {"query": "red scene"}).get_json() == []

    for body in (
        {"query": "x", "top_k": 0},
        {"query": "x", "top_k": 101},
        {"query": "x", "top_k": True},  # JSON true is not a number (found by Schemathesis)
        {"query": " "},
        {},
    ):
        bad = search(client, keys.alice_search, body)
        assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_failed"


def test_filter_search_ands_conditions_and_pages(
    client: FlaskClient, keys: Keys, library: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    loud = {"field": "audio_label", "operator": "equals", "type": "string", "value": "loud audio"}
    answer = filter_(client, keys.alice_search, {"conditions": [loud]}).get_json()
    parsed = FilterSearchResponse.model_validate(answer)
    assert {r.segment_id for r in parsed.results} == {
        library.segment("colours", 0).segment_id,
        library.segment("tone", 0).segment_id,
    }
    assert parsed.total_shown == 2 and parsed.next_page_token is None

    people = {"field": "people[].emotion", "operator": "equals", "type": "string", "value": "joy"}
    (hit,) = filter_(client, keys.alice_search, {"conditions": [loud, people]}).get_json()["data"]
    assert hit["segment_id"] == library.segment("tone", 0).segment_id

    monkeypatch.setattr(search_service, "FILTER_SCAN_BATCH", 2)  # many store round trips
    any_media = {"field": "media_type", "operator": "is_not_empty", "type": "string"}
    seen, cursor = [], None
    while True:
        body: dict[str, Any] = {"conditions": [any_media], "page_size": 2}
        if cursor:
            body["cursor"] = cursor
        page = FilterSearchResponse.model_validate(
            filter_(client, keys.alice_search, body).get_json()
        )
        seen += [r.segment_id for r in page.results]
        cursor = page.next_page_token
        if not cursor:
            break
    assert seen == sorted(s.segment_id for segs in library.segments.values() for s in segs)

    other = filter_(
        client, keys.alice_search, {"conditions": [loud], "cursor": page_cursor(client, keys)}
    )
    assert other.status_code == 400 and other.get_json()["error"]["code"] == "invalid_cursor"


def test_filter_search_answers_both_shapes_with_the_same_rows(
    client: FlaskClient, keys: Keys, library: Seeded
) -> None:
    any_media = {"field": "media_type", "operator": "is_not_empty", "type": "string"}
    raw = filter_(client, keys.alice_search, {"conditions": [any_media], "page_size": 2})
    answer = json.loads(raw.get_data())
    assert set(answer) == {"results", "next_page_token", "total_shown", "data", "pagination"}
    assert answer["results"] == answer["data"] and len(answer["results"]) == 2
    assert answer["total_shown"] == 2
    assert answer["pagination"] == {
        "limit": 2,
        "has_more": True,
        "next_cursor": answer["next_page_token"],
    }
    assert answer["next_page_token"]


def page_cursor(client: FlaskClient, keys: Keys) -> str:
    any_media = {"field": "media_type", "operator": "is_not_empty", "type": "string"}
    body = {"conditions": [any_media], "page_size": 1}
    return str(filter_(client, keys.alice_search, body).get_json()["next_page_token"])


def test_filter_search_scope_by_runs_and_indexes(
    client: FlaskClient, keys: Keys, library: Seeded, container: Container
) -> None:
    forest = library.segment("forest", 0)
    forest.index_id = "idx-1"
    container.catalog.put_segments([forest])
    green = {"field": "dominant_color", "operator": "equals", "type": "string", "value": "green"}
    assert filter_(client, keys.alice_search, {"conditions": [green]}).get_json()["data"] == []
    scoped = filter_(client, keys.alice_search, {"conditions": [green], "index_ids": ["idx-1"]})
    assert [r["segment_id"] for r in scoped.get_json()["data"]] == [forest.segment_id]
    any_text = {"field": "media_type", "operator": "is_not_empty", "type": "string"}
    none = filter_(client, keys.alice_search, {"conditions": [any_text], "run_ids": ["nope"]})
    assert none.get_json()["data"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"conditions": []}, "conditions"),
        (
            {"conditions": [{"field": "a", "operator": "is_empty", "type": "string"}] * 5},
            "conditions",
        ),
        (
            {
                "conditions": [{"field": "a", "operator": "is_empty", "type": "string"}],
                "page_size": 0,
            },
            "page_size",
        ),
        (
            {
                "conditions": [{"field": "a", "operator": "is_empty", "type": "string"}],
                "page_size": 101,
            },
            "page_size",
        ),
        (
            {
                "conditions": [{"field": "a", "operator": "is_empty", "type": "string"}],
                "run_ids": [f"r{i}" for i in range(6)],
                "index_ids": [f"i{i}" for i in range(6)],
            },
            "run_ids",
        ),
        (
            {
                "conditions": [
                    {"field": "a", "operator": "is_empty", "type": "string"},
                    {"field": "a", "operator": "greater_than", "type": "string", "value": "x"},
                ]
            },
            "conditions.1",
        ),
    ],
)
def test_filter_validation_names_the_bad_part(
    client: FlaskClient, keys: Keys, library: Seeded, body: Any, field: str
) -> None:
    response = filter_(client, keys.alice_search, body)
    assert response.status_code == 422, response.get_data(as_text=True)
    fields = [p["field"] for p in response.get_json()["error"]["details"]["errors"]]
    assert field in fields


def test_search_scopes(client: FlaskClient, keys: Keys, library: Seeded) -> None:
    assert search(client, keys.alice_read, {"query": "red"}).status_code == 200  # read > search
    assert search(client, "sk_live_" + "1" * 48, {"query": "red"}).status_code == 401
    listed = client.get("/api/v2/playground/videos", headers={"X-API-Key": keys.alice_search})
    assert listed.status_code == 403  # listing needs read
