"""The reference pipeline end to end through the emulators: each demo file is uploaded to the
media bucket, its finalize notification goes through Pub/Sub to the worker's push endpoint,
and the worker writes records to Firestore and publishes events on ``processing-events``
(read back here from a subscription of the test's own)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from google.cloud import pubsub_v1

from infra.local.demo_media import DEMO_MEDIA, ensure_demo_media
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.domain.records import MediaType, RunStatus, SegmentStatus, VideoRecord, VideoStatus
from shared.services.event_publishing import run_counters
from shared.services.processing_ingest import IngestTicket, ingest_file, wait_for_processing

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

CUT_TOLERANCE = 0.15
JOB_TIMEOUT = 240.0


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("demo-media")
    return {path.name: path for path in ensure_demo_media(folder)}


def pull_events(subscription: str, user_id: str, expected: int) -> list[dict[str, Any]]:
    """Every event of ``user_id`` on the subscription, oldest first (by publisher time)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    with pubsub_v1.SubscriberClient() as subscriber:
        while len(found) < expected and time.monotonic() < deadline:
            answer = subscriber.pull(
                request={"subscription": subscription, "max_messages": 500}, timeout=10
            )
            if not answer.received_messages:
                continue
            subscriber.acknowledge(
                request={
                    "subscription": subscription,
                    "ack_ids": [m.ack_id for m in answer.received_messages],
                }
            )
            for received in answer.received_messages:
                event = json.loads(received.message.data)
                if event["user_id"] == user_id:
                    found.append(event)
    return sorted(found, key=lambda e: e["created_at"])


def expected_sequence(segments: int, final_run: str = "prompt_run.completed") -> list[str]:
    return [
        "media.created",
        "media.processing.started",
        "prompt_run.started",
        *["segment.processing.completed", "prompt_run.progress"] * segments,
        final_run,
        "media.processing.completed",
    ]


def test_each_demo_file_through_the_emulators_end_to_end(
    stack: LocalStack,
    cloud: Container,
    user_id: str,
    demo_files: dict[str, Path],
    event_subscription: str,
    tmp_path: Path,
) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 64)
    # The corrupt file goes first: it must not hold up the others.
    sources = [corrupt, *(demo_files[r.name] for r in DEMO_MEDIA)]
    tickets: dict[str, IngestTicket] = {
        path.name: ingest_file(cloud.media, cloud.upload_notifier, path, user_id, title=path.stem)
        for path in sources
    }
    videos: dict[str, VideoRecord] = {
        name: wait_for_processing(cloud.catalog, t, lambda *_: None, timeout=JOB_TIMEOUT)
        for name, t in tickets.items()
    }

    # The corrupt file: failed, with ffmpeg's reason in plain words.
    broken = videos["corrupt.mp4"]
    assert broken.status is VideoStatus.FAILED
    assert "Not a readable media file" in (broken.error_message or "")
    assert all(v.status is VideoStatus.PROCESSED for n, v in videos.items() if n != "corrupt.mp4")

    ids = [t.video_id for t in tickets.values()]
    segments = defaultdict(list)
    for segment in cloud.catalog.segments_of_videos(user_id, ids):
        segments[segment.video_id].append(segment)
    runs = {r.video_id: r for r in cloud.catalog.run_statuses_of_videos(user_id, ids)}

    # Scene cuts of the generated clip: red | blue | green at 2 s and 4 s.
    clip_id = tickets["red-blue-green.mp4"].video_id
    red, blue, green = segments[clip_id]
    assert [red.start_time, blue.start_time, green.start_time] == pytest.approx(
        [0.0, 2.0, 4.0], abs=CUT_TOLERANCE
    )
    assert green.end_time == pytest.approx(6.0, abs=0.1)
    assert (red.metadata["dominant_color"], blue.metadata["dominant_color"]) == ("red", "blue")
    assert red.metadata["dominant_rgb"][0] > 200 and blue.metadata["dominant_rgb"][2] > 200
    assert red.metadata["loudness_db"] > -15 > -50 > blue.metadata["loudness_db"]
    assert "red scene" in (red.metadata_text or "") and "silence" in (blue.metadata_text or "")
    assert green.metadata["motion_label"] == "fast motion"
    clip = videos["red-blue-green.mp4"]
    assert (clip.width, clip.height, clip.fps) == (320, 240, 25.0)
    assert clip.duration_seconds == pytest.approx(6.0, abs=0.1)

    night, day = segments[tickets["night-and-day.mp4"].video_id]
    assert day.start_time == pytest.approx(2.5, abs=CUT_TOLERANCE)
    assert night.metadata["brightness"] < day.metadata["brightness"]
    assert "dark" in (night.metadata_text or "")
    long_take = segments[tickets["long-purple-take.mp4"].video_id]
    assert [(s.start_time, s.end_time) for s in long_take] == [(0.0, 4.0), (4.0, 8.0)]
    sound = segments[tickets["tones.mp3"].video_id]
    assert [s.start_time for s in sound] == pytest.approx([0.0, 3.0, 6.0], abs=CUT_TOLERANCE)
    assert [s.metadata["audio_label"] for s in sound] == ["loud audio", "silence", "quiet audio"]
    assert videos["tones.mp3"].media_type is MediaType.AUDIO
    (poster,) = segments[tickets["poster.png"].video_id]
    assert videos["poster.png"].media_type is MediaType.IMAGE
    assert poster.metadata["dominant_color"] == "orange"

    # Counters add up, and every segment was embedded for search.
    for name, ticket in tickets.items():
        if name == "corrupt.mp4":
            assert ticket.video_id not in runs and not segments[ticket.video_id]
            continue
        run = runs[ticket.video_id]
        counts = run_counters(run)
        assert run.status is RunStatus.COMPLETED
        assert counts["total_segments"] == len(segments[ticket.video_id])
        assert counts["successful_segments"] == counts["total_segments"]
        assert counts["pending_segments"] == counts["processing_segments"] == 0
        assert all(s.segment_status is SegmentStatus.COMPLETED for s in segments[ticket.video_id])
    doc = cloud.firestore.collection("segments").document(red.segment_id).get().to_dict()
    assert doc["embedding_model"] == cloud.embedder.model_id
    assert len(list(doc["embedding"])) == cloud.embedder.dimensions

    # The events, per video, in the order they were published.
    total = sum(
        3 if name == "corrupt.mp4" else len(expected_sequence(len(segments[t.video_id])))
        for name, t in tickets.items()
    )
    events = pull_events(event_subscription, user_id, expected=total)
    by_video = defaultdict(list)
    for event in events:
        by_video[event["video_id"]].append(event)
    for name, ticket in tickets.items():
        got = [e["event_type"] for e in by_video[ticket.video_id]]
        if name == "corrupt.mp4":
            assert got == ["media.created", "media.processing.started", "media.processing.failed"]
            assert "Not a readable media file" in by_video[ticket.video_id][-1]["payload"]["reason"]
        else:
            assert got == expected_sequence(len(segments[ticket.video_id])), name
    assert len(events) == total
    assert len({e["event_key"] for e in events}) == total
