"""The Pub/Sub emulator is killed (SIGKILL) and started again on its port while a publisher
keeps publishing processing events and a user's stream is open through the gateway.

What is guaranteed, and asserted:
- the open stream keeps delivering: no reconnect, no ``processing.stream_error`` (the relay
  reads the event log, which the outage does not touch);
- every event of the user that reached the event log is on the stream exactly once, in
  ``event_id`` order, and nothing of the other user is;
- every event published before the checkpoint (delivered before the kill) and every event
  whose successful publish call *started* after the restart (re-provisioned topics and
  subscriptions, ``LocalStack.restart_pubsub``) is in the log;
- the relay's doorbell comes back: a second relay that never polls the log (it learns of new
  events only from its doorbell subscription) delivers the events published after the restart.

What is not: a message the emulator had accepted (the publish returned its message id) but
not yet pushed when it was SIGKILLed is gone with its memory, and so is one it accepted after
its restart but before the push subscription was re-created. Production Pub/Sub is durable
and its subscriptions are Terraform-managed, so neither happens there. Those messages form the
"in flight" and "straddling" classes below: the test asserts each of them at most once (they
are in the log or not at all) and reports how many were lost (docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from infra.local.stack import LocalStack
from shared.adapters.pubsub_client import publisher_client
from shared.adapters.pubsub_events import PubSubEventPublisher
from shared.bootstrap import Container
from shared.clients.event_stream import EventStreamClient
from shared.config import Settings
from shared.domain.event_log import EventQuery, Position
from tests.support.relays import Follower, Relay, new_event, payload_key

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
BEFORE_KILL = 40  # events published before the checkpoint
AFTER_RESTART = 40  # at least this many of the user's publishes start after the restart
WAIT = 120.0


@dataclass
class Published:
    """Each successful publish by class (under ``lock``). The phase moves "before" ->
    "in_flight" (checkpoint) -> "restarting" (the kill) -> "after" (re-provisioned)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    phase: str = "before"
    # settled: returned before the checkpoint (and delivered before the kill);
    # in_flight: returned between the checkpoint and the kill (the emulator may lose them);
    # straddling: returned after the kill, started before the re-provisioning ended (likewise);
    # after: started after the re-provisioning (must all be delivered).
    classes: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    longest_call: float = 0.0  # seconds, the slowest publish call that returned
    first_success_after: float | None = None

    def record(self, user: str, key: int, started_in: str) -> None:
        with self.lock:
            if started_in == "after":
                which = "after"
                if self.first_success_after is None:
                    self.first_success_after = time.monotonic()
            else:
                which = {"before": "settled", "in_flight": "in_flight"}.get(
                    self.phase, "straddling"
                )
            self.classes.setdefault(which, {}).setdefault(user, []).append(key)

    def keys(self, which: str, user: str) -> list[int]:
        with self.lock:
            return list(self.classes.get(which, {}).get(user, []))


def publish_continuously(
    publisher: PubSubEventPublisher, users: list[str], out: Published, stop: threading.Event
) -> None:
    """The pipeline's publisher: one event at a time, each retried with the same event key
    until a publish returns (as a retried job republishes the same keys)."""
    i = 0
    while not stop.is_set():
        user = users[i % len(users)]
        event = new_event(user, f"k{i}", run_id="run-restart", payload={"key": i})
        while not stop.is_set():
            started_in, started_at = out.phase, time.monotonic()
            try:
                publisher.publish(event)
            except Exception as exc:  # the outage: unavailable, timed out, topic not found
                out.failures.append(type(exc).__name__)
                time.sleep(0.2)
                continue
            out.longest_call = max(out.longest_call, time.monotonic() - started_at)
            out.record(user, i, started_in)
            break
        i += 1
        time.sleep(0.02)


def keys_of(follower: Follower) -> list[int]:
    return [payload_key(e) for e in follower.received]


def delivered(follower: Follower, keys: list[int]) -> Callable[[], bool]:
    return lambda: set(keys) <= set(keys_of(follower))


