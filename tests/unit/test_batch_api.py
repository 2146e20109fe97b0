"""The batch helpers through functions-framework, on in-memory ports: videos by ids, keys,
scopes and request limits (segments: test_batch_segments_api.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from videovector import VideoStatus, VideoWithDetails

from shared.bootstrap import Container
from shared.domain.markers import TargetType
from tests.support.batch_requests import mark, post
from tests.support.playground_media import RUN, Seeded
from tests.unit.conftest import Keys, function_client


@pytest.fixture
def client(container: Container) -> FlaskClient:
    return function_client("batch")


def test_batch_keeps_order_names_each_id_once_and_omits_unknown_foreign_deleted(
    client: FlaskClient, keys: Keys, library: Seeded, container: Container
) -> None:
    colours, still = library.videos["colours"], library.videos["still"]
    gone = library.videos["forest"]
    gone.deleted = True
    container.catalog.put_video(gone)
    bobs = library.videos["tone"]
    bobs.video_id, bobs.user_id = "bob-video", "bob"
    container.catalog.put_video(bobs)
    ids = [still.video_id, "unknown", colours.video_id, still.video_id, "bob-video", gone.video_id]

    response = post(client, "", keys.alice_read, {"video_ids": ids})
    assert response.status_code == 200, response.get_data(as_text=True)
    videos = [VideoWithDetails.model_validate(v) for v in response.get_json()]
    assert [v.video_id for v in videos] == [still.video_id, colours.video_id]
    assert videos[0].media_type == "image" and videos[1].title == "Demo colours"

    statuses = post(client, "/status", keys.alice_read, {"video_ids": ids}).get_json()
    assert [VideoStatus.model_validate(s).video_id for s in statuses] == [
        still.video_id,
        colours.video_id,
    ]
    assert post(client, "", keys.bob, {"video_ids": ids}).get_json()[0]["video_id"] == "bob-video"


def test_batch_carries_run_snapshots_markers_and_preview_urls(
    client: FlaskClient, keys: Keys, library: Seeded, container: Container
) -> None:
    colours = library.videos["colours"]
    mark(container, TargetType.VIDEO, colours.video_id, color="red", note="hero shot")
    (video,) = post(client, "", keys.alice_read, {"video_ids": [colours.video_id]}).get_json()
    parsed = VideoWithDetails.model_validate(video)
    assert parsed.marker.color == "red" and parsed.marker.note == "hero shot"
    (run,) = parsed.processing_status or []
    assert run.run_id == RUN and run.status == "completed" and run.prompt_id == "prompt-describe"
    assert (run.total_segments, run.successful_segments, run.pending_segments) == (2, 2, 0)
    assert [s.segment_id for s in run.segments] == [
        s.segment_id for s in library.segments["colours"]
    ]
    assert parsed.first_thumbnail and "/api/v2/previews/" in parsed.first_thumbnail
    assert parsed.gif_data and parsed.gif_data != parsed.first_thumbnail

    (status,) = post(
        client, "/status", keys.alice_read, {"video_ids": [colours.video_id]}
    ).get_json()
    assert VideoStatus.model_validate(status).processing_status[0].successful_segments == 2  # type: ignore[index]

    (audio,) = post(
        client, "", keys.alice_read, {"video_ids": [library.videos["tone"].video_id]}
    ).get_json()
    assert audio["gif_data"] is None and audio["first_thumbnail"]  # audio: a waveform, no GIF


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"video_ids": []}, "video_ids"),
        ("", {"video_ids": [f"v{i}" for i in range(101)]}, "video_ids"),
        ("/status", {"video_ids": [f"v{i}" for i in range(101)]}, "video_ids"),
        ("", {"video_ids": ["a/b"]}, "video_ids.0"),
        ("", {}, "video_ids"),
        ("/segments", {"video_ids": [f"v{i}" for i in range(51)]}, "video_ids"),
        ("/segments", {"targets": [{"video_id": f"v{i}"} for i in range(51)]}, "targets"),
        ("/segments", {"targets": []}, "targets"),
        ("/segments", {"video_ids": ["a"], "targets": [{"video_id": "a"}]}, "body"),
        ("/segments", {}, "body"),
    ],
)
def test_empty_oversized_and_malformed_requests_name_the_limit(
    client: FlaskClient, keys: Keys, library: Seeded, path: str, body: Any, field: str
) -> None:
    response = post(client, path, keys.alice_read, body)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in [p["field"] for p in error["details"]["errors"]]
    limits = [p.get("limit") or {} for p in error["details"]["errors"] if p["field"] == field]
    named = len(next(iter(body.values()), [])) if body else 0
    if named > 50:  # oversized: the limit is named
        assert limits[0]["max_length"] == (50 if path == "/segments" else 100)
    if body and named == 0 and field != "body":  # empty
        assert limits[0]["min_length"] == 1


def test_keys_and_scopes(client: FlaskClient, keys: Keys, library: Seeded) -> None:
    body = {"video_ids": [library.videos["colours"].video_id]}
    assert post(client, "", "sk_live_" + "0" * 48, body).status_code == 401
    assert post(client, "", keys.revoked, body).status_code == 401
    forbidden = post(client, "/status", keys.alice_search, body)
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"]["code"] == "authorization_insufficient_scope"


def test_the_gateway_sends_batch_paths_to_the_batch_function_not_to_media_templates() -> None:
    from infra.local.routes import function_for_path

    for path in (
        "/api/v2/videos/batch",
        "/api/v2/videos/batch/status",
        "/api/v2/videos/batch/segments",
    ):
        assert function_for_path(path) == "batch", path
    assert function_for_path("/api/v2/videos/batch/gif") == "media"  # a video id may be "batch"
    assert function_for_path("/api/v2/playground/videos") == "playground"
    assert function_for_path("/api/v2/search/filter/playground") == "playground"


@pytest.mark.parametrize("depth", [65, 1_000, 20_000])
def test_a_body_nested_too_deep_is_a_400_not_a_500(
    client: FlaskClient, keys: Keys, depth: int
) -> None:
    """A JSON array nested 1,000 deep was a RecursionError (500); depth is bounded at the edge."""
    raw = '{"video_ids":' + "[" * depth + "]" * depth + "}"
    response = client.post(
        "/api/v2/videos/batch",
        data=raw,
        content_type="application/json",
        headers={"X-API-Key": keys.alice_read},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json" and error["details"]["max_depth"] == 64
