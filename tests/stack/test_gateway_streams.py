"""The local gateway holds 1,000 event streams while every other endpoint keeps answering
(issue #14): streams have a connection pool of their own."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from infra.local.processes import ManagedProcess, held_socket
from infra.local.stack import LocalStack, gateway_process
from tests.support.relays import Relay

STREAM_PATH = "/api/v2/processing/events/stream"
STREAMS = 1000
USERS = 20  # one feed per user in the relay
OPENING = 100  # streams being opened at once
OTHER_REQUESTS = 50


@pytest.fixture
def gateway(stack: LocalStack, relay_factory: Callable[..., Relay], tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A gateway of its own in front of the stack's functions and a relay of its own,
    without per-key or per-user stream caps (issue #13's budgets; 0 turns them off)."""
    relay = relay_factory(
        VV_STREAMS_PER_KEY="0", VV_STREAMS_PER_USER="0", VV_STREAM_POLL_SECONDS="60"
    )
    sock = held_socket(0)
    port = sock.getsockname()[1]
    upstreams = {**stack.function_urls, "events_relay": relay.url}
    process: ManagedProcess = gateway_process(port, upstreams, stack.env, tmp_path, sock=sock)
    try:
        process.start()
        sock.close()
        process.wait_ready(timeout=60)
        yield f"127.0.0.1:{port}"
    finally:
        sock.close()
        process.stop()


async def open_stream(address: str, key: str) -> asyncio.StreamWriter:
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"GET {STREAM_PATH} HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {key}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
    assert head.startswith(b"HTTP/1.1 200"), head[:300]
    opening = await asyncio.wait_for(reader.readuntil(b"\n\n"), 60)
    assert b"retry:" in opening, opening[:300]
    return writer


async def hold_streams_and_ask(address: str, keys: list[str], marker_key: str) -> dict[str, float]:
    gate = asyncio.Semaphore(OPENING)

    async def one(i: int) -> asyncio.StreamWriter:
        async with gate:
            return await open_stream(address, keys[i % len(keys)])

    started = time.monotonic()
    writers = await asyncio.gather(*(one(i) for i in range(STREAMS)))
    opened_in = time.monotonic() - started
    try:
        async with httpx.AsyncClient(base_url=f"http://{address}", timeout=10) as http:
            asked = time.monotonic()
            replies = await asyncio.gather(
                *(
                    http.get("/api/v2/markers", headers={"X-API-Key": marker_key})
                    for _ in range(OTHER_REQUESTS)
                )
            )
            answered_in = time.monotonic() - asked
            assert [r.status_code for r in replies] == [200] * OTHER_REQUESTS
            # And one more stream still opens.
            extra = await open_stream(address, keys[0])
            extra.close()
    finally:
        for writer in writers:
            writer.close()
    return {"opened_s": opened_in, "other_requests_s": answered_in}


def test_a_thousand_streams_leave_other_requests_answering(gateway: str, new_key) -> None:  # type: ignore[no-untyped-def]
    keys = [new_key(f"user-{uuid.uuid4().hex[:10]}", "read") for _ in range(USERS)]
    marker_key = new_key(f"user-{uuid.uuid4().hex[:10]}", "write")
    figures = asyncio.run(hold_streams_and_ask(gateway, keys, marker_key))
    print(
        f"{STREAMS} streams opened in {figures['opened_s']:.1f}s; "
        f"{OTHER_REQUESTS} GET /markers answered 200 in {figures['other_requests_s']:.2f}s"
    )
    # Closed streams give their connections back: the gateway still answers.
    with httpx.Client(base_url=f"http://{gateway}", timeout=10) as http:
        reply = http.get("/api/v2/markers", headers={"X-API-Key": marker_key})
        assert reply.status_code == 200
