"""The one Pub/Sub publisher client every publisher here shares (events, doorbell, dead
letters, upload notices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def publisher_client() -> PublisherClient:
    """Every publisher here waits for its message's ack before going on, so the client's
    batching (hold a message up to 10 ms for company) would only add latency: it is off. Every
    publish retries by ``publish_retry`` unless it passes a retry of its own."""
    from google.cloud import pubsub_v1

    return pubsub_v1.PublisherClient(
        batch_settings=pubsub_v1.types.BatchSettings(max_messages=1),
        publisher_options=pubsub_v1.types.PublisherOptions(
            retry=publish_retry(), timeout=PUBLISH_TIMEOUT_SECONDS
        ),
    )
