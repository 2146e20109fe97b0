"""The relay's doorbell on Pub/Sub: the ingest function rings "user X has new events" on a
topic; each relay instance listens on a subscription of its own (docs/decisions/021).

A ring is only a hint. Losing one delays delivery until the relay's next poll; it never loses
an event, because the relay always reads the log itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.domain.event_log import Position
from shared.domain.ports import Doorbell

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

logger = logging.getLogger("videovector.doorbell")
SUBSCRIPTION_EXPIRY_SECONDS = 86_400  # the shortest expiration Pub/Sub allows
RETENTION_SECONDS = 600
RESUBSCRIBE_MIN_SECONDS = 0.5
RESUBSCRIBE_MAX_SECONDS = 30.0
# Creating and deleting the subscription are bounded: the client's defaults retry for 60 s,
# which with Pub/Sub unreachable held the relay's start and its exit (Cloud Run sends SIGKILL
# 10 s after SIGTERM). A subscription left behind expires by itself.
ADMIN_DEADLINE_SECONDS = 1.5
PULL_STOP_SECONDS = 0.5


def _admin_retry() -> Any:
    from google.api_core import exceptions as gexc
    from google.api_core.retry import Retry, if_exception_type

    return Retry(
        initial=0.1,
        maximum=0.5,
        timeout=ADMIN_DEADLINE_SECONDS,
        predicate=if_exception_type(gexc.ServiceUnavailable, gexc.DeadlineExceeded),
    )


# Every relay subscription's name starts so: the relay's IAM grant on subscriptions is limited
# to these names (infra/iam.tf, checked by tests/infra/test_terraform.py).
SUBSCRIPTION_PREFIX = "relay-"


class PubSubDoorbell(Doorbell):
    """Rings without waiting for Pub/Sub's ack (a ring is a hint; waiting cost the ingest a
    round trip per event), and at most one ring per user is in flight: rings for a user whose
    ring is still being published fold into one more ring sent when it lands. That ring goes
    out after every one of the folded events was stored, so the relay's read still finds them
    (docs/decisions/022)."""

    def __init__(self, client: PublisherClient, project_id: str, topic: str) -> None:
        self._client = client
        self._topic = client.topic_path(project_id, topic)
        self._lock = threading.Lock()
        # user id -> the latest event id rung while that user's ring is in flight (or None)
        self._in_flight: dict[str, str | None] = {}
        self.published = 0
        self.folded = 0

    def ring(self, user_id: str, position: Position) -> None:
        with self._lock:
            if user_id in self._in_flight:
                self._in_flight[user_id] = position.event_id
                self.folded += 1
                return
            self._in_flight[user_id] = None
        self._publish(user_id, position.event_id)

    def _publish(self, user_id: str, event_id: str) -> None:
        body = json.dumps({"user_id": user_id, "event_id": event_id}).encode()
        try:
            future = self._client.publish(self._topic, body, user_id=user_id)
        except Exception:  # a lost ring only delays delivery until the relay polls
            logger.warning("doorbell ring failed", exc_info=True)
            self._landed(user_id, None)
            return
        self.published += 1
        future.add_done_callback(lambda done: self._landed(user_id, done))

    def _landed(self, user_id: str, future: Any) -> None:
        if future is not None and future.exception() is not None:
            logger.warning("doorbell ring failed", extra={"error": repr(future.exception())})
        with self._lock:
            pending = self._in_flight.pop(user_id, None)
            if pending is not None:
                self._in_flight[user_id] = None
        if pending is not None:
            self._publish(user_id, pending)


class PubSubDoorbellListener:
    """One subscription per relay instance, created on start and deleted on stop. Rings arrive
    on the client's own threads and are handed to the event loop.

    If the pull ends with an error (the subscription or its topic is gone: deleted, expired, or
    a restarted emulator), the listener re-creates the subscription in the background, backing
    off from ``RESUBSCRIBE_MIN_SECONDS`` to ``RESUBSCRIBE_MAX_SECONDS``; the feeds poll
    meanwhile. The same happens when the first subscription cannot be made at start."""

    def __init__(self, subscriber: SubscriberClient, project_id: str, topic: str) -> None:
        self._subscriber = subscriber
        self._topic = f"projects/{project_id}/topics/{topic}"
        name = f"{SUBSCRIPTION_PREFIX}{socket.gethostname()[:20]}-{uuid.uuid4().hex[:10]}".lower()
        safe = "".join(c if c.isalnum() or c == "-" else "-" for c in name)
        self.subscription = subscriber.subscription_path(project_id, safe)
        self.resubscriptions = 0
        self._future: Any = None
        self._received: Callable[[Any], None] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self, on_ring: Callable[[str], None]) -> None:
        loop = asyncio.get_running_loop()

        def received(message: Any) -> None:
            message.ack()
            user_id = message.attributes.get("user_id")
            if user_id:
                loop.call_soon_threadsafe(on_ring, user_id)

        self._received = received
        try:
            self._subscribe()
        except Exception:
            logger.warning("doorbell unavailable; retrying, relying on polling", exc_info=True)
            self._resubscribe_in_background()

    def _subscribe(self) -> None:
        from google.api_core import exceptions as gexc
        from google.cloud import pubsub_v1
        from google.protobuf import duration_pb2

        with contextlib.suppress(gexc.AlreadyExists):
            self._subscriber.create_subscription(
                request={
                    "name": self.subscription,
                    "topic": self._topic,
                    "ack_deadline_seconds": 10,
                    "message_retention_duration": duration_pb2.Duration(seconds=RETENTION_SECONDS),
                    "expiration_policy": {
                        "ttl": duration_pb2.Duration(seconds=SUBSCRIPTION_EXPIRY_SECONDS)
                    },
                },
                retry=_admin_retry(),
                timeout=ADMIN_DEADLINE_SECONDS,
            )
        future = self._subscriber.subscribe(
            self.subscription,
            self._received,
            flow_control=pubsub_v1.types.FlowControl(max_messages=1000),
        )
        with self._lock:
            if not self._stopping.is_set():
                self._future = future
                future.add_done_callback(self._pull_ended)
                return
        future.cancel()  # stop() ran meanwhile: leave nothing behind
        self._delete_subscription()

    def _pull_ended(self, future: Any) -> None:
        if self._stopping.is_set() or future.cancelled():
            return
        logger.warning(
            "doorbell pull ended; re-creating the subscription, relying on polling meanwhile",
            extra={"subscription": self.subscription, "error": repr(future.exception())},
        )
        self._resubscribe_in_background()

    def _resubscribe_in_background(self) -> None:
        threading.Thread(target=self._resubscribe, name="doorbell-resubscribe", daemon=True).start()

    def _resubscribe(self) -> None:
        delay = RESUBSCRIBE_MIN_SECONDS
        while not self._stopping.wait(delay):
            try:
                self._subscribe()
            except Exception as exc:
                logger.info("doorbell subscription not re-created yet", extra={"error": repr(exc)})
                delay = min(delay * 2, RESUBSCRIBE_MAX_SECONDS)
                continue
            self.resubscriptions += 1
            logger.info(
                "doorbell subscription re-created", extra={"subscription": self.subscription}
            )
            return

    def stop(self) -> None:
        """Bounded (about 2 s at most, Pub/Sub reachable or not): the pull is cancelled and the
        subscription deleted, best effort."""
        with self._lock:
            self._stopping.set()
            future = self._future
        if future is not None:
            future.cancel()
            with contextlib.suppress(Exception):
                future.result(timeout=PULL_STOP_SECONDS)
        self._delete_subscription()

    def _delete_subscription(self) -> None:
        with contextlib.suppress(Exception):
            self._subscriber.delete_subscription(
                request={"subscription": self.subscription},
                retry=_admin_retry(),
                timeout=ADMIN_DEADLINE_SECONDS,
            )
