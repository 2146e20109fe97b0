"""An upload under another user's video id, through the real pipeline (GCS emulator upload,
finalize notice on Pub/Sub, the worker function, Firestore): the job is refused with a
readable reason, the uploader is told on its own event stream, and the owner's video,
segments and run are exactly as they were (decision 011)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from google.cloud import pubsub_v1

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.domain.records import VideoStatus
from shared.services.processing_ingest import ingest_file, wait_for_processing
from tests.media.samples import still_image, tone

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]
FINAL = {"media.processing.failed", "media.processing.completed"}


def final_event_of(subscription: str, user_id: str) -> dict[str, Any]:
    """The job's last event for ``user_id``: processing failed, or completed."""
    deadline = time.monotonic() + 120
    with pubsub_v1.SubscriberClient() as subscriber:
        while time.monotonic() < deadline:
            answer = subscriber.pull(
                request={"subscription": subscription, "max_messages": 100}, timeout=10
            )
            if answer.received_messages:
                subscriber.acknowledge(
                    request={
                        "subscription": subscription,
                        "ack_ids": [m.ack_id for m in answer.received_messages],
                    }
                )
            for received in answer.received_messages:
                event = json.loads(received.message.data)
                if event["user_id"] == user_id and event["event_type"] in FINAL:
                    return event
    raise AssertionError(f"no final event for {user_id} within 120 s")


def owner_records(cloud: Container, user_id: str, video_id: str) -> tuple[Any, ...]:
    catalog = cloud.catalog
    return (
        catalog.get_videos(user_id, [video_id]),
        catalog.segments_of_videos(user_id, [video_id]),
        catalog.run_statuses_of_videos(user_id, [video_id]),
    )


def test_an_upload_under_another_users_video_id_leaves_the_owners_video_intact(
    stack: LocalStack, cloud: Container, user_id: str, event_subscription: str, tmp_path: Path
) -> None:
    owner, intruder = user_id, f"{user_id}-b"
    mine = ingest_file(
        cloud.media, cloud.upload_notifier, tone(tmp_path / "mine.m4a"), owner, title="mine"
    )
    video = wait_for_processing(cloud.catalog, mine, lambda *_: None, timeout=180)
    assert video.status is VideoStatus.PROCESSED
    before = owner_records(cloud, owner, mine.video_id)
    assert before[1], "the owner's video has segments to protect"

    theirs = ingest_file(
        cloud.media,
        cloud.upload_notifier,
        still_image(tmp_path / "theirs.png"),
        intruder,
        title="theirs",
        video_id=mine.video_id,
    )
    failed = final_event_of(event_subscription, intruder)
    assert (failed["event_type"], failed["video_id"]) == ("media.processing.failed", mine.video_id)
    assert "belongs to another user" in failed["payload"]["reason"]

    assert owner_records(cloud, owner, mine.video_id) == before
    assert cloud.catalog.get_videos(intruder, [mine.video_id]) == {}
    assert cloud.catalog.segments_of_videos(intruder, [mine.video_id]) == []
    # Logged with the reason, and acknowledged: never redelivered for ever.
    log = (stack.state_dir / "logs" / "processing_worker.log").read_text(errors="replace")
    assert f"upload refused: video {mine.video_id} is another user's" in log
    assert theirs.uri in log
