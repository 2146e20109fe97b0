"""Concurrent appends of one ingest instance share commits (group commit), and a redelivery
inside a shared commit still reads as a duplicate, with the first delivery's position."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore_event_log import FirestoreEventLog
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.event_log import AppendResult
from shared.domain.events import EventType, OutgoingEvent

pytestmark = pytest.mark.emulator


def test_concurrent_appends_share_commits_and_stay_exactly_once(cloud: Container) -> None:
    user = f"user-{uuid.uuid4().hex[:10]}"
    log = FirestoreEventLog(cloud.firestore)
    expires = utcnow() + timedelta(days=8)

    def append(key: str) -> AppendResult:
        event = OutgoingEvent(EventType.PROMPT_RUN_PROGRESS, user, key, utcnow(), run_id="r")
        return log.append(event, expires)

    first = append("k-0")  # already stored: its redeliveries below land inside batches
    # Every key twice, side by side: a redelivery often waits in the same batch as its first
    # delivery (a commit cannot create one document twice).
    keys = [f"k-{i // 2}" for i in range(400)]
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(append, keys))

    stored = [r for r in results if r.stored]
    duplicates = [r for r in results if not r.stored]
    assert len(stored) == 199  # k-1 .. k-199, each once
    assert len(duplicates) == 201  # both appends of k-0, one of the two of every other key
    positions = {r.position for r in results}
    assert len(positions) == 200 and first.position in positions
    by_record: dict[str, set[object]] = {}
    for r in results:
        by_record.setdefault(r.position.record_id, set()).add(r.position)
    assert all(len(p) == 1 for p in by_record.values())  # a key has one position
    assert log._writes.commits < len(keys) // 2  # commits were shared
    docs = list(
        cloud.firestore.collection("processing_events")
        .where(filter=FieldFilter("user_id", "==", user))
        .stream()
    )
    assert len(docs) == 200


def test_a_batch_meeting_stored_records_is_sifted_not_split_into_single_creates(
    cloud: Container,
) -> None:
    """Under load a redelivery lands in nearly every batch; a batch that fails on one stored
    record is committed again without it, not one create at a time (decision 022)."""
    user = f"user-{uuid.uuid4().hex[:10]}"
    log = FirestoreEventLog(cloud.firestore)
    expires = utcnow() + timedelta(days=8)

    def append(key: str) -> AppendResult:
        event = OutgoingEvent(EventType.PROMPT_RUN_PROGRESS, user, key, utcnow(), run_id="r")
        return log.append(event, expires)

    earlier = {f"k-{i}": append(f"k-{i}").position for i in range(0, 300, 10)}
    lone_before = log._writes.lone_creates
    with ThreadPoolExecutor(32) as pool:
        results = dict(enumerate(pool.map(append, [f"k-{i}" for i in range(300)])))

    assert sorted(i for i, r in results.items() if not r.stored) == list(range(0, 300, 10))
    assert all(results[int(k[2:])].position == p for k, p in earlier.items())
    assert len({r.position for r in results.values()}) == 300
    # Before sifting, every batch that met one of the 30 stored records went one by one
    # (about 300 lone creates here); a batch's leader can still be alone when nothing waits.
    assert log._writes.lone_creates - lone_before < 60


def test_a_document_the_store_refuses_fails_alone_not_its_batch(cloud: Container) -> None:
    """A create the store rejects as invalid (here a document over Firestore's 1 MiB, which
    the edge's payload limit keeps out in production) fails only its own append; the others
    that shared its commit are stored."""
    user = f"user-{uuid.uuid4().hex[:10]}"
    log = FirestoreEventLog(cloud.firestore)
    expires = utcnow() + timedelta(days=8)

    def append(key: str) -> AppendResult | Exception:
        payload = {"blob": "x" * 1_100_000} if key == "huge" else {}
        event = OutgoingEvent(
            EventType.PROMPT_RUN_PROGRESS, user, key, utcnow(), run_id="r", payload=payload
        )
        try:
            return log.append(event, expires)
        except Exception as exc:  # the refusal is what is checked
            return exc

    keys = [f"k-{i}" for i in range(60)]
    keys[30:30] = ["huge"]
    with ThreadPoolExecutor(32) as pool:
        results = dict(zip(keys, pool.map(append, keys), strict=True))

    assert isinstance(results.pop("huge"), Exception)
    assert all(isinstance(r, AppendResult) and r.stored for r in results.values())
    docs = cloud.firestore.collection("processing_events").where(
        filter=FieldFilter("user_id", "==", user)
    )
    assert len(list(docs.stream())) == 60
