"""THE guarantee: every matching event exactly once, in event_id order, for the right user
only, while publishers race, Pub/Sub redelivers and the relay is killed and restarted."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.bootstrap import Container
from shared.clients.event_stream import EventStreamClient
from shared.domain.events import EventType, OutgoingEvent
from tests.support.relays import (
    Follower,
    Relay,
    new_event,
    payload_key,
    publish_all,
)

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]
TOTAL = 5_000
PUBLISHERS = 4
EVERY_NTH_DUPLICATED = 20
ALICE_VIDEOS = ["v0", "v1", "v2"]  # Alice follows 3 of her 4 videos
TYPES = [EventType.PROMPT_RUN_PROGRESS, EventType.SEGMENT_PROCESSING_COMPLETED]


def restart_twice(relay: Relay, alice: Follower, after: tuple[int, int]) -> None:
    for threshold, sig in zip(after, (signal.SIGKILL, signal.SIGTERM), strict=True):
        alice.wait_for(threshold, timeout=300)
        relay.kill(sig)
        time.sleep(1.0)
        relay.start()


def test_every_event_exactly_once_in_order_across_restarts_and_redelivery(  # type: ignore[no-untyped-def]
    cloud: Container, new_key, relay_factory: Callable[..., Relay]
) -> None:
    relay = relay_factory()
    alice, bob = (f"user-{uuid.uuid4().hex[:10]}" for _ in range(2))
    events: list[OutgoingEvent] = [
        new_event(
            alice if i % 2 == 0 else bob,
            f"k{i}",
            event_type=TYPES[i % 3 % 2],
            run_id=f"run-{i % 5}",
            video_id=f"v{(i // 2) % 4}",
            payload={"key": i},
        )
        for i in range(TOTAL)
    ]
    expected_alice = [
        i for i, e in enumerate(events) if e.user_id == alice and e.video_id in ALICE_VIDEOS
    ]
    expected_bob = [i for i, e in enumerate(events) if e.user_id == bob]

    def client(user: str, **filters: object) -> EventStreamClient:
        return EventStreamClient(
            relay.url, new_key(user, "read"), read_timeout=30, max_reconnect_delay=1.0, **filters
        )  # type: ignore[arg-type]

    followers = {
        "alice": Follower(client(alice, video_ids=ALICE_VIDEOS)),
        "bob": Follower(client(bob)),
    }
    for follower in followers.values():
        follower.thread.start()
    time.sleep(2.0)  # both streams open ("from now") before the first publish

    # Redelivery: every 20th event is published a second time (same event_key, new message).
    duplicates = events[::EVERY_NTH_DUPLICATED]
    messages = events + duplicates
    slices = [messages[p::PUBLISHERS] for p in range(PUBLISHERS)]
    restarts = threading.Thread(
        target=restart_twice,
        args=(relay, followers["alice"], (len(expected_alice) // 5, len(expected_alice) // 2)),
        daemon=True,
    )
    restarts.start()
    started = time.monotonic()
    with ThreadPoolExecutor(PUBLISHERS) as pool:
        for done in pool.map(lambda chunk: publish_all(cloud, chunk), slices):
            assert done is None
    restarts.join(timeout=300)
    assert not restarts.is_alive() and relay.starts == 3

    followers["alice"].wait_for(len(expected_alice), timeout=300)
    followers["bob"].wait_for(len(expected_bob), timeout=300)
    time.sleep(3.0)  # anything extra (a duplicate) would arrive within settle + poll
    elapsed = time.monotonic() - started
    for follower in followers.values():
        follower.client.close()

    for name, expected, user in (
        ("alice", expected_alice, alice),
        ("bob", expected_bob, bob),
    ):
        got = followers[name].received
        ids = [e.event_id for e in got]
        assert followers[name].failure is None
        assert sorted(payload_key(e) for e in got) == expected, name  # each exactly once
        assert ids == sorted(ids) and len(set(ids)) == len(ids), name  # in event_id order
        assert {e.data["user_id"] for e in got} == {user}, name  # nobody else's
        assert followers[name].client.reconnects >= 2, name
    print(f"\n{TOTAL} events (+{len(duplicates)} duplicates) delivered in {elapsed:.1f}s")
