"""Push subscriptions in the Pub/Sub emulator, configured as Terraform configures production's:
an endpoint, an acknowledgement deadline, dead-lettering after a few attempts, and backoff."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc


@dataclass(frozen=True)
class PushSubscription:
    name: str  # full path: projects/<p>/subscriptions/<s>
    topic: str  # full path
    endpoint: str
    ack_deadline_seconds: int
    dead_letter_topic: str
    max_delivery_attempts: int
    min_backoff_seconds: int
    max_backoff_seconds: int

    def request(self) -> dict[str, Any]:
        from google.protobuf import duration_pb2

        return {
            "name": self.name,
            "topic": self.topic,
            "push_config": {"push_endpoint": self.endpoint.rstrip("/") + "/"},
            "ack_deadline_seconds": self.ack_deadline_seconds,
            "dead_letter_policy": {
                "dead_letter_topic": self.dead_letter_topic,
                "max_delivery_attempts": self.max_delivery_attempts,
            },
            "retry_policy": {
                "minimum_backoff": duration_pb2.Duration(seconds=self.min_backoff_seconds),
                "maximum_backoff": duration_pb2.Duration(seconds=self.max_backoff_seconds),
            },
        }


def ensure_pull_subscription(subscriber: Any, name: str, topic: str) -> None:
    with contextlib.suppress(gexc.AlreadyExists):
        subscriber.create_subscription(request={"name": name, "topic": topic})


def ensure_push_subscription(subscriber: Any, subscription: PushSubscription) -> None:
    request = subscription.request()
    try:
        subscriber.create_subscription(request=request)
    except gexc.AlreadyExists:
        # A restarted stack runs the function on a new port: point the push at it.
        subscriber.modify_push_config(
            request={"subscription": request["name"], "push_config": request["push_config"]}
        )
