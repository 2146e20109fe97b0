"""The batch helpers through the gateway, driven by the public ``videovector`` SDK unchanged,
over the demo media processed by the stack's own pipeline."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from videovector import (
    AuthenticationError,
    AuthorizationError,
    BatchVideoSegmentsTarget,
    NotFoundError,
    RateLimitError,
    ValidationError,
)

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.records import RunStatus, RunVideoStatus
from tests.contracts.media_catalog import segment, video
from tests.e2e.demo_library import DemoLibrary
from tests.e2e.sdk_support import exhaust_rate_limit, sdk_client

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
CLIP, POSTER, TONES = "red-blue-green.mp4", "poster.png", "tones.mp3"


def put_marker(http: httpx.Client, key: str, body: dict[str, str]) -> None:
    response = http.put("/api/v2/markers", json=body, headers={"X-API-Key": key})
    assert response.status_code in (200, 201), response.text


def test_batch_retrieve_and_status_through_the_sdk(
    stack: LocalStack,
    http: httpx.Client,
    cloud: Container,
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    lib = demo_library
    key = new_key(lib.user_id, "write")
    clip, poster, tones = lib.videos[CLIP], lib.videos[POSTER], lib.videos[TONES]
    cloud.catalog.put_video(video("someone-else", f"{lib.user_id}-foreign"))
    put_marker(http, key, {"target_type": "video", "target_id": clip.video_id, "color": "red"})
    ids = [poster.video_id, "unknown", clip.video_id, poster.video_id, f"{lib.user_id}-foreign"]

    with sdk_client(stack.base_url, key) as client:
        videos = client.videos.batch_retrieve([*ids, tones.video_id])
        assert [v.video_id for v in videos] == [poster.video_id, clip.video_id, tones.video_id]
        assert [v.media_type for v in videos] == ["image", "video", "audio"]
        assert videos[1].title == "Red, blue, green" and videos[1].status == "processed"
        assert videos[1].marker.color == "red" and videos[0].marker.marker_id is None
        (run,) = videos[1].processing_status or []
        assert (run.status, run.total_segments, run.successful_segments, run.failed_segments) == (
            "completed",
            3,
            3,
            0,
        )
        assert [s.segment_id for s in run.segments] == [s.segment_id for s in lib.segments[CLIP]]

        # preview URLs load without the API key: a JPEG frame, a GIF, an audio waveform
        for url, kind in (
            (videos[1].first_thumbnail, "image/jpeg"),
            (videos[1].gif_data, "image/gif"),
            (videos[2].first_thumbnail, "image/"),
        ):
            assert url, kind
            image = httpx.get(url, timeout=60)
            assert image.status_code == 200 and image.headers["content-type"].startswith(kind)
        assert videos[2].gif_data is None  # audio has no moving picture

        statuses = client.videos.batch_status(ids)
        assert [(s.video_id, s.status) for s in statuses] == [
            (poster.video_id, "processed"),
            (clip.video_id, "processed"),
        ]
        assert (
            statuses[1].processing_status and statuses[1].processing_status[0].run_id == run.run_id
        )


def test_batch_segments_through_the_sdk(
    stack: LocalStack,
    http: httpx.Client,
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    lib = demo_library
    key = new_key(lib.user_id, "write")
    clip, tones = lib.videos[CLIP], lib.videos[TONES]
    red = lib.segment(CLIP, 0)
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
        groups = client.videos.batch_segments([clip.video_id, "unknown", tones.video_id])
        assert [(g.video_id, [s.start_time for s in g.segments]) for g in groups] == [
            (clip.video_id, [s.start_time for s in lib.segments[CLIP]]),
            (tones.video_id, [s.start_time for s in lib.segments[TONES]]),
        ]
        first = groups[0].segments[0]
        assert first.segment_id == red.segment_id and first.metadata == red.metadata
        assert first.metadata["dominant_color"] == "red" and "red scene" in (
            first.metadata_text or ""
        )
        assert first.metadata_markers["audio_label"].note == "loud"
        assert first.thumbnail_uri and httpx.get(first.thumbnail_uri, timeout=60).status_code == 200

        run_id = red.from_run_id
        assert run_id
        scoped = client.videos.batch_segments_for_targets(
            [
                BatchVideoSegmentsTarget(video_id=clip.video_id, run_id=run_id),
                BatchVideoSegmentsTarget(video_id=tones.video_id, run_id=run_id),
                BatchVideoSegmentsTarget(video_id=tones.video_id),
            ]
        )
        assert [(g.video_id, g.run_id, len(g.segments)) for g in scoped] == [
            (clip.video_id, run_id, 3),
            (tones.video_id, run_id, 0),  # that run never touched the sound file
            (tones.video_id, lib.segment(TONES, 0).from_run_id, 3),  # its latest completed run
        ]

        # the media function's signed URL for the same media, and another tenant's answer
        signed = client.videos.get_signed_url(clip.video_uri)
        assert httpx.get(signed.signed_url, timeout=60).content[4:8] == b"ftyp"
        with pytest.raises(NotFoundError):
            client.videos.get_signed_url(clip.video_uri.replace(lib.user_id, "someone-else"))


def test_targets_without_run_resolve_over_firestore_through_the_sdk(
    stack: LocalStack,
    cloud: Container,
    new_key,  # type: ignore[no-untyped-def]
) -> None:
    """Decision 042 on the emulator: the run that finished last among the completed ones, ties
    to the greatest run id; a media with no completed run gets an empty group."""
    user = f"resolve-{uuid.uuid4().hex[:8]}"
    done, fresh = video(user, f"{user}-done"), video(user, f"{user}-fresh")
    finished = utcnow()
    runs = [
        (done, "run-a", RunStatus.COMPLETED, finished - timedelta(minutes=1)),
        (done, "run-b", RunStatus.COMPLETED_WITH_FAILURES, finished),
        (done, "run-c", RunStatus.PROCESSING, finished + timedelta(minutes=1)),
        (done, "run-d", RunStatus.FAILED, finished + timedelta(minutes=1)),
        (fresh, "run-c", RunStatus.PROCESSING, finished),
    ]
    for media in (done, fresh):
        cloud.catalog.put_video(media)
    for media, run_id, status, at in runs:
        cloud.catalog.put_run_status(RunVideoStatus(run_id, media.video_id, user, status, at, at))
        cloud.catalog.put_segments([segment(user, media.video_id, float(ord(run_id[-1])), run_id)])

    with sdk_client(stack.base_url, new_key(user, "read")) as client:
        groups = client.videos.batch_segments_for_targets(
            [
                BatchVideoSegmentsTarget(video_id=done.video_id),
                BatchVideoSegmentsTarget(video_id=fresh.video_id),
                BatchVideoSegmentsTarget(video_id=done.video_id, run_id="run-a"),
            ]
        )
        assert [(g.video_id, g.run_id) for g in groups] == [
            (done.video_id, "run-b"),
            (fresh.video_id, None),
            (done.video_id, "run-a"),
        ]
        assert [s.from_run_id for s in groups[0].segments] == ["run-b"]
        assert groups[1].segments == []
        assert [s.from_run_id for s in groups[2].segments] == ["run-a"]

        cloud.catalog.put_run_status(
            RunVideoStatus("run-e", done.video_id, user, RunStatus.COMPLETED, finished, finished)
        )
        cloud.catalog.put_segments([segment(user, done.video_id, 9.0, "run-e")])
        (tied,) = client.videos.batch_segments_for_targets(
            [BatchVideoSegmentsTarget(video_id=done.video_id)]
        )
        assert tied.run_id == "run-e" and [s.start_time for s in tied.segments] == [9.0]


def test_sdk_error_classes_for_our_errors(
    stack: LocalStack,
    cloud: Container,
    new_key,
    demo_library: DemoLibrary,  # type: ignore[no-untyped-def]
) -> None:
    user = demo_library.user_id
    ids = [demo_library.videos[CLIP].video_id]
    with sdk_client(stack.base_url, "sk_live_" + "0" * 48) as client:
        with pytest.raises(AuthenticationError) as unauthenticated:
            client.videos.batch_retrieve(ids)
        assert unauthenticated.value.status_code == 401
    with sdk_client(stack.base_url, new_key(user, "search")) as client:
        with pytest.raises(AuthorizationError) as forbidden:
            client.videos.batch_status(ids)
        assert forbidden.value.error_code == "authorization_insufficient_scope"
    with sdk_client(stack.base_url, new_key(user, "read")) as client:
        with pytest.raises(ValidationError) as invalid:
            client.videos.batch_retrieve([f"v{i}" for i in range(101)])
        assert invalid.value.status_code == 422
        assert invalid.value.details["errors"][0]["limit"]["max_length"] == 100
        with pytest.raises(ValidationError):
            client.videos.batch_segments([f"v{i}" for i in range(51)])
    spent = new_key(user, "read")  # a fresh key: no instance holds a lease of its budget
    exhaust_rate_limit(cloud, spent)
    with sdk_client(stack.base_url, spent) as client:
        with pytest.raises(RateLimitError) as limited:
            client.videos.batch_retrieve(ids)
        assert limited.value.status_code == 429 and (limited.value.retry_after or 0) >= 1
