"""Create what the local stack needs inside the emulators: buckets, topics, subscriptions.

Production gets the same resources from Terraform; this is its local counterpart, and safe
to run again (everything is created only when missing).
"""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc

from infra.local.provision_processing import provision_upload_trigger
from infra.local.push_subscriptions import (
    PushSubscription,
    ensure_pull_subscription,
    ensure_push_subscription,
)
from shared.bootstrap import Container

INGEST_SUBSCRIPTION = "processing-events-ingest"
DEAD_LETTER_HOLD_SUBSCRIPTION = "processing-events-dead-letter-hold"
# As production: after 5 failed deliveries a message moves to the dead-letter topic; retries
# back off from 1 s to 60 s in between.
MAX_DELIVERY_ATTEMPTS = 5
RETRY_MIN_BACKOFF_SECONDS = 1
RETRY_MAX_BACKOFF_SECONDS = 60
INGEST_ACK_DEADLINE_SECONDS = 60


def provision(container: Container, function_urls: dict[str, str]) -> None:
    """``function_urls`` maps each running function to its local base URL (for push
    subscriptions that deliver to it as Pub/Sub delivers to the deployed function)."""
    settings = container.settings
    for bucket in (settings.media_bucket, settings.derived_bucket):
        with contextlib.suppress(gexc.Conflict):
            container.storage.create_bucket(bucket)
    # The events topic last, its push subscription right after it: after an emulator restart
    # (infra/local/stack.py) a message published in between would reach no subscription.
    for topic in (
        settings.dead_letter_topic,
        settings.events_doorbell_topic,
        settings.events_topic,
    ):
        with contextlib.suppress(gexc.AlreadyExists):
            container.publisher.create_topic(
                name=container.publisher.topic_path(settings.project_id, topic)
            )
    provision_event_subscriptions(container, function_urls.get("events_ingest"))
    provision_upload_trigger(container, function_urls.get("processing_worker"))


def provision_event_subscriptions(container: Container, ingest_url: str | None) -> None:
    """A hold subscription keeps dead letters for inspection; the ingest push subscription
    exists only where the ingest function runs."""
    from google.cloud import pubsub_v1

    settings = container.settings
    topic_path = container.publisher.topic_path
    dead_letters = topic_path(settings.project_id, settings.dead_letter_topic)
    with pubsub_v1.SubscriberClient() as subscriber:
        path = subscriber.subscription_path
        if ingest_url is not None:
            ensure_push_subscription(
                subscriber,
                PushSubscription(
                    name=path(settings.project_id, INGEST_SUBSCRIPTION),
                    topic=topic_path(settings.project_id, settings.events_topic),
                    endpoint=ingest_url,
                    ack_deadline_seconds=INGEST_ACK_DEADLINE_SECONDS,
                    dead_letter_topic=dead_letters,
                    max_delivery_attempts=MAX_DELIVERY_ATTEMPTS,
                    min_backoff_seconds=RETRY_MIN_BACKOFF_SECONDS,
                    max_backoff_seconds=RETRY_MAX_BACKOFF_SECONDS,
                ),
            )
        hold = path(settings.project_id, DEAD_LETTER_HOLD_SUBSCRIPTION)
        ensure_pull_subscription(subscriber, hold, dead_letters)
