"""Replay dead letters once their cause is fixed: pull them from the hold subscription,
publish each again to the topic it came from, and only then acknowledge it.

A crash between the publish and the acknowledgement replays a message twice, which the ingest
absorbs (events are stored once per key). Messages the filters do not select stay leased
until the end of the run, so a run never pulls them twice, and are then handed back at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.adapters.pubsub_client import PUBLISH_TIMEOUT_SECONDS
from shared.adapters.pubsub_dead_letters import DETAIL_ATTRIBUTE, REASON_ATTRIBUTE

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

# Pub/Sub's own dead-lettering adds these (source subscription, delivery attempts, ...).
PUBSUB_PREFIX = "CloudPubSubDeadLetter"
SOURCE_ATTRIBUTE = "CloudPubSubDeadLetterSourceSubscription"
ORIGIN_ATTRIBUTE = "source_message_id"  # set by the ingest (events_ingest_api.handler)
REPLAY_ATTRIBUTE = "replayed_dead_letter"
PULL_BATCH = 100
PULL_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    reason: str
    source: str  # the subscription Pub/Sub moved it from, if Pub/Sub dead-lettered it
    origin: str  # the rejected delivery's message id, if the ingest dead-lettered it
    size: int


@dataclass
class ReplayReport:
    replayed: list[DeadLetter] = field(default_factory=list)
    left: list[DeadLetter] = field(default_factory=list)


@dataclass(frozen=True)
class Selection:
    """Which dead letters to replay: all, or those of one reason / source subscription."""

    reason: str | None = None
    source_subscription: str | None = None
    limit: int | None = None

    def selects(self, letter: DeadLetter) -> bool:
        if self.reason is not None and letter.reason != self.reason:
            return False
        source = self.source_subscription
        return source is None or letter.source.rsplit("/", 1)[-1] == source.rsplit("/", 1)[-1]


def replayed_attributes(attributes: dict[str, str], message_id: str) -> dict[str, str]:
    """The original attributes, without what dead-lettering added, plus where it came from."""
    kept = {
        k: v
        for k, v in attributes.items()
        if not k.startswith(PUBSUB_PREFIX) and k not in (REASON_ATTRIBUTE, DETAIL_ATTRIBUTE)
    }
    return {**kept, REPLAY_ATTRIBUTE: message_id}


def _pulled(subscriber: SubscriberClient, subscription: str) -> Iterator[list[Any]]:
    from google.api_core import exceptions as gexc

    empty = 0
    while empty < 2:  # one empty answer can be a pull that raced a delivery
        try:
            response = subscriber.pull(
                subscription=subscription, max_messages=PULL_BATCH, timeout=PULL_TIMEOUT_SECONDS
            )
            received = list(response.received_messages)
        except gexc.DeadlineExceeded:
            received = []
        empty = 0 if received else empty + 1
        if received:
            yield received


def replay_dead_letters(
    subscriber: SubscriberClient,
    publisher: PublisherClient,
    subscription: str,
    topic: str,
    selection: Selection,
    dry_run: bool = False,
) -> ReplayReport:
    """Republish the selected dead letters of ``subscription`` (a path) to ``topic`` (a path)."""
    report = ReplayReport()
    leased: list[str] = []
    try:
        for batch in _pulled(subscriber, subscription):
            for received in batch:
                message = received.message
                attributes = dict(message.attributes)
                letter = DeadLetter(
                    message.message_id,
                    attributes.get(REASON_ATTRIBUTE, "delivery_attempts_exhausted"),
                    attributes.get(SOURCE_ATTRIBUTE, ""),
                    attributes.get(ORIGIN_ATTRIBUTE, ""),
                    len(message.data),
                )
                full = selection.limit is not None and len(report.replayed) >= selection.limit
                if dry_run or full or not selection.selects(letter):
                    leased.append(received.ack_id)
                    report.left.append(letter)
                    continue
                publisher.publish(
                    topic, message.data, **replayed_attributes(attributes, letter.message_id)
                ).result(timeout=PUBLISH_TIMEOUT_SECONDS)
                subscriber.acknowledge(subscription=subscription, ack_ids=[received.ack_id])
                report.replayed.append(letter)
    finally:
        if leased:  # hand the others back now rather than at their ack deadline
            subscriber.modify_ack_deadline(
                subscription=subscription, ack_ids=leased, ack_deadline_seconds=0
            )
    return report
