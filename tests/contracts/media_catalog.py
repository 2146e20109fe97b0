"""Behaviour every MediaCatalog must have: run against the fake and against Firestore."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest

from shared.clock import utcnow
from shared.domain.ports import MediaCatalog
from shared.domain.records import (
    MediaType,
    RunStatus,
    RunVideoStatus,
    SegmentRecord,
    SegmentRunStatus,
    SegmentStatus,
    VideoRecord,
    VideoStatus,
)
from shared.errors import Conflict


def video(user_id: str, video_id: str, **kw: object) -> VideoRecord:
    now = utcnow()
    fields: dict[str, object] = {
        "title": video_id,
        "video_uri": f"gs://media/{user_id}/{video_id}.mp4",
        "media_type": MediaType.VIDEO,
        "status": VideoStatus.PROCESSED,
        "created_at": now,
        "updated_at": now,
        **kw,
    }
    return VideoRecord(video_id=video_id, user_id=user_id, **fields)  # type: ignore[arg-type]


def segment(user_id: str, video_id: str, start: float, run_id: str = "run-1") -> SegmentRecord:
    return SegmentRecord(
        segment_id=f"{video_id}-s{int(start)}",
        video_id=video_id,
        user_id=user_id,
        start_time=start,
        end_time=start + 1,
        created_at=utcnow(),
        metadata={"color": {"dominant": "red"}, "loudness_db": -12.5},
        metadata_text="a red scene",
        segment_status=SegmentStatus.COMPLETED,
        from_run_id=run_id,
    )


class MediaCatalogContract:
    @pytest.fixture
    def catalog(self) -> MediaCatalog:
        raise NotImplementedError

    @pytest.fixture
    def user(self) -> str:
        return f"u-{uuid.uuid4().hex[:10]}"

    def test_videos_round_trip_and_stay_with_their_owner(
        self, catalog: MediaCatalog, user: str
    ) -> None:
        v1 = video(user, f"{user}-v1", media_type=MediaType.AUDIO, duration_seconds=3.5)
        catalog.put_video(v1)
        catalog.put_video(video("someone-else", f"{user}-v2"))
        catalog.put_video(video(user, f"{user}-v3", deleted=True))
        found = catalog.get_videos(user, [f"{user}-v2", v1.video_id, f"{user}-v3", "nope"])
        assert list(found) == [v1.video_id]
        got = found[v1.video_id]
        assert got.media_type is MediaType.AUDIO and got.status is VideoStatus.PROCESSED
        assert got.duration_seconds == 3.5 and got.index_id is None

    def test_a_write_never_moves_a_record_to_another_owner(
        self, catalog: MediaCatalog, user: str
    ) -> None:
        """Decision 011: a put over another user's record raises and writes nothing."""
        mine = video(user, f"{user}-v1", title="mine")
        catalog.put_video(mine)
        catalog.put_segments([segment(user, mine.video_id, 0.0)])
        now = utcnow()
        run = RunVideoStatus(
            run_id="run-1",
            video_id=mine.video_id,
            user_id=user,
            status=RunStatus.COMPLETED,
            created_at=now,
            updated_at=now,
            prompt_id="p",
        )
        catalog.put_run_status(run)
        intruder = f"{user}-intruder"
        with pytest.raises(Conflict) as refused:
            catalog.put_video(video(intruder, mine.video_id, title="theirs"))
        assert refused.value.code == "owned_by_another_user"
        with pytest.raises(Conflict):  # one new segment beside a foreign one: neither is written
            catalog.put_segments(
                [segment(intruder, mine.video_id, 7.0), segment(intruder, mine.video_id, 0.0)]
            )
        with pytest.raises(Conflict):
            catalog.put_run_status(dataclasses.replace(run, user_id=intruder))
        assert catalog.get_videos(user, [mine.video_id])[mine.video_id].title == "mine"
        assert catalog.get_videos(intruder, [mine.video_id]) == {}
        assert [s.start_time for s in catalog.segments_of_videos(user, [mine.video_id])] == [0.0]
        assert catalog.segments_of_videos(intruder, [mine.video_id]) == []
        assert [r.user_id for r in catalog.run_statuses_of_videos(user, [mine.video_id])] == [user]
        # The owner still rewrites its own records.
        catalog.put_video(video(user, mine.video_id, title="again"))
        catalog.put_segments([segment(user, mine.video_id, 0.0), segment(user, mine.video_id, 7.0)])
        assert catalog.get_videos(user, [mine.video_id])[mine.video_id].title == "again"
        assert len(catalog.segments_of_videos(user, [mine.video_id])) == 2

    def test_find_video_by_uri_only_among_the_owners_live_videos(
        self, catalog: MediaCatalog, user: str
    ) -> None:
        mine = video(user, f"{user}-v1")
        catalog.put_video(mine)
        catalog.put_video(video("someone-else", f"{user}-v2", video_uri=mine.video_uri))
        gone = video(user, f"{user}-v3", deleted=True)
        catalog.put_video(gone)
        found = catalog.find_video_by_uri(user, mine.video_uri)
        assert found is not None and found.video_id == mine.video_id
        assert catalog.find_video_by_uri(user, gone.video_uri) is None
        assert catalog.find_video_by_uri(user, mine.video_uri + "x") is None
        assert catalog.find_video_by_uri("someone-else", gone.video_uri) is None

    def test_segments_of_videos_by_owner_and_run(self, catalog: MediaCatalog, user: str) -> None:
        vids = [f"{user}-v{i}" for i in range(33)]
        segments = [segment(user, v, s) for v in vids for s in (2.0, 0.0)]
        segments.append(segment(user, vids[0], 5.0, run_id="run-2"))
        catalog.put_segments(segments)
        catalog.put_segments([segment("someone-else", vids[0], 9.0)])
        found = catalog.segments_of_videos(user, list(reversed(vids)))
        assert len(found) == 67
        assert [s.video_id for s in found[:2]] == [vids[-1], vids[-1]]
        assert [s.start_time for s in found[:2]] == [0.0, 2.0]
        only = catalog.segments_of_videos(user, [vids[0]], run_id="run-2")
        assert [s.start_time for s in only] == [5.0]
        assert only[0].metadata == {"color": {"dominant": "red"}, "loudness_db": -12.5}
        assert catalog.get_segment(user, only[0].segment_id) is not None
        assert catalog.get_segment("someone-else", only[0].segment_id) is None

    def test_run_statuses(self, catalog: MediaCatalog, user: str) -> None:
        now = utcnow()
        status = RunVideoStatus(
            run_id="run-1",
            video_id=f"{user}-v1",
            user_id=user,
            status=RunStatus.PROCESSING,
            created_at=now,
            updated_at=now,
            prompt_id="p",
            segments=[
                SegmentRunStatus("s1", SegmentStatus.COMPLETED, 0.0, 1.0),
                SegmentRunStatus("s2", SegmentStatus.PENDING, 1.0, 2.0),
            ],
        )
        catalog.put_run_status(status)
        (got,) = catalog.run_statuses_of_videos(user, [f"{user}-v1"])
        assert got.status is RunStatus.PROCESSING
        assert [s.status for s in got.segments] == [SegmentStatus.COMPLETED, SegmentStatus.PENDING]
        assert got.count(SegmentStatus.PENDING) == 1
        assert catalog.run_statuses_of_videos("someone-else", [f"{user}-v1"]) == []

    def test_embeddings_attach_to_existing_segments_only(
        self, catalog: MediaCatalog, user: str
    ) -> None:
        seg = segment(user, f"{user}-v1", 0.0)
        catalog.put_segments([seg])
        catalog.put_segment_embeddings("model-a", {seg.segment_id: [0.6, 0.8]})
        assert catalog.get_segment(user, seg.segment_id) is not None
        with pytest.raises(Exception):  # noqa: B017 - each store raises its own kind
            catalog.put_segment_embeddings("model-a", {f"{user}-missing": [1.0, 0.0]})

    def test_playground_videos_newest_first_and_paged(
        self, catalog: MediaCatalog, user: str
    ) -> None:
        start = utcnow()
        for i in range(5):
            catalog.put_video(video(user, f"{user}-p{i}", created_at=start + timedelta(seconds=i)))
        catalog.put_video(video(user, f"{user}-tie", created_at=start + timedelta(seconds=4)))
        catalog.put_video(video(user, f"{user}-indexed", index_id="idx-1"))
        catalog.put_video(video(user, f"{user}-gone", deleted=True))
        catalog.put_video(video("someone-else", f"{user}-foreign"))
        first = catalog.playground_videos(user, 3)
        assert [v.video_id for v in first] == [f"{user}-tie", f"{user}-p4", f"{user}-p3"]
        last = first[-1]
        rest = catalog.playground_videos(user, 10, (last.created_at, last.video_id))
        assert [v.video_id for v in rest] == [f"{user}-p2", f"{user}-p1", f"{user}-p0"]
