"""Publish processing events to the ``processing-events`` topic."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from shared.adapters.firestore_errors import translated_google_errors
from shared.adapters.pubsub_client import PUBLISH_TIMEOUT_SECONDS
from shared.clock import to_iso
from shared.domain.events import OutgoingEvent
from shared.domain.ports import EventPublisher

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient


def event_message(event: OutgoingEvent) -> bytes:
    """The message body: the event JSON of the contract's "Pub/Sub input" section."""
    return json.dumps(
        {
            "event_type": event.event_type.value,
            "user_id": event.user_id,
            "event_key": event.event_key,
            "created_at": to_iso(event.created_at),
            "run_id": event.run_id,
            "video_id": event.video_id,
            "segment_id": event.segment_id,
            "index_id": event.index_id,
            "payload": event.payload,
        },
        separators=(",", ":"),
    ).encode()


class PubSubEventPublisher(EventPublisher):
    def __init__(self, client: PublisherClient, project_id: str, topic: str) -> None:
        self._client = client
        self._topic = client.topic_path(project_id, topic)

    def publish(self, event: OutgoingEvent) -> None:
        with translated_google_errors("The event topic"):
            future = self._client.publish(
                self._topic,
                event_message(event),
                event_type=event.event_type.value,
                user_id=event.user_id,
            )
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
