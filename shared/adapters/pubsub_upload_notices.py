"""Finalize notifications for the media bucket, in Cloud Storage's own Pub/Sub format.

Production: the bucket's notification configuration (OBJECT_FINALIZE, JSON_API_V1) publishes
these to the uploads topic by itself. Locally the GCS emulator sends none, so whoever uploads
publishes the very same message; the worker cannot tell the difference.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from shared.adapters.firestore_errors import translated_google_errors
from shared.adapters.pubsub_client import PUBLISH_TIMEOUT_SECONDS
from shared.clock import to_iso, utcnow
from shared.domain.ports import UploadNotifier
from shared.domain.stored_objects import StoredObject

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient

NOTIFICATION_CONFIG_ID = "local-emulator"


def finalize_notification(stored: StoredObject) -> tuple[bytes, dict[str, str]]:
    """Message data (the object resource) and attributes, as Cloud Storage sends them."""
    updated = to_iso(stored.updated_at or utcnow())
    resource = {
        "kind": "storage#object",
        "id": f"{stored.address.bucket}/{stored.address.name}/{stored.generation}",
        "name": stored.address.name,
        "bucket": stored.address.bucket,
        "generation": stored.generation,
        "metageneration": "1",
        "contentType": stored.content_type or "application/octet-stream",
        "size": str(stored.size_bytes),
        "timeCreated": updated,
        "updated": updated,
        "metadata": dict(stored.metadata),
    }
    attributes = {
        "notificationConfig": (
            f"projects/_/buckets/{stored.address.bucket}/notificationConfigs/"
            f"{NOTIFICATION_CONFIG_ID}"
        ),
        "eventType": "OBJECT_FINALIZE",
        "payloadFormat": "JSON_API_V1",
        "bucketId": stored.address.bucket,
        "objectId": stored.address.name,
        "objectGeneration": stored.generation,
        "eventTime": updated,
    }
    return json.dumps(resource, separators=(",", ":")).encode(), attributes


class PubSubUploadNotifier(UploadNotifier):
    def __init__(self, client: PublisherClient, project_id: str, topic: str) -> None:
        self._client = client
        self._topic = client.topic_path(project_id, topic)

    def object_finalized(self, stored: StoredObject) -> None:
        data, attributes = finalize_notification(stored)
        with translated_google_errors("The uploads topic"):
            self._client.publish(self._topic, data, **attributes).result(
                timeout=PUBLISH_TIMEOUT_SECONDS
            )


class BucketNotifiesItself(UploadNotifier):
    """Production: the bucket's notification configuration announces every upload."""

    def object_finalized(self, stored: StoredObject) -> None:
        return None


class RecordingUploadNotifier(UploadNotifier):
    """For unit tests: keeps the messages a real notifier would have published."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, dict[str, str]]] = []

    def object_finalized(self, stored: StoredObject) -> None:
        self.messages.append(finalize_notification(stored))
