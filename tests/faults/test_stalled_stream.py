"""A client that stops reading its stream, end to end: client → gateway → relay.

The stalled client keeps its socket open and reads nothing while big events are published
through the ``processing-events`` topic. Its socket buffers, the gateway's and the relay's
fill; then the relay's bounded per-stream buffer (``VV_STREAM_BUFFER_EVENTS``, small here so
the test stays short) fills, and the feed lets go of that stream instead of queueing without
bound. Meanwhile a second client of the same user, on the same relay and the same feed, keeps
receiving everything. When the stalled client reads again it gets what the buffers held, then
``processing.stream_error`` ``slow_consumer`` with a resumable ``last_event_id``; reconnecting
from it yields the rest: every event exactly once, in order.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from infra.local.processes import ManagedProcess, free_port
from infra.local.stack import LocalStack, gateway_process
from shared.bootstrap import Container
from shared.clients.event_stream import EventStreamClient
from shared.clients.sse import SseFrame, parse_frames
from shared.domain.events import STREAM_ERROR_EVENT, STREAM_PATH
from tests.support.relays import Follower, Relay, new_event, payload_key, publish_all

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
# The relay's per-stream buffer (production: 1,000). Events are published a batch at a time,
# the next once the healthy client has the last, so a stream that reads never has more than a
# batch waiting: only the stalled one can overflow, however slow the machine.
BUFFER_EVENTS = 50
BATCH = BUFFER_EVENTS
PAD = "x" * 60_000  # per event, under the 64 KiB payload limit: fewer events fill the sockets
MAX_EVENTS = 1_500  # ~90 MB: a relay that has not let go by then is buffering without bound
LET_GO = "stream let go: its client reads too slowly"  # the relay's log line
WAIT = 120.0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def wait_until(condition: Callable[[], bool], what: str, follower: Follower) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert follower.failure is None, follower.failure
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def gateway_to(
    stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Relay], str]]:
    """A gateway of its own in front of a relay started with settings of its own."""
    started: list[ManagedProcess] = []

    def make(relay: Relay) -> str:
        port = free_port()
        process = gateway_process(
            port, {"events_relay": relay.url}, stack.env, tmp_path_factory.mktemp("gateway")
        )
        started.append(process.start())
        process.wait_ready(timeout=60)
        return f"http://127.0.0.1:{port}"

    yield make
    for process in started:
        process.stop()


def test_a_stalled_client_is_let_go_and_loses_nothing(  # type: ignore[no-untyped-def]
    cloud: Container,
    new_key,
    relay_factory: Callable[..., Relay],
    gateway_to: Callable[[Relay], str],
) -> None:
    relay = relay_factory(VV_STREAM_BUFFER_EVENTS=str(BUFFER_EVENTS))
    assert relay.process is not None and relay.process.popen is not None
    base_url = gateway_to(relay)
    alice = f"user-{uuid.uuid4().hex[:10]}"
    key = new_key(alice, "read")
    healthy = Follower(EventStreamClient(base_url, key, read_timeout=30))
    sent: list[int] = []

    def publish_batch() -> None:
        keys = range(len(sent), len(sent) + BATCH)
        publish_all(
            cloud, [new_event(alice, f"k{i}", payload={"key": i, "pad": PAD}) for i in keys]
        )
        sent.extend(keys)
        wait_until(lambda: len(healthy.received) >= len(sent), "the healthy stream", healthy)

    def let_go() -> bool:
        assert relay.process is not None
        return LET_GO in relay.process.log_path.read_text()

    headers = {"X-API-Key": key, "Accept": "text/event-stream"}
    with (
        httpx.Client(base_url=base_url, timeout=httpx.Timeout(10, read=60)) as http,
        http.stream("GET", STREAM_PATH, headers=headers) as stalled,
    ):
        assert stalled.status_code == 200
        frames = parse_frames(stalled.iter_lines())
        opening = next(frames)
        assert opening.id is not None and opening.retry_ms is not None
        # From here the stalled client reads nothing; the healthy one follows as usual.
        healthy.thread.start()
        time.sleep(2.0)  # the healthy stream is open ("from now") before the first publish
        rss_before = rss_kib(relay.process.popen.pid)
        started = time.monotonic()
        while not let_go():
            assert len(sent) < MAX_EVENTS, "the relay never let go of the stalled stream"
            publish_batch()
        until_let_go = len(sent)
        publish_batch()  # after the end: the stalled client gets these only by resuming
        elapsed = time.monotonic() - started
        rss_after = rss_kib(relay.process.popen.pid)
        healthy.client.close()

        # The stalled client reads again: what the buffers held, then the relay's end.
        first: list[SseFrame] = []
        for frame in frames:
            first.append(frame)
            if frame.event == STREAM_ERROR_EVENT:
                break
    stalled_events = [f for f in first if f.data and f.event != STREAM_ERROR_EVENT]
    ends = [json.loads(f.data) for f in first if f.event == STREAM_ERROR_EVENT]
    assert len(ends) == 1, "the stalled stream did not end with one processing.stream_error"
    (end,) = ends
    assert end["code"] == "slow_consumer" and end["retryable"] is True
    assert len(stalled_events) < until_let_go
    if stalled_events:
        assert end["last_event_id"] >= stalled_events[-1].id

    # Reconnecting from the cursor yields the rest.
    rest = EventStreamClient(base_url, key, read_timeout=30, last_event_id=end["last_event_id"])
    resumed = Follower(rest)
    resumed.thread.start()
    missing = len(sent) - len(stalled_events)
    wait_until(lambda: len(resumed.received) >= missing, "the resumed stream", resumed)
    time.sleep(2.0)  # anything extra (a duplicate) would arrive within settle + read interval
    rest.close()

    keys = [json.loads(f.data)["payload"]["key"] for f in stalled_events]
    keys += [payload_key(e) for e in resumed.received]
    ids = [f.id for f in stalled_events] + [e.event_id for e in resumed.received]
    assert sorted(keys) == sent and len(keys) == len(sent)  # every event exactly once
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # type: ignore[type-var]
    assert {e.data["user_id"] for e in resumed.received} == {alice}
    # The other client, on the same relay and the same feed, got everything meanwhile.
    assert sorted(payload_key(e) for e in healthy.received) == sent
    assert [e.event_id for e in healthy.received] == ids
    assert healthy.client.reconnects == 0 and healthy.client.stream_errors == []
    held_mb = sum(len(f.data) for f in stalled_events) / 1e6
    print(
        f"\nStalled client: let go after {until_let_go} events of 60 KB"
        f" ({len(sent)} published in {elapsed:.1f}s); the healthy stream got all {len(sent)};"
        f" the stalled one got {len(stalled_events)} on reading again ({held_mb:.1f} MB held"
        f" by socket buffers and the relay's {BUFFER_EVENTS}-event buffer), then slow_consumer,"
        " then"
        f" {len(resumed.received)} after resuming; relay RSS {rss_before // 1024} ->"
        f" {rss_after // 1024} MiB"
    )
