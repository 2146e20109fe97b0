"""Create what the local stack needs inside the emulators: buckets, topics, subscriptions.

Production gets the same resources from Terraform; this is its local counterpart, and safe
to run again (everything is created only when missing).
"""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc

from shared.bootstrap import Container


def provision(container: Container, function_urls: dict[str, str]) -> None:
    """``function_urls`` maps each running function to its local base URL (for push
    subscriptions that deliver to it as Pub/Sub delivers to the deployed function)."""
    settings = container.settings
    for bucket in (settings.media_bucket, settings.derived_bucket):
        with contextlib.suppress(gexc.Conflict):
            container.storage.create_bucket(bucket)
    for topic in (settings.events_topic, settings.dead_letter_topic):
        with contextlib.suppress(gexc.AlreadyExists):
            container.publisher.create_topic(
                name=container.publisher.topic_path(settings.project_id, topic)
            )
