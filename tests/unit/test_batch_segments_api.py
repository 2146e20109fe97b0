"""POST /api/v2/videos/batch/segments through functions-framework, on in-memory ports: by ids
and by targets, the latest completed run, bounded pages and cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from videovector import VideoSegments

from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.markers import TargetType
from shared.domain.records import (
    MediaType,
    RunStatus,
    VideoRecord,
)
from shared.domain.records import VideoStatus as VideoStatusValue
from tests.support.batch_requests import library_segments, mark, post, run_on, segment_of
from tests.support.playground_media import RUN, Seeded
from tests.unit.conftest import Keys, function_client


@pytest.fixture
def client(container: Container) -> FlaskClient:
    return function_client("batch")


def test_batch_segments_by_ids_and_by_targets(
    client: FlaskClient, keys: Keys, library: Seeded, container: Container
) -> None:
    colours, forest = library.videos["colours"], library.videos["forest"]
    red = library.segment("colours", 0)
    mark(container, TargetType.SEGMENT, red.segment_id, color="gold")
    mark(
        container, TargetType.EXTRACTED_FIELD, red.segment_id, field_path="audio_label", note="loud"
    )

    by_ids = post(
        client,
        "/segments",
        keys.alice_read,
        {"video_ids": [forest.video_id, colours.video_id, "nope"]},
    ).get_json()
    groups = [VideoSegments.model_validate(g) for g in by_ids]
    assert [(g.video_id, g.run_id, len(g.segments)) for g in groups] == [
        (forest.video_id, None, 1),
        (colours.video_id, None, 2),
    ]
    first = groups[1].segments[0]
    assert first.segment_id == red.segment_id and first.metadata_text == red.metadata_text
    assert first.marker.color == "gold" and first.metadata_markers["audio_label"].note == "loud"
    assert first.thumbnail_uri and first.processed and first.from_run_id == RUN

    targets = [
        {"video_id": colours.video_id, "run_id": RUN},
        {"video_id": colours.video_id, "run_id": "run-none"},
        {"video_id": colours.video_id, "run_id": RUN},
        {"video_id": forest.video_id},
    ]
    scoped = post(client, "/segments", keys.alice_read, {"targets": targets}).get_json()
    assert [(g["video_id"], g["run_id"], len(g["segments"])) for g in scoped] == [
        (colours.video_id, RUN, 2),
        (colours.video_id, "run-none", 0),
        (forest.video_id, RUN, 1),  # no run named: the latest completed one, named
    ]


def test_a_target_without_run_gets_the_latest_completed_run_and_names_it(
    client: FlaskClient, keys: Keys, library: Seeded, container: Container
) -> None:
    colours, still = library.videos["colours"], library.videos["still"]
    later = utcnow() + timedelta(minutes=5)
    runs = [
        ("run-b", RunStatus.COMPLETED_WITH_FAILURES, later),  # finished last: wins
        ("run-a", RunStatus.COMPLETED_WITH_FAILURES, later - timedelta(seconds=1)),
        ("run-z", RunStatus.PROCESSING, later + timedelta(minutes=1)),  # not finished
        ("run-y", RunStatus.FAILED, later + timedelta(minutes=1)),  # no segments to give
    ]
    for run_id, status, finished in runs:
        container.catalog.put_run_status(run_on(colours, run_id, status, finished))
        container.catalog.put_segments([segment_of(colours, run_id, 7.0)])
    # a new media with one run still processing: nothing completed yet
    fresh = VideoRecord(
        f"{colours.video_id}-fresh",
        colours.user_id,
        "Fresh",
        colours.video_uri + "-fresh",
        MediaType.VIDEO,
        VideoStatusValue.PROCESSING,
        colours.created_at,
        colours.updated_at,
    )
    container.catalog.put_video(fresh)
    container.catalog.put_run_status(run_on(fresh, "run-z", RunStatus.PROCESSING, later))
    container.catalog.put_segments([segment_of(fresh, "run-z", 0.0)])

    targets = [
        {"video_id": colours.video_id},
        {"video_id": fresh.video_id},
        {"video_id": still.video_id},
    ]
    answer = post(client, "/segments", keys.alice_read, {"targets": targets}).get_json()
    groups = [VideoSegments.model_validate(g) for g in answer]
    assert [(g.video_id, g.run_id) for g in groups] == [
        (colours.video_id, "run-b"),
        (fresh.video_id, None),
        (still.video_id, RUN),
    ]
    assert [s.segment_id for s in groups[0].segments] == [f"{colours.video_id}-run-b-7"]
    assert groups[1].segments == [] and len(groups[2].segments) == 1

    # a tie on the finishing time goes to the greatest run id
    container.catalog.put_run_status(run_on(colours, "run-c", RunStatus.COMPLETED, later))
    container.catalog.put_segments([segment_of(colours, "run-c", 8.0)])
    (tied,) = post(client, "/segments", keys.alice_read, {"targets": targets[:1]}).get_json()
    assert tied["run_id"] == "run-c"
    assert [s["start_time"] for s in tied["segments"]] == [8.0]

    # the video_ids form still means every segment of every run, with run_id null
    (every,) = post(
        client, "/segments", keys.alice_read, {"video_ids": [colours.video_id]}
    ).get_json()
    assert every["run_id"] is None
    assert {s["from_run_id"] for s in every["segments"]} == {
        RUN,
        "run-a",
        "run-b",
        "run-c",
        "run-y",
        "run-z",
    }


@pytest.mark.parametrize("bound", [1, 2, 3])
def test_batch_segments_answers_are_bounded_and_page_per_target(
    client: FlaskClient,
    keys: Keys,
    library: Seeded,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    bound: int,
) -> None:
    """At most MAX_BATCH_SEGMENTS segments an answer; a target cut short carries truncated
    and a next_cursor, and paging with it yields every segment once, in order."""
    monkeypatch.setattr("shared.services.catalog.MAX_BATCH_SEGMENTS", bound)
    ids = [v.video_id for v in library.videos.values()]
    everything = {v: library_segments(container, v) for v in ids}
    assert sum(len(s) for s in everything.values()) > bound  # something to cut

    first = post(client, "/segments", keys.alice_read, {"video_ids": ids}).get_json()
    assert sum(len(g["segments"]) for g in first) <= bound
    assert [VideoSegments.model_validate(g).video_id for g in first] == ids  # the SDK's type
    for group in first:
        seen = [s["segment_id"] for s in group["segments"]]
        target = {"video_id": group["video_id"], "cursor": group["next_cursor"]}
        while target["cursor"]:
            more = post(client, "/segments", keys.alice_read, {"targets": [target]}).get_json()
            assert 0 < len(more[0]["segments"]) <= bound
            seen += [s["segment_id"] for s in more[0]["segments"]]
            target["cursor"] = more[0]["next_cursor"]
            assert more[0]["truncated"] is bool(target["cursor"])
        assert seen == everything[group["video_id"]]

    # A cursor is bound to its target, and a tampered one is a 400.
    cut = next(g for g in first if g["next_cursor"])
    cursor, owner = cut["next_cursor"], cut["video_id"]
    other = next(v for v in ids if v != owner)
    for target in (
        {"video_id": other, "cursor": cursor},
        {"video_id": owner, "run_id": "other-run", "cursor": cursor},
        {"video_id": owner, "cursor": cursor[:-2]},
    ):
        refused = post(client, "/segments", keys.alice_read, {"targets": [target]})
        assert refused.status_code == 400, target
        assert refused.get_json()["error"]["code"] == "invalid_cursor"


def test_a_cursor_keeps_the_run_its_first_page_resolved_to(
    client: FlaskClient,
    keys: Keys,
    library: Seeded,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A target without run_id cut short continues in the run its first page named, even
    when a newer run completes between the pages (the pages never mix runs)."""
    monkeypatch.setattr("shared.services.catalog.MAX_BATCH_SEGMENTS", 1)
    colours = library.videos["colours"]
    later = utcnow() + timedelta(minutes=5)
    container.catalog.put_run_status(run_on(colours, "run-b", RunStatus.COMPLETED, later))
    container.catalog.put_segments([segment_of(colours, "run-b", t) for t in (1.0, 2.0, 3.0)])
    target = {"video_id": colours.video_id}
    (first,) = post(client, "/segments", keys.alice_read, {"targets": [target]}).get_json()
    assert first["run_id"] == "run-b" and first["truncated"] is True

    newer = later + timedelta(minutes=1)
    container.catalog.put_run_status(run_on(colours, "run-n", RunStatus.COMPLETED, newer))
    container.catalog.put_segments([segment_of(colours, "run-n", 9.0)])
    seen, cursor = [s["start_time"] for s in first["segments"]], first["next_cursor"]
    while cursor:
        (page,) = post(
            client, "/segments", keys.alice_read, {"targets": [{**target, "cursor": cursor}]}
        ).get_json()
        assert page["run_id"] == "run-b"
        seen += [s["start_time"] for s in page["segments"]]
        cursor = page["next_cursor"]
    assert seen == [1.0, 2.0, 3.0]
    (fresh,) = post(client, "/segments", keys.alice_read, {"targets": [target]}).get_json()
    assert fresh["run_id"] == "run-n"  # without a cursor: the newest completed run
