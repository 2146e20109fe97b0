"""A marker's ``video_id`` is the video its target belongs to, not whatever the client sends:
a video's own id, or the video of a segment the caller's catalog knows (on in-memory ports)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.markers import Marker, MarkerTarget, TargetType, UpsertDecision, UpsertResult
from shared.domain.records import SegmentRecord
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.unit.conftest import Keys

URL = "/api/v2/markers"


class CountingCatalog(InMemoryMediaCatalog):
    """Counts the point reads of segments, the one extra read a PUT may make."""

    def __init__(self) -> None:
        super().__init__()
        self.segment_reads = 0

    def get_segment(self, user_id: str, segment_id: str) -> SegmentRecord | None:
        self.segment_reads += 1
        return super().get_segment(user_id, segment_id)


@pytest.fixture
def catalog(container: Container) -> CountingCatalog:
    """Alice's segment ``vid-a-s0000`` of ``vid-a``; Bob's ``vid-bob-s0000`` of ``vid-bob``."""
    counting = CountingCatalog()
    now = utcnow()
    counting.put_segments(
        [
            SegmentRecord("vid-a-s0000", "vid-a", "alice", 0.0, 5.0, now),
            SegmentRecord("vid-bob-s0000", "vid-bob", "bob", 0.0, 5.0, now),
        ]
    )
    container.__dict__["catalog"] = counting
    return counting


def put(client: FlaskClient, key: str, body: Any, **headers: str):  # type: ignore[no-untyped-def]
    return client.put(URL, json=body, headers={"X-API-Key": key, **headers})


def listed(client: FlaskClient, key: str, **query: str) -> list[dict[str, Any]]:
    response = client.get(URL, query_string=query, headers={"X-API-Key": key})
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(response.get_json()["data"])


def assert_video_id_refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert [p["field"] for p in error["details"]["errors"]] == ["video_id"]


def test_a_video_marker_belongs_to_its_own_video(
    markers_client: FlaskClient, keys: Keys, catalog: CountingCatalog
) -> None:
    body = {"target_type": "video", "target_id": "vid-v", "color": "red"}
    created = put(markers_client, keys.alice, body)
    assert created.status_code == 201 and created.get_json()["video_id"] == "vid-v"
    assert [m["target_id"] for m in listed(markers_client, keys.alice, video_id="vid-v")] == [
        "vid-v"
    ]
    same = put(markers_client, keys.alice, {**body, "video_id": "vid-v", "note": "n"})
    assert same.status_code == 200 and same.get_json()["video_id"] == "vid-v"
    assert_video_id_refused(put(markers_client, keys.alice, {**body, "video_id": "vid_other"}))
    assert listed(markers_client, keys.alice, video_id="vid_other") == []
    assert catalog.segment_reads == 0


@pytest.mark.parametrize("field_path", [None, "scene.people[].emotion"])
def test_a_marker_on_a_known_segment_belongs_to_the_segments_video(
    markers_client: FlaskClient, keys: Keys, catalog: CountingCatalog, field_path: str | None
) -> None:
    body: dict[str, Any] = {"target_type": "segment", "target_id": "vid-a-s0000", "color": "red"}
    if field_path:
        body.update(target_type="extracted_field", field_path=field_path)
    created = put(markers_client, keys.alice, body)
    assert created.status_code == 201 and created.get_json()["video_id"] == "vid-a"
    assert catalog.segment_reads == 1
    assert [m["target_type"] for m in listed(markers_client, keys.alice, video_id="vid-a")] == [
        body["target_type"]
    ]
    named = put(markers_client, keys.alice, {**body, "video_id": "vid-a", "note": "n"})
    assert named.status_code == 200 and named.get_json()["video_id"] == "vid-a"
    assert_video_id_refused(put(markers_client, keys.alice, {**body, "video_id": "vid-b"}))
    assert listed(markers_client, keys.alice, video_id="vid-b") == []


def test_another_users_segment_is_treated_like_an_unknown_one(
    markers_client: FlaskClient, keys: Keys, catalog: CountingCatalog
) -> None:
    for segment_id in ("vid-bob-s0000", "seg-nobody-knows"):
        body = {"target_type": "segment", "target_id": segment_id, "color": "red"}
        bare = put(markers_client, keys.alice, body)
        assert bare.status_code == 201 and bare.get_json()["video_id"] is None
        told = put(markers_client, keys.alice, {**body, "video_id": "vid-x"})
        assert told.status_code == 200 and told.get_json()["video_id"] == "vid-x"
    by_video = listed(markers_client, keys.alice, video_id="vid-x")
    assert sorted(m["target_id"] for m in by_video) == ["seg-nobody-knows", "vid-bob-s0000"]
    assert listed(markers_client, keys.alice, video_id="vid-bob") == []
    # Bob's own marker on his segment does get his video
    own = put(markers_client, keys.bob, {"target_type": "segment", "target_id": "vid-bob-s0000"})
    assert own.get_json()["video_id"] == "vid-bob"


@pytest.mark.parametrize("target_type", ["prompt", "run"])
def test_prompt_and_run_markers_keep_the_clients_video_id(
    markers_client: FlaskClient, keys: Keys, catalog: CountingCatalog, target_type: str
) -> None:
    body = {"target_type": target_type, "target_id": "vid-a-s0000", "video_id": "vid-z"}
    created = put(markers_client, keys.alice, body)
    assert created.status_code == 201 and created.get_json()["video_id"] == "vid-z"
    bare = put(markers_client, keys.alice, {**body, "target_id": "other", "video_id": None})
    assert bare.status_code == 201 and bare.get_json()["video_id"] is None
    assert catalog.segment_reads == 0


def test_a_replay_answers_the_first_result_even_when_the_catalog_learned_more(
    markers_client: FlaskClient, keys: Keys, catalog: CountingCatalog
) -> None:
    body = {"target_type": "segment", "target_id": "vid-c-s0001", "video_id": "vid-guess"}
    first = put(markers_client, keys.alice, body, **{"Idempotency-Key": "k-seg"})
    assert first.status_code == 201 and first.get_json()["video_id"] == "vid-guess"
    catalog.put_segments([SegmentRecord("vid-c-s0001", "vid-c", "alice", 0.0, 5.0, utcnow())])
    replay = put(markers_client, keys.alice, body, **{"Idempotency-Key": "k-seg"})
    assert replay.status_code == 201 and replay.get_json() == first.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert_video_id_refused(put(markers_client, keys.alice, body))
    fixed = put(markers_client, keys.alice, {**body, "video_id": None})
    assert fixed.status_code == 200 and fixed.get_json()["video_id"] == "vid-c"


def test_a_video_marker_stored_without_video_id_gets_it_on_its_next_put(
    markers_client: FlaskClient, keys: Keys, container: Container, catalog: CountingCatalog
) -> None:
    """Markers written before the rule keep ``video_id: null`` until they are next written."""
    target = MarkerTarget(TargetType.VIDEO, "vid-old")
    now = utcnow()
    old = Marker(target.marker_id_for("alice"), "alice", target, "red", None, None, None, now, now)
    container.markers.upsert_atomically(
        "alice", old.marker_id, None, lambda current, previous: _store(old)
    )
    assert listed(markers_client, keys.alice, video_id="vid-old") == []
    updated = put(markers_client, keys.alice, {"target_type": "video", "target_id": "vid-old"})
    assert updated.status_code == 200 and updated.get_json()["video_id"] == "vid-old"
    assert len(listed(markers_client, keys.alice, video_id="vid-old")) == 1


def _store(marker: Marker) -> UpsertDecision:
    return UpsertDecision(UpsertResult(marker, True), marker_to_store=marker)
