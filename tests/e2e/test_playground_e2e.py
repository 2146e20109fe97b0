"""The playground helpers through the gateway, driven by the public ``videovector`` SDK
unchanged, over the demo media processed by the stack's own pipeline: listing with
``auto_paging_iter``, semantic search (a labelled query set) and filter search."""

from __future__ import annotations

from typing import Any

import pytest
from videovector import ValidationError

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from tests.contracts.media_catalog import video
from tests.e2e.demo_library import DemoLibrary
from tests.e2e.sdk_support import sdk_client

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
CLIP, NIGHT, PURPLE = "red-blue-green.mp4", "night-and-day.mp4", "long-purple-take.mp4"
TONES, POSTER = "tones.mp3", "poster.png"

# query → the demo segments (file, index) of which one must rank first
LABELLED_QUERIES: dict[str, set[tuple[str, int]]] = {
    "red scene": {(CLIP, 0)},
    "red scene with a loud tone": {(CLIP, 0)},
    "blue scene, medium brightness": {(CLIP, 1)},
    "green scene with fast motion": {(CLIP, 2)},
    "black and blue scene, very dark": {(NIGHT, 0)},
    "bright yellow scene": {(NIGHT, 1)},
    "purple scene": {(PURPLE, 0), (PURPLE, 1)},  # one long take cut into two equal windows
    "loud audio": {(TONES, 0)},
    "silence": {(TONES, 1)},
    "quiet audio": {(TONES, 2)},
    "orange still image": {(POSTER, 0)},
    "a still image": {(POSTER, 0)},
}


