"""Behaviour every MarkerRepository must have: run against the fake and against Firestore."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from shared.clock import utcnow
from shared.domain.markers import (
    Marker,
    MarkerQuery,
    MarkerTarget,
    TargetType,
    UpsertDecision,
    UpsertResult,
)
from shared.domain.ports import MarkerRepository


def make_marker(user_id: str, target_id: str, **kw: object) -> Marker:
    target = MarkerTarget(
        kw.pop("target_type", TargetType.VIDEO),  # type: ignore[arg-type]
        target_id,
        kw.pop("field_path", None),  # type: ignore[arg-type]
    )
    now = utcnow()
    return Marker(
        marker_id=target.marker_id_for(user_id),
        user_id=user_id,
        target=target,
        color=kw.pop("color", "red"),
        note=kw.pop("note", None),  # type: ignore[arg-type]
        video_id=kw.pop("video_id", None),
        run_id=kw.pop("run_id", None),  # type: ignore[arg-type]
        created_at=now,
        updated_at=now,
    )


def store(repo: MarkerRepository, marker: Marker) -> None:
    def decide(current, previous):  # type: ignore[no-untyped-def]
        return UpsertDecision(UpsertResult(marker, current is None), marker_to_store=marker)

    repo.upsert_atomically(marker.user_id, marker.marker_id, None, decide)


class MarkerRepositoryContract:
    @pytest.fixture
    def repo(self) -> MarkerRepository:
        raise NotImplementedError

    @pytest.fixture
    def user(self) -> str:
        return f"u-{uuid.uuid4().hex[:10]}"

    def test_stored_marker_reads_back(self, repo: MarkerRepository, user: str) -> None:
        marker = make_marker(user, "vid-1", note="hello")
        store(repo, marker)
        got = repo.get(user, marker.marker_id)
        assert got is not None
        assert (got.note, got.color, got.target) == ("hello", "red", marker.target)

    def test_other_users_marker_reads_as_missing(self, repo: MarkerRepository, user: str) -> None:
        marker = make_marker(user, "vid-1")
        store(repo, marker)
        assert repo.get("someone-else", marker.marker_id) is None
        assert repo.delete("someone-else", marker.marker_id) is False
        assert repo.get(user, marker.marker_id) is not None

    def test_list_filters_and_pages_in_id_order(self, repo: MarkerRepository, user: str) -> None:
        markers = [
            make_marker(user, f"seg-{i}", target_type=TargetType.SEGMENT, video_id="v1")
            for i in range(5)
        ]
        markers.append(make_marker(user, "v1", video_id="v1"))
        markers.append(make_marker(user, "v2", video_id="v2"))
        for m in markers:
            store(repo, m)
        store(
            repo, make_marker("other-user", "seg-0", target_type=TargetType.SEGMENT, video_id="v1")
        )
        segs = repo.find(user, MarkerQuery(target_type=TargetType.SEGMENT), 10, None)
        assert {m.target.target_id for m in segs} == {f"seg-{i}" for i in range(5)}
        assert [m.marker_id for m in segs] == sorted(m.marker_id for m in segs)
        first = repo.find(user, MarkerQuery(video_id="v1"), 3, None)
        rest = repo.find(user, MarkerQuery(video_id="v1"), 10, first[-1].marker_id)
        assert len(first) == 3 and len(rest) == 3
        assert {m.marker_id for m in first}.isdisjoint({m.marker_id for m in rest})
        assert all(m.user_id == user for m in first + rest)

    def test_for_targets_spans_more_than_one_in_query(
        self, repo: MarkerRepository, user: str
    ) -> None:
        for i in range(35):
            store(repo, make_marker(user, f"t-{i}"))
        found = repo.for_targets(user, [f"t-{i}" for i in range(40)])
        assert sorted(m.target.target_id for m in found) == sorted(f"t-{i}" for i in range(35))
        assert repo.for_targets("other-user", ["t-1"]) == []

    def test_delete_removes(self, repo: MarkerRepository, user: str) -> None:
        marker = make_marker(user, "vid-9")
        store(repo, marker)
        assert repo.delete(user, marker.marker_id) is True
        assert repo.get(user, marker.marker_id) is None
        assert repo.delete(user, marker.marker_id) is False

    def test_delete_check_sees_the_current_marker_and_can_abort(
        self, repo: MarkerRepository, user: str
    ) -> None:
        marker = make_marker(user, "vid-8", note="keep me")
        store(repo, marker)
        seen: list[Marker] = []

        def refuse(current: Marker) -> None:
            seen.append(current)
            raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            repo.delete(user, marker.marker_id, refuse)
        assert [m.note for m in seen] == ["keep me"]
        assert repo.get(user, marker.marker_id) is not None
        assert repo.delete(user, marker.marker_id, seen.append) is True
        assert repo.get(user, marker.marker_id) is None

    def test_delete_check_is_not_asked_about_missing_or_foreign_markers(
        self, repo: MarkerRepository, user: str
    ) -> None:
        marker = make_marker(user, "vid-6")
        store(repo, marker)
        asked: list[Marker] = []
        assert repo.delete("someone-else", marker.marker_id, asked.append) is False
        assert repo.delete(user, "mk_000000000000000000000000", asked.append) is False
        assert asked == [] and repo.get(user, marker.marker_id) is not None

    def test_decider_sees_idempotency_record_and_can_abort(
        self, repo: MarkerRepository, user: str
    ) -> None:
        from shared.domain.markers import IdempotencyRecord

        marker = make_marker(user, "vid-7")
        record = IdempotencyRecord("fp", True, marker, utcnow() + timedelta(hours=1))

        def first(current, previous):  # type: ignore[no-untyped-def]
            assert current is None and previous is None
            return UpsertDecision(UpsertResult(marker, True), marker, record)

        repo.upsert_atomically(user, marker.marker_id, "idem-" + user, first)
        seen = {}

        def second(current, previous):  # type: ignore[no-untyped-def]
            seen["current"], seen["previous"] = current, previous
            raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            repo.upsert_atomically(user, marker.marker_id, "idem-" + user, second)
        assert seen["current"].marker_id == marker.marker_id
        assert seen["previous"].fingerprint == "fp" and seen["previous"].created is True
        assert seen["previous"].marker.marker_id == marker.marker_id
