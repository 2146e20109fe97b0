"""The processing use case on fakes: records, statuses, counters and events."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.scripted_analyzer import ScriptedMediaAnalyzer
from shared.domain.media_analysis import DecodedMedia, MediaProbe
from shared.domain.media_recipes import MediaRecipe, SceneRecipe
from shared.domain.records import MediaType, RunStatus, SegmentStatus, VideoStatus
from shared.errors import ServiceUnavailable
from shared.services.event_publishing import run_counters
from shared.services.processing import Outcome, ProcessingOptions, process_upload
from tests.contracts.media_analyzer import CLIP, PICTURE, SOUND
from tests.unit.processing_support import Fakes

ALL_SEGMENTS_DONE = [
    "media.created",
    "media.processing.started",
    "prompt_run.started",
    *["segment.processing.completed", "prompt_run.progress"] * 3,
]


@pytest.fixture
def fakes(tmp_path: Path) -> Fakes:
    return Fakes(tmp_path)


def test_a_clip_becomes_a_video_segments_a_run_and_events(fakes: Fakes) -> None:
    upload = fakes.upload(CLIP, title="Red, blue, green", index_id="idx-1")
    assert process_upload(fakes.ports, upload) is Outcome.PROCESSED

    video = fakes.catalog.videos["vid-1"]
    assert video.status is VideoStatus.PROCESSED and video.title == "Red, blue, green"
    assert video.duration_seconds == 6.0 and (video.width, video.height) == (320, 240)
    assert video.media_version == upload.generation and video.index_id == "idx-1"
    assert {"dominant_color", "loudness_db", "motion"} <= set(video.metadata_keys)
    segments = fakes.catalog.segments_of_videos("alice", ["vid-1"])
    assert [(s.start_time, s.end_time) for s in segments] == [(0, 2), (2, 4), (4, 6)]
    red, blue, green = segments
    assert red.metadata["dominant_color"] == "red" and blue.metadata["dominant_color"] == "blue"
    assert red.metadata["loudness_db"] > blue.metadata["loudness_db"] + 40
    assert "red scene" in (red.metadata_text or "") and "loud audio" in (red.metadata_text or "")
    assert "silence" in (blue.metadata_text or "")
    assert "fast motion" in (green.metadata_text or "")
    assert all(
        s.segment_status is SegmentStatus.COMPLETED and s.index_id == "idx-1" for s in segments
    )
    model, vector = fakes.catalog.embeddings[red.segment_id]
    assert model == fakes.embedder.model_id and len(vector) == fakes.embedder.dimensions

    (run,) = fakes.catalog.run_statuses_of_videos("alice", ["vid-1"])
    assert run.status is RunStatus.COMPLETED and run.prompt_id
    assert run_counters(run) == {
        "total_segments": 3,
        "pending_segments": 0,
        "processing_segments": 0,
        "successful_segments": 3,
        "failed_segments": 0,
    }
    assert {s.from_run_id for s in segments} == {run.run_id}

    assert fakes.event_types() == [
        *ALL_SEGMENTS_DONE,
        "prompt_run.completed",
        "media.processing.completed",
    ]
    events = fakes.events.published
    assert all(e.user_id == "alice" and e.video_id == "vid-1" for e in events)
    assert all(e.index_id == "idx-1" for e in events)
    assert len({e.event_key for e in events}) == len(events)
    assert [e.segment_id for e in events[3:9:2]] == [s.segment_id for s in segments]
    assert events[-2].payload["successful_segments"] == 3 and events[-2].run_id == run.run_id
    # The media event that closes the run names it on the envelope: a stream filtered by
    # run_id gets it.
    assert events[-1].run_id == run.run_id == events[-1].payload["run_id"]


def test_statuses_and_counters_move_as_work_progresses(fakes: Fakes) -> None:
    long_clip = MediaRecipe(
        "long.mp4", MediaType.VIDEO, tuple(SceneRecipe(1.5, c) for c in ["red", "blue"] * 4)
    )
    seen_videos: list[str] = []
    seen_runs: list[dict[str, int]] = []
    catalog = fakes.catalog
    put_video, put_run = catalog.put_video, catalog.put_run_status
    catalog.put_video = lambda v: (seen_videos.append(v.status.value), put_video(v))[1]  # type: ignore[method-assign]
    catalog.put_run_status = lambda r: (seen_runs.append(run_counters(r)), put_run(r))[1]  # type: ignore[method-assign]

    upload = fakes.upload(long_clip)
    process_upload(fakes.ports, upload, ProcessingOptions(progress_updates=4))

    assert seen_videos[:2] == ["not_processed", "processing"] and seen_videos[-1] == "processed"
    assert seen_runs[0]["pending_segments"] == 8
    assert any(r["processing_segments"] > 0 for r in seen_runs)
    finished = [r["successful_segments"] for r in seen_runs]
    assert finished == sorted(finished) and finished[-1] == 8 and len(set(finished)) >= 4
    for counters in seen_runs:
        parts = ("pending", "processing", "successful", "failed")
        assert sum(counters[f"{p}_segments"] for p in parts) == counters["total_segments"]
    progress = [e for e in fakes.events.published if e.event_type.value == "prompt_run.progress"]
    assert len(progress) == 4 and progress[-1].payload["successful_segments"] == 8


def test_a_redelivered_trigger_changes_nothing(fakes: Fakes) -> None:
    upload = fakes.upload(CLIP)
    process_upload(fakes.ports, upload)
    published = len(fakes.events.published)
    assert process_upload(fakes.ports, upload) is Outcome.ALREADY_DONE
    assert len(fakes.events.published) == published


def test_an_upload_under_another_users_video_id_is_refused_and_touches_nothing(
    fakes: Fakes,
) -> None:
    """Decision 011: bob's upload under alice's video id must not move her video to him."""
    assert process_upload(fakes.ports, fakes.upload(CLIP, title="alice's")) is Outcome.PROCESSED
    before = (
        fakes.catalog.get_videos("alice", ["vid-1"]),
        fakes.catalog.segments_of_videos("alice", ["vid-1"]),
        fakes.catalog.run_statuses_of_videos("alice", ["vid-1"]),
    )
    published = len(fakes.events.published)
    intrusion = fakes.upload(PICTURE, user="bob", video="vid-1", title="bob's")
    assert process_upload(fakes.ports, intrusion) is Outcome.REFUSED
    assert process_upload(fakes.ports, intrusion) is Outcome.REFUSED  # redelivered: the same
    after = (
        fakes.catalog.get_videos("alice", ["vid-1"]),
        fakes.catalog.segments_of_videos("alice", ["vid-1"]),
        fakes.catalog.run_statuses_of_videos("alice", ["vid-1"]),
    )
    assert after == before and fakes.catalog.get_videos("bob", ["vid-1"]) == {}
    told = fakes.events.published[published:]
    assert {(e.user_id, e.event_type.value) for e in told} == {("bob", "media.processing.failed")}
    assert "belongs to another user" in told[0].payload["reason"]


def test_a_retry_after_an_outage_republishes_the_same_event_keys(fakes: Fakes) -> None:
    upload = fakes.upload(CLIP)
    real = fakes.embedder

    class Down:
        model_id, dimensions = real.model_id, real.dimensions

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            raise ServiceUnavailable("embedding service down")

    fakes.embedder = Down()  # type: ignore[assignment]
    with pytest.raises(ServiceUnavailable):
        process_upload(fakes.ports, upload)
    first_keys = [e.event_key for e in fakes.events.published]
    assert fakes.catalog.videos["vid-1"].status is VideoStatus.PROCESSING

    fakes.embedder = real
    assert process_upload(fakes.ports, upload) is Outcome.PROCESSED
    second_keys = [e.event_key for e in fakes.events.published[len(first_keys) :]]
    assert first_keys == second_keys[: len(first_keys)]


def test_a_corrupt_file_fails_with_a_reason_and_an_event(fakes: Fakes) -> None:
    upload = fakes.upload_bytes(b"\x00garbage\xff" * 100, "broken.mp4")
    assert process_upload(fakes.ports, upload) is Outcome.FAILED
    video = fakes.catalog.videos["vid-1"]
    assert video.status is VideoStatus.FAILED and "Invalid data" in (video.error_message or "")
    assert fakes.event_types() == [
        "media.created",
        "media.processing.started",
        "media.processing.failed",
    ]
    failed = fakes.events.published[-1]
    assert failed.payload["stage"] == "probe" and "Invalid data" in failed.payload["reason"]
    assert fakes.catalog.segments == {}


def test_an_object_deleted_before_processing_fails_cleanly(fakes: Fakes) -> None:
    upload = fakes.upload(CLIP)
    fakes.media.delete(upload.uri)
    assert process_upload(fakes.ports, upload) is Outcome.FAILED
    assert fakes.events.published[-1].payload["stage"] == "download"


class Truncated(ScriptedMediaAnalyzer):
    """Decodes only the first 2.5 s, as ffmpeg does for an upload cut short."""

    def decode(self, source: Path, probe: MediaProbe) -> DecodedMedia:
        full = super().decode(source, probe)
        keep = full.frame_times < 2.5
        return DecodedMedia(
            full.frame_times[keep],
            full.frames[keep],
            full.audio[: int(2.5 * full.audio_rate)],
            full.audio_rate,
            2.5,
        )


def test_parts_that_cannot_be_decoded_fail_alone(fakes: Fakes) -> None:
    fakes.analyzer = Truncated()
    upload = fakes.upload(CLIP)
    assert process_upload(fakes.ports, upload) is Outcome.PROCESSED
    segments = fakes.catalog.segments_of_videos("alice", ["vid-1"])
    assert [(s.start_time, s.end_time) for s in segments] == [(0, 2.5), (2.5, 6)]
    assert [s.segment_status for s in segments] == [SegmentStatus.COMPLETED, SegmentStatus.FAILED]
    assert "no decodable frames" in (segments[1].error_message or "")
    (run,) = fakes.catalog.run_statuses_of_videos("alice", ["vid-1"])
    assert run.status is RunStatus.COMPLETED_WITH_FAILURES and run.count(SegmentStatus.FAILED) == 1
    assert fakes.event_types()[-4:] == [
        "segment.processing.failed",
        "prompt_run.progress",
        "prompt_run.partial_completed",
        "media.processing.completed",
    ]
    assert set(fakes.catalog.embeddings) == {segments[0].segment_id}


def test_audio_gets_segments_and_sound_features(fakes: Fakes) -> None:
    process_upload(fakes.ports, fakes.upload(SOUND))
    video = fakes.catalog.videos["vid-1"]
    assert video.media_type is MediaType.AUDIO and video.width is None
    segments = fakes.catalog.segments_of_videos("alice", ["vid-1"])
    assert [(s.start_time, s.end_time) for s in segments] == [(0, 2), (2, 4), (4, 6)]
    assert [s.metadata["audio_label"] for s in segments] == [
        "loud audio",
        "silence",
        "moderate audio",
    ]
    assert "dominant_color" not in segments[0].metadata
    assert "audio only" in (segments[0].metadata_text or "")


def test_an_image_is_one_segment(fakes: Fakes) -> None:
    process_upload(fakes.ports, fakes.upload(PICTURE))
    video = fakes.catalog.videos["vid-1"]
    assert video.media_type is MediaType.IMAGE and video.duration_seconds is None
    (segment,) = fakes.catalog.segments_of_videos("alice", ["vid-1"])
    assert (segment.start_time, segment.end_time) == (0.0, 0.0)
    assert segment.metadata["dominant_color"] == "orange"
    assert (segment.metadata_text or "").startswith("orange still image")


def test_a_long_scene_is_cut_into_windows(fakes: Fakes) -> None:
    take = MediaRecipe("take.mp4", MediaType.VIDEO, (SceneRecipe(12, "purple", tone_hz=300),))
    process_upload(fakes.ports, fakes.upload(take))
    segments = fakes.catalog.segments_of_videos("alice", ["vid-1"])
    assert [(s.start_time, s.end_time) for s in segments] == [(0, 4), (4, 8), (8, 12)]