def wait_until(condition: Callable[[], bool], what: str, followers: list[Follower]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        for follower in followers:
            assert follower.failure is None, follower.failure
        counts = [len(f.received) for f in followers]
        assert time.monotonic() < deadline, f"gave up waiting for {what} (received {counts})"
        time.sleep(0.2)


def logged_keys(user: str) -> list[int]:
    """The user's events as the event log holds them (the source of truth), in order."""

    async def read() -> list[int]:
        reader = Container(Settings()).event_reader
        events = await reader.read(EventQuery(user, Position(0), 10_000))
        return [e.payload["key"] for e in events]

    return asyncio.run(read())


def test_the_stream_resumes_across_a_pubsub_restart(  # type: ignore[no-untyped-def]
    stack: LocalStack, new_key, relay_factory: Callable[..., Relay]
) -> None:
    alice, bob = (f"user-{uuid.uuid4().hex[:10]}" for _ in range(2))
    key = new_key(alice, "read")
    # Through the gateway to the stack's relay (doorbell + a poll every 5 s).
    gateway = Follower(EventStreamClient(stack.base_url, key, read_timeout=30))
    # A relay that never polls: only its doorbell subscription tells it of new events.
    bell_only = relay_factory(VV_STREAM_POLL_SECONDS="3600")
    doorbell = Follower(EventStreamClient(bell_only.url, key, read_timeout=30))
    followers = [gateway, doorbell]
    for follower in followers:
        follower.thread.start()
    time.sleep(2.0)  # both streams open ("from now") before the first publish

    settings = Settings()
    client = publisher_client()
    publisher = PubSubEventPublisher(client, settings.project_id, settings.events_topic)
    out = Published()
    stop = threading.Event()
    thread = threading.Thread(
        target=publish_continuously, args=(publisher, [alice, bob], out, stop), daemon=True
    )
    thread.start()
    try:
        wait_until(lambda: len(out.keys("settled", alice)) >= BEFORE_KILL, "publishes", followers)
        # Checkpoint: what was published so far must be delivered before the kill.
        with out.lock:
            out.phase = "in_flight"
        settled = out.keys("settled", alice)
        for follower in followers:
            wait_until(
                delivered(follower, settled),
                "the streams to deliver the events published before the checkpoint",
                followers,
            )
        out.phase = "restarting"
        killed_at = time.monotonic()
        stack.restart_pubsub()
        restarted_at = time.monotonic()
        out.phase = "after"
        # Keep publishing until the bell-only relay has delivered an event published after
        # the restart: its doorbell subscription is back, so every later event rings it.
        wait_until(
            lambda: (
                len(out.keys("after", alice)) >= AFTER_RESTART
                and bool(set(out.keys("after", alice)) & set(keys_of(doorbell)))
            ),
            "the doorbell to deliver events published after the restart",
            followers,
        )
    finally:
        stop.set()
        thread.join(timeout=60)
        client.stop()
    assert not thread.is_alive()

    after = out.keys("after", alice)
    for name, follower in (("gateway", gateway), ("doorbell", doorbell)):
        wait_until(
            delivered(follower, after),
            f"the {name} stream to deliver the events published after the restart",
            followers,
        )
    time.sleep(3.0)  # anything extra (a duplicate) would arrive within settle + poll
    for follower in followers:
        follower.client.close()

    log = logged_keys(alice)
    uncertain = out.keys("in_flight", alice) + out.keys("straddling", alice)
    assert len(log) == len(set(log))  # each event stored once, redelivered or not
    assert set(log) <= set(settled) | set(uncertain) | set(after)  # nothing unknown
    assert set(settled) | set(after) <= set(log), "a guaranteed event was lost"
    for name, follower in (("gateway", gateway), ("doorbell", doorbell)):
        got = follower.received
        ids = [e.event_id for e in got]
        assert keys_of(follower) == log, name  # exactly the log: once each, in its order
        assert ids == sorted(ids) and len(set(ids)) == len(ids), name
        assert {e.data["user_id"] for e in got} == {alice}, name  # nothing of Bob's
    # The open connection kept delivering; it was never ended nor reconnected.
    assert gateway.client.reconnects == 0 and gateway.client.stream_errors == []
    assert set(out.keys("after", bob)) <= set(logged_keys(bob))

    def lost(which: str) -> list[int]:
        return sorted(set(out.keys(which, alice)) - set(log))

    assert out.first_success_after is not None
    print(
        f"\nPub/Sub restart: emulator down and re-provisioned in {restarted_at - killed_at:.1f}s;"
        f" first publish after it returned {out.first_success_after - restarted_at:.1f}s later;"
        f" {len(out.failures)} failed publish calls ({sorted(set(out.failures))}),"
        f" the slowest that returned took {out.longest_call:.1f}s; Alice:"
        f" {len(settled)} settled, {len(out.keys('in_flight', alice))} in flight at the kill"
        f" (lost by the emulator: {lost('in_flight')}),"
        f" {len(out.keys('straddling', alice))} straddling (lost: {lost('straddling')}),"
        f" {len(after)} after; {len(log)} in the log, delivered once each on both streams,"
        " 0 reconnects"
    )
