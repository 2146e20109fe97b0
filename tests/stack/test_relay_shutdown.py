"""The relay finishes within 8 s of SIGTERM (Cloud Run sends SIGKILL 10 s after it) with
Pub/Sub up, gone and frozen (issue #14): its open streams are told ``server_shutting_down``
and its doorbell subscription is deleted, best effort, with a short deadline.

The relay reaches Pub/Sub through a proxy of the test's own, so the emulator the rest of the
suite shares is never touched.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import cast

import pytest
from google.cloud import pubsub_v1

from infra.local.stack import LocalStack
from tests.stack.tcp_proxy import Mode, TcpProxy
from tests.support.relays import Relay

STREAM_PATH = "/api/v2/processing/events/stream"
STREAMS = 5
SHUTDOWN_LIMIT_SECONDS = 8.0


@pytest.fixture
def pubsub_proxy(stack: LocalStack) -> Iterator[TcpProxy]:
    assert stack.emulators is not None
    proxy = TcpProxy("127.0.0.1", stack.emulators.pubsub_port).start()
    try:
        yield proxy
    finally:
        proxy.close()


def open_stream(url: str, key: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(
        f"GET {STREAM_PATH} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    head = b""
    while b"retry:" not in head:
        chunk = sock.recv(4096)
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return sock


def read_to_end(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def relay_subscriptions(project_id: str) -> set[str]:
    with pubsub_v1.SubscriberClient() as subscriber:
        project = f"projects/{project_id}"
        names = {s.name for s in subscriber.list_subscriptions(request={"project": project})}
    return {n for n in names if n.rsplit("/", 1)[-1].startswith("relay-")}


@pytest.mark.parametrize("pubsub", ["up", "gone", "frozen", "gone-before-start"])
def test_relay_stops_within_8s_of_sigterm(  # type: ignore[no-untyped-def]
    pubsub: str,
    stack: LocalStack,
    new_key,
    relay_factory: Callable[..., Relay],
    pubsub_proxy: TcpProxy,
) -> None:
    project_id = stack.env["GOOGLE_CLOUD_PROJECT"]
    before = relay_subscriptions(project_id)
    if pubsub == "gone-before-start":
        pubsub_proxy.set_mode("gone")
    starting = time.monotonic()
    relay = relay_factory(PUBSUB_EMULATOR_HOST=f"127.0.0.1:{pubsub_proxy.port}")
    started_in = time.monotonic() - starting
    assert relay.process is not None and relay.process.popen is not None
    ours = relay_subscriptions(project_id) - before
    assert len(ours) == (0 if pubsub == "gone-before-start" else 1), ours
    key = new_key(f"user-{uuid.uuid4().hex[:10]}", "read")
    streams = [open_stream(relay.url, key) for _ in range(STREAMS)]
    if pubsub in ("gone", "frozen"):
        pubsub_proxy.set_mode(cast(Mode, pubsub))
    time.sleep(2.0)  # the relay's streaming pull (or its re-subscription) meets the outage

    sent = time.monotonic()
    os.kill(relay.process.popen.pid, signal.SIGTERM)
    endings = [read_to_end(s) for s in streams]
    streams_ended = time.monotonic() - sent
    relay.process.popen.wait(timeout=30)
    exited = time.monotonic() - sent
    for sock in streams:
        sock.close()

    print(
        f"Pub/Sub {pubsub}: relay started in {started_in:.1f}s; after SIGTERM streams ended "
        f"in {streams_ended:.2f}s, relay exited in {exited:.2f}s"
    )
    assert all(b"server_shutting_down" in e for e in endings), endings[0][-300:]
    assert exited < SHUTDOWN_LIMIT_SECONDS, f"the relay took {exited:.1f}s to exit"
    if pubsub == "up":
        assert not ours & relay_subscriptions(project_id), "the subscription was not deleted"
