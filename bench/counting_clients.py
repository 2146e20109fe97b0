"""Clients that count what they send, for bench/store_counts.py: the real Firestore clients on a
recording channel (tests/support/firestore_recorder.py) and the project's Pub/Sub publisher
counting messages per topic; and the ingest function's handler fed pushed messages."""

from __future__ import annotations

import base64
import json
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for folder in sorted((ROOT / "functions").iterdir()):
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.append(str(folder))

from shared.bootstrap import Container  # noqa: E402
from shared.config import Settings  # noqa: E402
from tests.support.firestore_recorder import (  # noqa: E402
    RecordingAsyncClient,
    RecordingClient,
)


def counting_publisher() -> Any:
    """The project's publisher client (``shared/adapters/pubsub_client.py``: batching off, so
    one Publish RPC per message), counting the messages published per topic."""
    from google.cloud import pubsub_v1

    from shared.adapters.pubsub_client import PUBLISH_TIMEOUT_SECONDS, publish_retry

    class CountingPublisher(pubsub_v1.PublisherClient):  # type: ignore[misc]
        published: Counter[str] = Counter()

        def publish(self, topic: str, *args: Any, **kwargs: Any) -> Any:
            self.published[topic.rsplit("/", 1)[-1]] += 1
            return super().publish(topic, *args, **kwargs)

    CountingPublisher.published = Counter()
    return CountingPublisher(
        batch_settings=pubsub_v1.types.BatchSettings(max_messages=1),
        publisher_options=pubsub_v1.types.PublisherOptions(
            retry=publish_retry(), timeout=PUBLISH_TIMEOUT_SECONDS
        ),
    )


def recording_container() -> Container:
    settings = Settings()
    return Container(
        settings,
        firestore=RecordingClient(project=settings.project_id),
        firestore_async=RecordingAsyncClient(project=settings.project_id),
        publisher=counting_publisher(),
    )


def snapshot(container: Container) -> dict[str, Any]:
    sync = container.firestore.recorded  # type: ignore[attr-defined]
    aio = container.firestore_async.recorded  # type: ignore[attr-defined]
    return {
        "firestore": dict(sync.counts()),
        "firestore_async": dict(aio.counts()),
        "async_documents": aio.documents,
        "pubsub_published": dict(container.publisher.published),
    }


def clear(container: Container) -> None:
    container.firestore.recorded.clear()  # type: ignore[attr-defined]
    container.firestore_async.recorded.clear()  # type: ignore[attr-defined]
    container.publisher.published.clear()


def per(counts: dict[str, Any], n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in counts.items():
        out[key] = per(value, n) if isinstance(value, dict) else round(value / n, 3)
    return out


def push_body(user_id: str, key: str) -> Any:
    from cloudevents.http import CloudEvent

    event = {
        "event_type": "segment.processing.completed",
        "user_id": user_id,
        "event_key": key,
        "created_at": "2026-01-01T00:00:00+00:00",
        "video_id": "v1",
        "segment_id": key,
        "payload": {"start_time": 0.0, "end_time": 2.0},
    }
    data = base64.b64encode(json.dumps(event).encode()).decode()
    message_id = uuid.uuid4().hex
    envelope = {"message": {"data": data, "messageId": message_id, "attributes": {}}}
    attributes = {"id": message_id, "source": "bench", "type": "google.cloud.pubsub.published"}
    return CloudEvent(attributes, envelope)


def ingest(container: Container, bodies: list[Any]) -> None:
    from events_ingest_api.handler import handle_pushed_event

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda body: handle_pushed_event(body, container), bodies))
    if container.publisher.published.get(container.settings.dead_letter_topic):
        raise SystemExit("events were dead-lettered: the counts would not be an ingest's")
