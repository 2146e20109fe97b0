"""Invalid processing-event messages, forwarded to the dead-letter topic with the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.firestore_errors import translated_google_errors
from shared.adapters.pubsub_client import PUBLISH_TIMEOUT_SECONDS
from shared.domain.ports import DeadLetters

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient

MAX_DETAIL_LENGTH = 1024
REASON_ATTRIBUTE = "dead_letter_reason"
DETAIL_ATTRIBUTE = "dead_letter_detail"


class PubSubDeadLetters(DeadLetters):
    def __init__(self, client: PublisherClient, project_id: str, topic: str) -> None:
        self._client = client
        self._topic = client.topic_path(project_id, topic)

    def send(self, data: bytes, reason: str, detail: str, attributes: dict[str, str]) -> None:
        tagged = {
            **attributes,
            REASON_ATTRIBUTE: reason,
            DETAIL_ATTRIBUTE: detail[:MAX_DETAIL_LENGTH],
        }
        # Raises ServiceUnavailable when the topic is down: the message is then retried rather
        # than acknowledged with nowhere to go.
        with translated_google_errors("The dead-letter topic"):
            self._client.publish(self._topic, data, **tagged).result(
                timeout=PUBLISH_TIMEOUT_SECONDS
            )
