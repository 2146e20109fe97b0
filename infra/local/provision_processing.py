"""The processing trigger in the emulators: the uploads topic and a push subscription that
delivers each finalize notification to the local worker, as Pub/Sub delivers to the deployed
function (decision 010). Its dead-letter topic keeps what failed five times for inspection."""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc

from infra.local.push_subscriptions import (
    PushSubscription,
    ensure_pull_subscription,
    ensure_push_subscription,
)
from shared.bootstrap import Container

WORKER_SUBSCRIPTION = "media-uploads-worker"
DEAD_LETTER_HOLD_SUBSCRIPTION = "media-uploads-dead-letter-hold"
# A job may take minutes on a long file: the push waits that long for the worker's answer.
WORKER_ACK_DEADLINE_SECONDS = 600
MAX_DELIVERY_ATTEMPTS = 5
RETRY_MIN_BACKOFF_SECONDS = 5
RETRY_MAX_BACKOFF_SECONDS = 300


def dead_letter_topic_of(topic: str) -> str:
    return f"{topic}-dead-letter"


def provision_upload_trigger(container: Container, worker_url: str | None) -> None:
    from google.cloud import pubsub_v1

    settings = container.settings
    publisher = container.publisher
    uploads = publisher.topic_path(settings.project_id, settings.media_uploads_topic)
    dead = publisher.topic_path(
        settings.project_id, dead_letter_topic_of(settings.media_uploads_topic)
    )
    for topic in (uploads, dead):
        with contextlib.suppress(gexc.AlreadyExists):
            publisher.create_topic(name=topic)
    with pubsub_v1.SubscriberClient() as subscriber:
        path = subscriber.subscription_path
        ensure_pull_subscription(
            subscriber, path(settings.project_id, DEAD_LETTER_HOLD_SUBSCRIPTION), dead
        )
        if worker_url is None:
            return
        ensure_push_subscription(
            subscriber,
            PushSubscription(
                name=path(settings.project_id, WORKER_SUBSCRIPTION),
                topic=uploads,
                endpoint=worker_url,
                ack_deadline_seconds=WORKER_ACK_DEADLINE_SECONDS,
                dead_letter_topic=dead,
                max_delivery_attempts=MAX_DELIVERY_ATTEMPTS,
                min_backoff_seconds=RETRY_MIN_BACKOFF_SECONDS,
                max_backoff_seconds=RETRY_MAX_BACKOFF_SECONDS,
            ),
        )