def test_list_playground_pages_through_the_sdk(
    stack: LocalStack,
    cloud: Container,
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    lib = demo_library
    cloud.catalog.put_video(video(lib.user_id, f"{lib.user_id}-indexed", index_id="idx-1"))
    cloud.catalog.put_video(video("someone-else", f"{lib.user_id}-foreign"))
    newest_first = sorted(lib.videos.values(), key=lambda v: (v.created_at, v.video_id))[::-1]

    with sdk_client(stack.base_url, new_key(lib.user_id, "read")) as client:
        page = client.videos.list_playground(limit=2)
        assert len(page) == 2 and page.has_more and page.next_cursor
        listed = list(page.auto_paging_iter())
    assert [v.video_id for v in listed] == [v.video_id for v in newest_first]
    assert {v.title for v in listed} >= {"Red, blue, green", "Tones and silence", "Orange poster"}


def test_labelled_queries_rank_the_expected_segment_first(
    stack: LocalStack,
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    lib = demo_library
    with sdk_client(stack.base_url, new_key(lib.user_id, "search")) as client:
        for query, expected in LABELLED_QUERIES.items():
            results = client.search.playground(query=query, top_k=3)
            wanted = {lib.segment(name, i).segment_id for name, i in expected}
            assert results[0].segment_id in wanted, (query, [r.text_content for r in results])
            scores = [r.similarity_score or 0.0 for r in results]
            assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1

        (top,) = client.search.playground(query="red scene", top_k=1)
        red = lib.segment(CLIP, 0)
        assert (top.video_id, top.video_name, top.media_type) == (
            red.video_id,
            "Red, blue, green",
            "video",
        )
        assert top.text_content == red.metadata_text and top.metadata == red.metadata
        assert (top.start_time, top.end_time) == (red.start_time, red.end_time)
        assert top.thumbnail_uri

        everything = client.search.playground(query="scene")  # top_k defaults to 30
        assert len(everything) == len(lib.all_segments()) == 11
        run_only = client.search.playground(query="scene", run_id=red.from_run_id)
        assert {r.segment_id for r in run_only} == {s.segment_id for s in lib.segments[CLIP]}
        assert client.search.playground(query="scene", run_id="another-run") == []
        with pytest.raises(ValidationError):
            client.search.playground(query="scene", top_k=101)


def ids(lib: DemoLibrary, *wanted: tuple[str, int]) -> list[str]:
    return sorted(lib.segment(name, i).segment_id for name, i in wanted)


def found(client: Any, *conditions: dict[str, Any], **kw: Any) -> list[str]:
    return sorted(
        r.segment_id
        for r in client.search.filter_playground(conditions=list(conditions), **kw).results
    )


def test_filter_playground_through_the_sdk(
    stack: LocalStack,
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    lib = demo_library
    loud = {"field": "audio_label", "operator": "equals", "value": "loud audio", "type": "string"}
    audio = {"field": "media_type", "operator": "equals", "value": "audio", "type": "string"}
    white = {"field": "palette[].name", "operator": "equals", "value": "white", "type": "string"}
    several = {"field": "palette", "operator": "length_greater", "value": 1, "type": "array"}
    high = {"field": "pitch_hz", "operator": "greater_equal", "value": 660, "type": "number"}
    blueish = {
        "field": "dominant_color",
        "operator": "starts_with",
        "value": "BL",
        "type": "string",
    }
    no_picture = {"field": "dominant_color", "operator": "is_empty", "type": "string"}
    with sdk_client(stack.base_url, new_key(lib.user_id, "search")) as client:
        assert found(client, loud) == ids(lib, (CLIP, 0), (NIGHT, 1), (TONES, 0))
        assert found(client, loud, audio) == ids(lib, (TONES, 0))
        assert found(client, white) == ids(lib, (CLIP, 2), (PURPLE, 0), (PURPLE, 1))
        assert found(client, several, white, high) == ids(lib, (CLIP, 2))
        assert found(client, blueish) == ids(lib, (CLIP, 1), (NIGHT, 0))
        assert found(client, no_picture) == ids(lib, (TONES, 0), (TONES, 1), (TONES, 2))
        run_id = lib.segment(CLIP).from_run_id
        assert found(client, loud, run_ids=[run_id]) == ids(lib, (CLIP, 0))

        anything = {"field": "media_type", "operator": "is_not_empty", "type": "string"}
        seen: list[str] = []
        cursor = None
        while True:
            page = client.search.filter_playground(
                conditions=[anything], page_size=4, cursor=cursor
            )
            assert page.total_shown == len(page.results) <= 4
            seen += [r.segment_id for r in page.results]
            cursor = page.next_page_token
            if cursor is None:
                break
        assert seen == sorted(s.segment_id for s in lib.all_segments())

        with pytest.raises(ValidationError) as invalid:
            client.search.filter_playground(
                conditions=[
                    loud,
                    {"field": "a..b", "operator": "equals", "value": "x", "type": "string"},
                ]
            )
        assert invalid.value.details["errors"][0]["condition_index"] == 1


def test_filter_playground_answers_both_shapes_over_raw_http(
    stack: LocalStack,
    http,  # type: ignore[no-untyped-def]
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    """Clients reading ``results`` / ``next_page_token`` and clients reading ``data`` /
    ``pagination`` walk the same pages, row for row."""
    anything = {"field": "media_type", "operator": "is_not_empty", "type": "string"}
    headers = {"X-API-Key": new_key(demo_library.user_id, "search")}
    by_results: list[Any] = []
    cursor = None
    while True:
        body: dict[str, Any] = {"conditions": [anything], "page_size": 3}
        if cursor:
            body["cursor"] = cursor
        response = http.post("/api/v2/search/filter/playground", json=body, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["results"] == page["data"]
        assert page["total_shown"] == len(page["results"]) <= 3
        assert page["next_page_token"] == page["pagination"]["next_cursor"]
        assert page["pagination"]["has_more"] == (page["next_page_token"] is not None)
        by_results += page["results"]
        cursor = page["next_page_token"]
        if cursor is None:
            break
    segments = sorted(s.segment_id for s in demo_library.all_segments())
    assert [r["segment_id"] for r in by_results] == segments
