"""The processing event stream end to end: Pub/Sub topic → push → ingest function → Firestore →
relay → gateway → a following client."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from infra.local.stack import LocalStack
from shared.clients.event_stream import EventStreamClient, StreamEvent
from shared.domain.events import EventType, OutgoingEvent

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]


def take(client: EventStreamClient, count: int) -> list[StreamEvent]:
    got: list[StreamEvent] = []
    for event in client.events():
        got.append(event)
        if len(got) == count:
            break
    return got


def test_stream_through_the_gateway(stack: LocalStack, cloud, new_key) -> None:  # type: ignore[no-untyped-def]
    user = f"user-{uuid.uuid4().hex[:10]}"
    key = new_key(user, "read")
    client = EventStreamClient(stack.base_url, key, read_timeout=30)
    # Connect first (the stream starts "now"), then publish through the real topic.
    stream = client.events()
    sent = [
        OutgoingEvent(
            EventType.PROMPT_RUN_PROGRESS,
            user,
            f"e2e-{i}",
            datetime.now(UTC),
            run_id="run-e2e",
            payload={"i": i},
        )
        for i in range(5)
    ]
    first_event_after_connect = None

    import threading

    def publish() -> None:
        for event in sent:
            cloud.events.publish(event)

    timer = threading.Timer(1.0, publish)
    timer.start()
    got = []
    for event in stream:
        got.append(event)
        if len(got) == len(sent):
            break
    timer.join()
    del first_event_after_connect
    assert sorted(e.data["payload"]["i"] for e in got) == [0, 1, 2, 3, 4]
    ids = [e.event_id for e in got]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert all(e.data["user_id"] == user and e.event_type == "prompt_run.progress" for e in got)
