"""The batch helpers through the gateway, driven by the public ``videovector`` SDK unchanged."""

from __future__ import annotations

import httpx
import pytest
from videovector import (
    AuthenticationError,
    AuthorizationError,
    BatchVideoSegmentsTarget,
    RateLimitError,
    ValidationError,
)

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from tests.contracts.media_catalog import video
from tests.e2e.sdk_support import exhaust_rate_limit, sdk_client
from tests.support.playground_media import RUN, Seeded, seed_playground

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]


@pytest.fixture
def library(cloud: Container, user_id: str) -> Seeded:
    return seed_playground(cloud.catalog, cloud.embedder, user_id)


def put_marker(http: httpx.Client, key: str, body: dict[str, str]) -> None:
    response = http.put("/api/v2/markers", json=body, headers={"X-API-Key": key})
    assert response.status_code in (200, 201), response.text


def test_batch_retrieve_and_status_through_the_sdk(
    stack: LocalStack,
    http: httpx.Client,
    cloud: Container,
    new_key,
    library: Seeded,
    user_id: str,  # type: ignore[no-untyped-def]
) -> None:
    key = new_key(user_id, "write")
    colours, still = library.videos["colours"], library.videos["still"]
    cloud.catalog.put_video(video("someone-else", f"{user_id}-foreign"))
    put_marker(http, key, {"target_type": "video", "target_id": colours.video_id, "color": "red"})
    ids = [still.video_id, "unknown", colours.video_id, still.video_id, f"{user_id}-foreign"]

    with sdk_client(stack.base_url, key) as client:
        videos = client.videos.batch_retrieve(ids)
        assert [v.video_id for v in videos] == [still.video_id, colours.video_id]
        assert videos[0].media_type == "image" and videos[0].title == "Demo still"
        assert videos[0].marker.marker_id is None
        assert videos[1].marker.color == "red"
        (run,) = videos[1].processing_status or []
        assert (run.run_id, run.status, run.total_segments, run.successful_segments) == (
            RUN,
            "completed",
            2,
            2,
        )
        assert videos[1].first_thumbnail and videos[1].gif_data  # keyless preview links
        assert videos[1].first_thumbnail.startswith(stack.base_url) or "/previews/" in (
            videos[1].first_thumbnail
        )

        statuses = client.videos.batch_status(ids)
        assert [(s.video_id, s.status) for s in statuses] == [
            (still.video_id, "processed"),
            (colours.video_id, "processed"),
        ]
        assert statuses[1].processing_status and statuses[1].processing_status[0].run_id == RUN


def test_batch_segments_through_the_sdk(
    stack: LocalStack,
    http: httpx.Client,
    new_key,
    library: Seeded,
    user_id: str,  # type: ignore[no-untyped-def]
) -> None:
    key = new_key(user_id, "write")
    colours, forest = library.videos["colours"], library.videos["forest"]
    red = library.segment("colours", 0)
    put_marker(
        http,
        key,
        {
            "target_type": "extracted_field",
            "target_id": red.segment_id,
            "field_path": "audio_label",
            "note": "loud",
        },
    )
    with sdk_client(stack.base_url, key) as client:
        groups = client.videos.batch_segments([colours.video_id, "unknown", forest.video_id])
        assert [(g.video_id, len(g.segments)) for g in groups] == [
            (colours.video_id, 2),
            (forest.video_id, 1),
        ]
        first = groups[0].segments[0]
        assert first.segment_id == red.segment_id and first.metadata == red.metadata
        assert first.metadata_text == red.metadata_text and first.segment_status == "completed"
        assert first.metadata_markers["audio_label"].note == "loud"
        assert first.thumbnail_uri

        scoped = client.videos.batch_segments_for_targets(
            [
                BatchVideoSegmentsTarget(video_id=colours.video_id, run_id=RUN),
                BatchVideoSegmentsTarget(video_id=forest.video_id, run_id="run-none"),
            ]
        )
        assert [(g.video_id, g.run_id, len(g.segments)) for g in scoped] == [
            (colours.video_id, RUN, 2),
            (forest.video_id, "run-none", 0),
        ]


def test_sdk_error_classes_for_our_errors(
    stack: LocalStack,
    cloud: Container,
    new_key,
    library: Seeded,
    user_id: str,  # type: ignore[no-untyped-def]
) -> None:
    ids = [library.videos["colours"].video_id]
    with sdk_client(stack.base_url, "sk_live_" + "0" * 48) as client:
        with pytest.raises(AuthenticationError) as unauthenticated:
            client.videos.batch_retrieve(ids)
        assert unauthenticated.value.status_code == 401
    with sdk_client(stack.base_url, new_key(user_id, "search")) as client:
        with pytest.raises(AuthorizationError) as forbidden:
            client.videos.batch_status(ids)
        assert forbidden.value.error_code == "authorization_insufficient_scope"
    key = new_key(user_id, "read")
    with sdk_client(stack.base_url, key) as client:
        with pytest.raises(ValidationError) as invalid:
            client.videos.batch_retrieve([f"v{i}" for i in range(101)])
        assert invalid.value.status_code == 422
        assert invalid.value.details["errors"][0]["limit"]["max_length"] == 100
        with pytest.raises(ValidationError):
            client.videos.batch_segments([f"v{i}" for i in range(51)])
    spent = new_key(user_id, "read")  # a fresh key: no instance holds a lease of its budget
    exhaust_rate_limit(cloud, spent)
    with sdk_client(stack.base_url, spent) as client:
        with pytest.raises(RateLimitError) as limited:
            client.videos.batch_retrieve(ids)
        assert limited.value.status_code == 429 and (limited.value.retry_after or 0) >= 1
