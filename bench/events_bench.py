"""The processing event stream beside nchan, with one subscriber harness, in one run.

    apt-get install -y nginx libnginx-mod-nchan      # the anchor (not a project requirement)
    .venv/bin/python -m bench.events_bench --subscribers 100,1000 --rate 50 --duration 20

For each server and each subscriber count: connect the subscribers (raw asyncio sockets in
``--readers`` processes, the same code for both; bench/stream_readers.py), publish ``rate``
events per second for ``duration`` seconds, and report deliveries per second,
publish-to-client latency p50/p99 (from the first 50 subscribers) and server memory per
connection (RSS growth while the subscribers connect, divided by their number). The relay is
measured end to end: push requests → ingest function → Firestore → settle → relay, all on the
local stack's emulators; the pushes are sent many at a time as production's push sends them
(``--feed emulator``: through the Pub/Sub emulator's push instead, which sends at most 2 at a
time and so caps the stored rate near 100/s). Loopback only, bounded in time; stops
everything it started.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.process_stats import children, cpu_seconds, percentile, rss_kib
from bench.push_feed import push_all
from bench.stream_readers import StreamReaders
from infra.local.processes import free_port
from infra.local.stack import LocalStack
from shared.adapters.pubsub_events import event_message
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.events import EventType, OutgoingEvent
from shared.services.api_keys import create_api_key

NCHAN_CONF = Path(__file__).resolve().parent / "nchan" / "nginx.conf"
NCHAN_PORT = 8090
STREAM = "/api/v2/processing/events/stream"


@dataclass
class Server:
    name: str
    port: int
    pids: Callable[[], list[int]]
    request: Callable[[], bytes]
    publish_all: Callable[[int, float], None]  # (events, per second): returns when all sent
    new_case: Callable[[], None]
    # The relay's own stored-to-handed-out lags (ms) logged since the case began: its side of
    # stored-to-client, without the subscriber harness's receive backlog.
    handout_lags: Callable[[float], list[float]] = lambda since: []


def run_case(server: Server, subscribers: int, rate: float, duration: float, readers: int) -> dict:
    server.new_case()
    before = rss_kib(server.pids())
    total = int(rate * duration)
    requests = [server.request() for _ in range(subscribers)]
    streams = StreamReaders(server.port, requests, total, readers)
    streams.wait_connected()
    time.sleep(1.0)
    per_connection = (rss_kib(server.pids()) - before) / subscribers
    cpu_before = cpu_seconds(server.pids())
    first_publish = time.time()
    server.publish_all(total, rate)
    figures = streams.finish(deadline=time.monotonic() + 60)
    cpu = cpu_seconds(server.pids()) - cpu_before
    handout = server.handout_lags(first_publish)
    delivered = figures["delivered"]
    last = figures["last"] or first_publish
    latencies, after_commit = figures["latencies"], figures["after_commit"]
    return {
        "server": server.name,
        "subscribers": subscribers,
        "published": total,
        "delivered": delivered,
        "lost": subscribers * total - delivered,
        "deliveries_per_s": round(delivered / max(last - first_publish, 1e-9)),
        "latency_p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "memory_per_connection_kib": round(per_connection, 1),
        # The server's own CPU (user + system) per delivered event while publishing.
        "server_cpu_us_per_delivery": round(cpu * 1e6 / max(delivered, 1), 1),
        "store_to_client_p50_ms": round(percentile(after_commit, 0.5) * 1000, 1),
        "store_to_client_p99_ms": round(percentile(after_commit, 0.99) * 1000, 1),
        "relay_handout_p50_p99_ms": [
            round(percentile(handout, 0.5), 1),
            round(percentile(handout, 0.99), 1),
        ],
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def paced(publish: Callable[[int, float], None]) -> Callable[[int, float], None]:
    """``publish_all`` from a publish of one event: ``total`` of them at ``rate``."""

    def publish_all(total: int, rate: float) -> None:
        began = time.monotonic()
        for seq in range(total):
            time.sleep(max(0.0, began + seq / rate - time.monotonic()))
            publish(seq, time.time())

    return publish_all


def start_nchan(folder: Path) -> tuple[subprocess.Popen[bytes], Server]:
    if shutil.which("nginx") is None:
        raise SystemExit("nginx is missing: apt-get install -y nginx libnginx-mod-nchan")
    (folder / "logs").mkdir(parents=True)
    (folder / "tmp").mkdir()
    shutil.copy(NCHAN_CONF, folder / "nginx.conf")
    master = subprocess.Popen(
        ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
    )
    time.sleep(1.0)
    http = httpx.Client(
        base_url=f"http://127.0.0.1:{NCHAN_PORT}",
        timeout=10,
        limits=httpx.Limits(max_keepalive_connections=0),  # a new connection per publish
    )
    channel = {"name": ""}

    def new_case() -> None:
        channel["name"] = "bench" + uuid.uuid4().hex[:8]

    def publish(seq: int, sent: float) -> None:
        body = json.dumps({"seq": seq, "t": sent}, separators=(",", ":"))
        for attempt in range(5):  # nginx closes a keep-alive connection after 1,000 requests
            try:
                http.post(f"/pub/{channel['name']}", content=body).raise_for_status()
                return
            except httpx.TransportError:
                time.sleep(0.05 * (attempt + 1))
        raise RuntimeError(f"nchan refused publish {seq}")

    def request() -> bytes:
        return (
            f"GET /sub/{channel['name']} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()

    pids = lambda: [master.pid, *children(master.pid)]  # noqa: E731
    return master, Server("nchan", NCHAN_PORT, pids, request, paced(publish), new_case)


def start_relay(folder: Path, feed: str) -> tuple[LocalStack, Server]:
    # One user holds every subscriber of a case: the per-key and per-user stream caps (a
    # tenant's budget, 10 and 25) would refuse all but the first few.
    caps_off = {"VV_STREAMS_PER_KEY": "0", "VV_STREAMS_PER_USER": "0"}
    stack = LocalStack(state_dir=folder, gateway_port=free_port(), extra_env=caps_off)
    stack.start(demo=False)
    cloud = Container(Settings())
    user = {"id": "", "key": ""}
    relay = next(p for p in stack.processes if p.name == "events_relay")
    assert relay.popen is not None
    port = int(stack.function_urls["events_relay"].rsplit(":", 1)[1])
    topic = cloud.publisher.topic_path(cloud.settings.project_id, cloud.settings.events_topic)

    def new_case() -> None:
        user["id"] = "bench-" + uuid.uuid4().hex[:8]
        user["key"] = create_api_key(cloud.api_keys, user["id"], ["read"])

    def publish(seq: int, sent: float) -> None:
        event = OutgoingEvent(
            EventType.PROMPT_RUN_PROGRESS,
            user["id"],
            f"bench-{seq}",
            datetime.now(UTC),
            run_id="run-bench",
            payload={"seq": seq, "t": sent},
        )
        cloud.publisher.publish(topic, event_message(event))  # accepted asynchronously

    def push_all_directly(total: int, rate: float) -> None:
        """Push requests to the ingest function as production's push sends them (many at a
        time); each event's ``t`` is the moment it is due, so a late push counts as latency."""
        began = time.time() + 3.0  # the pushing processes start meanwhile
        messages = [
            event_message(
                OutgoingEvent(
                    EventType.PROMPT_RUN_PROGRESS,
                    user["id"],
                    f"bench-{seq}",
                    datetime.now(UTC),
                    run_id="run-bench",
                    payload={"seq": seq, "t": began + seq / rate},
                )
            )
            for seq in range(total)
        ]
        subscription = f"projects/{cloud.settings.project_id}/subscriptions/events-bench"
        ingest = stack.function_urls["events_ingest"] + "/"
        push_all(ingest, subscription, messages, rate, processes=2, concurrency=64, began=began)

    def request() -> bytes:
        return (
            f"GET {STREAM} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"X-API-Key: {user['key']}\r\n\r\n"
        ).encode()

    pid = relay.popen.pid
    log = folder / "logs" / "events_relay.log"

    def handout_lags(since: float) -> list[float]:
        lags = []
        for line in log.read_text(errors="replace").splitlines():
            if '"delivery_lag_ms"' in line:
                entry = json.loads(line)
                moment = datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
                if moment.timestamp() >= since:
                    lags.append(float(entry["delivery_lag_ms"]))
        return lags

    publish_all = push_all_directly if feed == "direct" else paced(publish)
    return stack, Server("relay", port, lambda: [pid], request, publish_all, new_case, handout_lags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", default="100,1000")
    parser.add_argument("--rate", type=float, default=50.0, help="publishes per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of publishing")
    parser.add_argument("--servers", default="nchan,relay")
    parser.add_argument("--readers", type=int, default=4, help="subscriber harness processes")
    parser.add_argument(
        "--feed",
        default="direct",
        choices=["direct", "emulator"],
        help="relay: events pushed to the ingest function concurrently, as production's push "
        "does (direct), or through the Pub/Sub emulator's push (at most 2 at a time)",
    )
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = [int(n) for n in args.subscribers.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="events-bench-") as scratch:
        for name in args.servers.split(","):
            folder = Path(scratch) / name
            if name == "nchan":
                master, server = start_nchan(folder)
                stop: Callable[[], None] = master.terminate
            else:
                stack, server = start_relay(folder, args.feed)
                stop = stack.stop
            try:
                for n in counts:
                    result = run_case(server, n, args.rate, args.duration, args.readers)
                    print(json.dumps(result), flush=True)
                    results.append(result)
            finally:
                stop()
    columns = (
        "server", "subscribers", "published", "lost", "deliveries_per_s", "latency_p50_ms",
        "latency_p99_ms", "store_to_client_p50_ms", "store_to_client_p99_ms",
        "relay_handout_p50_p99_ms", "memory_per_connection_kib", "server_cpu_us_per_delivery",
        "load_average",
    )  # fmt: skip
    print("\n| server | subscribers | published | lost | deliveries/s | p50 ms | p99 ms ", end="")
    print("| stored→client p50 ms | p99 ms | relay hand-out p50/p99 ms | KiB/conn ", end="")
    print("| CPU µs/delivery | load |")
    print("|---" * len(columns) + "|")
    for r in results:
        print("| " + " | ".join(str(r[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
