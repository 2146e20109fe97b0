"""The ingest function through functions-framework itself, on in-memory ports."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from shared import bootstrap
from shared.bootstrap import Container
from shared.domain.event_log import EventQuery, Position
from shared.domain.events import OutgoingEvent
from shared.domain.ports import EventLog
from shared.errors import ServiceUnavailable
from tests.fakes.memory_event_log import InMemoryEventLog
from tests.fakes.memory_event_signals import InMemoryDeadLetters, InMemoryDoorbell
from tests.support.settings import settings_for_fakes
from tests.unit.conftest import function_client


class BrokenLog(EventLog):
    def append(self, event: OutgoingEvent, expires_at: datetime) -> Any:
        raise ServiceUnavailable("The event store is temporarily unavailable; retry shortly.")


@pytest.fixture
def ports() -> Iterator[Container]:
    built = Container(
        settings_for_fakes(),
        event_log=InMemoryEventLog(),
        doorbell=InMemoryDoorbell(),
        dead_letters=InMemoryDeadLetters(),
    )
    bootstrap.override(built)
    yield built
    bootstrap.override(None)


@pytest.fixture
def ingest(ports: Container) -> FlaskClient:
    return function_client("events_ingest")


def message(body: Any, message_id: str = "m-1") -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return {
        "message": {"data": base64.b64encode(raw).decode(), "messageId": message_id},
        "subscription": "projects/p/subscriptions/processing-events-ingest",
    }


def good(**changes: Any) -> dict[str, Any]:
    body = {
        "event_type": "prompt_run.progress",
        "user_id": "alice",
        "event_key": "run-1:progress:1",
        "created_at": "2026-01-02T03:04:05.000006Z",
        "run_id": "run-1",
        "video_id": "vid-1",
        "segment_id": None,
        "index_id": "idx-1",
        "payload": {"progress": 0.25},
    }
    body.update(changes)
    return body


def stored(ports: Container, user_id: str = "alice") -> list[Any]:
    import asyncio

    return asyncio.run(ports.event_log.read(EventQuery(user_id, Position(0), 100)))


def test_a_valid_message_is_stored_and_rings(ingest: FlaskClient, ports: Container) -> None:
    assert ingest.post("/", json=message(good())).status_code == 200
    (event,) = stored(ports)
    assert event.event_key == "run-1:progress:1" and event.payload == {"progress": 0.25}
    assert ports.doorbell.rings == [("alice", event.position)]
    assert ports.dead_letters.letters == []


def test_redelivery_and_duplicate_keys_are_stored_once(
    ingest: FlaskClient, ports: Container
) -> None:
    ingest.post("/", json=message(good(), "m-1"))
    ingest.post("/", json=message(good(), "m-1"))  # Pub/Sub redelivery: same message id
    ingest.post("/", json=message(good(payload={"x": 1}), "m-2"))  # same event_key
    assert len(stored(ports)) == 1


def nested(levels: int) -> dict[str, Any]:
    """A payload of ``levels`` maps, one inside the other (the payload itself is the first)."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"x": value}
    return value


def test_the_deepest_and_largest_values_a_document_holds_are_stored(
    ingest: FlaskClient, ports: Container
) -> None:
    payload = {"deep": nested(18), "max": 2**63 - 1, "min": -(2**63), "flag": True}
    assert ingest.post("/", json=message(good(payload=payload), "m-edge")).status_code == 200
    assert ports.dead_letters.letters == []
    assert [event.payload for event in stored(ports)] == [payload]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        # An escaped lone surrogate: valid JSON, but no UTF-8 string can hold it (the store's
        # encoder would raise on every redelivery).
        (json.dumps(good(payload={"note": "\ud800"})).encode(), "invalid_json"),
        (good(event_type="media.exploded"), "validation_failed"),
        (good(user_id="alice/markers/x"), "validation_failed"),
        (good(video_id="a..b"), "validation_failed"),
        (good(created_at="2026-01-02T03:04:05"), "validation_failed"),
        (good(unknown_field=1), "validation_failed"),
        (good(event_key=""), "validation_failed"),
        (good(event_key="has space"), "validation_failed"),
        (good(payload={"blob": "x" * 70_000}), "validation_failed"),
        # What a Firestore document cannot hold, refused at the edge (a commit would fail).
        (good(payload={"n": 2**63}), "validation_failed"),
        (good(payload={"n": [-(2**63) - 1]}), "validation_failed"),
        (good(payload=nested(20)), "validation_failed"),
        (b"x" * 300_000, "message_too_large"),
        ([1, 2, 3], "validation_failed"),
    ],
)
def test_invalid_messages_are_dead_lettered_and_acked(
    ingest: FlaskClient, ports: Container, body: Any, reason: str
) -> None:
    response = ingest.post("/", json=message(body, "m-bad"))
    assert response.status_code == 200  # acknowledged: it must not block the subscription
    (letter,) = ports.dead_letters.letters
    assert letter.reason == reason and letter.detail
    assert letter.attributes["source_message_id"] == "m-bad"
    assert stored(ports) == [] and ports.doorbell.rings == []


def test_a_bad_envelope_is_dead_lettered(ingest: FlaskClient, ports: Container) -> None:
    envelope = message(good())
    envelope["message"]["data"] = "***not base64***"
    assert ingest.post("/", json=envelope).status_code == 200
    assert [letter.reason for letter in ports.dead_letters.letters] == ["malformed_envelope"]


def test_a_store_outage_raises_so_pubsub_retries(ports: Container) -> None:
    ports.__dict__["event_log"] = BrokenLog()
    client = function_client("events_ingest")
    assert client.post("/", json=message(good())).status_code == 500
    assert ports.dead_letters.letters == []
