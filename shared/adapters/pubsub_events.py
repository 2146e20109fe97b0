"""Publish processing events to the ``processing-events`` topic."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from shared.adapters.firestore_errors import translated_google_errors
from shared.clock import to_iso
from shared.domain.events import OutgoingEvent
from shared.domain.ports import EventPublisher

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud.pubsub_v1 import PublisherClient

PUBLISH_TIMEOUT_SECONDS = 30.0
# The client's default backs off x4 up to 60 s between attempts: after a 10 s outage of the
# Pub/Sub emulator a publish still waited 12 s more (tests/faults/test_pubsub_restart.py), and
# a slightly longer outage would outlast the 30 s above although Pub/Sub was back. Attempts at
# most 2 s apart resume within 2 s, and stop when the caller stops waiting.
RETRY_MAX_DELAY_SECONDS = 2.0


def publish_retry() -> Retry:
    from google.api_core import exceptions as gexc
    from google.api_core.retry import Retry, if_exception_type

    return Retry(
        initial=0.1,
        maximum=RETRY_MAX_DELAY_SECONDS,
        multiplier=2.0,
        timeout=PUBLISH_TIMEOUT_SECONDS,
        # The client's own retryable codes for Publish.
        predicate=if_exception_type(
            gexc.Aborted,
            gexc.Cancelled,
            gexc.DeadlineExceeded,
            gexc.InternalServerError,
            gexc.ResourceExhausted,
            gexc.ServiceUnavailable,
            gexc.Unknown,
        ),
    )


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
        self._retry = publish_retry()

    def publish(self, event: OutgoingEvent) -> None:
        with translated_google_errors("The event topic"):
            future = self._client.publish(
                self._topic,
                event_message(event),
                retry=self._retry,
                timeout=PUBLISH_TIMEOUT_SECONDS,
                event_type=event.event_type.value,
                user_id=event.user_id,
            )
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
