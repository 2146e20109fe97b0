"""The dead-letter runbook's replay, end to end: an event an ingest with a bug rejected (and
Pub/Sub delivered twice) waits on the dead-letter hold subscription; once the ingest is fixed,
``shared.cli.replay_dead_letters`` republishes it to the processing-events topic, the stack's
ingest stores it once, and a following client receives it."""

from __future__ import annotations

import base64
import threading
import uuid

import pytest
from cloudevents.http import CloudEvent
from events_ingest_api import handler
from google.cloud.firestore_v1.base_query import FieldFilter

from infra.local.stack import LocalStack
from shared.adapters.firestore_event_log import EVENTS, event_from_doc
from shared.adapters.pubsub_events import event_message
from shared.bootstrap import Container
from shared.cli import replay_dead_letters
from shared.clients.event_stream import EventStreamClient
from shared.domain.event_log import StoredEvent
from tests.support.relays import follow, new_event, payload_key

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]


def pushed(data: bytes, message_id: str) -> CloudEvent:
    envelope = {"message": {"data": base64.b64encode(data).decode(), "messageId": message_id}}
    attributes = {"type": "google.cloud.pubsub.topic.v1.messagePublished", "id": message_id}
    return CloudEvent({**attributes, "source": "//pubsub.googleapis.com/test"}, envelope)


def test_a_poison_message_fixed_and_replayed_is_stored_once_and_reaches_a_stream(  # type: ignore[no-untyped-def]
    stack: LocalStack, cloud: Container, new_key, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    user = f"user-{uuid.uuid4().hex[:10]}"
    poison = new_event(user, payload={"key": "poison", "frames": ["x" * 64] * 40})
    data = event_message(poison)

    # The bug: an ingest deployed with a message limit below what producers send. It rejects
    # the event; both deliveries of the message go to the dead-letter topic.
    monkeypatch.setattr(handler, "MAX_MESSAGE_BYTES", len(data) - 1)
    for delivery in ("poison-1", "poison-2"):
        handler.handle_pushed_event(pushed(data, delivery), cloud)
    assert stored(cloud, user) == []

    # The fix is deployed (the stack's ingest has the real limit); then the replay.
    monkeypatch.undo()
    client = EventStreamClient(stack.base_url, new_key(user, "read"), read_timeout=30)
    argv = ["--reason", "message_too_large"]
    replay = threading.Timer(1.0, replay_dead_letters.main, (argv,))
    replay.start()
    got = follow(client, lambda e: payload_key(e) == "poison", timeout=120)
    replay.join(60)

    assert [payload_key(e) for e in got] == ["poison"]
    assert got[0].data["payload"] == poison.payload
    (record,) = stored(cloud, user)
    assert record.event_key == poison.event_key and record.event_id == got[0].event_id
    printed = capsys.readouterr().out
    for delivery in ("poison-1", "poison-2"):
        assert f"reason=message_too_large origin={delivery}" in printed, printed

    # Nothing of it is left to replay: a dry run finds neither copy.
    replay_dead_letters.main(["--dry-run", "--reason", "message_too_large"])
    assert "poison-" not in capsys.readouterr().out


def stored(cloud: Container, user: str) -> list[StoredEvent]:
    """The user's records in the store, read with the synchronous client (the container's
    asynchronous reader belongs to the relay's event loop)."""
    query = cloud.firestore.collection(EVENTS).where(filter=FieldFilter("user_id", "==", user))
    return [event_from_doc(doc.id, doc.to_dict() or {}) for doc in query.stream()]
