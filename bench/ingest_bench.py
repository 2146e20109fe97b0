"""Ingest throughput on the local stack: where an event's time goes, and the sustained rate.

    .venv/bin/python -m bench.ingest_bench --rate 500 --duration 60

Two parts, on one private local stack (emulators and every function; one ingest instance):

- ``steps``: each step of storing one event, timed in this process against the stack's
  emulators, sequentially (median and p90 of ``--samples``): validating the pushed message,
  the create, the read-back the ingest did before (decision 022), the doorbell ring that waited
  for Pub/Sub's ack before, and the ring as it is now (no wait).
- ``sustained``: ``rate`` events/s for ``duration`` s pushed to the ingest function as
  production's push sends them, many at a time (``--feed direct``, bench/push_feed.py; 2 % of
  them pushed twice), or published to the ``processing-events`` topic and pushed by the
  Pub/Sub emulator, 2 at a time (``--feed emulator``); then ingest function -> Firestore ->
  doorbell. The stored rate is counted from the ingest function's own log lines, so counting
  costs the store nothing. Then
  one follower resumes the relay's stream from before the first event and must get every
  event exactly once, in order.

Prints the load average beside each figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from google.cloud import pubsub_v1

from bench.process_stats import children, cpu_seconds
from bench.push_feed import push_all
from infra.local.processes import free_port
from infra.local.stack import LocalStack
from shared.adapters.firestore_event_log import COMMITTED_AT
from shared.adapters.pubsub_events import event_message
from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.event_log import Position, record_id_for
from shared.domain.events import EventType, OutgoingEvent
from shared.services.api_keys import create_api_key

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions" / "events_ingest"))
from events_ingest_api.handler import decode_message, parse_event  # noqa: E402

STREAM = "/api/v2/processing/events/stream"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def event_for(user_id: str, seq: int) -> OutgoingEvent:
    return OutgoingEvent(
        EventType.PROMPT_RUN_PROGRESS,
        user_id,
        f"ingest-{seq}",
        datetime.now(UTC),
        run_id="run-bench",
        payload={"seq": seq, "t": time.time()},
    )


def timed(samples: int, step) -> dict[str, float]:  # type: ignore[no-untyped-def]
    took = []
    for i in range(samples):
        began = time.perf_counter()
        step(i)
        took.append((time.perf_counter() - began) * 1000)
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 2),
        "p90_ms": round(took[len(took) * 9 // 10], 2),
    }


def steps(cloud: Container, samples: int) -> dict[str, dict[str, float]]:
    user = "steps-" + uuid.uuid4().hex[:8]
    envelopes = [
        {"message": {"data": base64.b64encode(event_message(event_for(user, i))).decode()}}
        for i in range(samples)
    ]
    events = cloud.event_log._events  # type: ignore[attr-defined]
    publisher = cloud.publisher
    topic = publisher.topic_path(cloud.settings.project_id, cloud.settings.events_doorbell_topic)
    expires = datetime.now(UTC) + timedelta(days=8)
    found: dict[str, dict[str, float]] = {}
    found["validate"] = timed(samples, lambda i: parse_event(decode_message(envelopes[i])[0]))
    found["create (now: position from the write result)"] = timed(
        samples, lambda i: cloud.event_log.append(event_for(user, 10_000 + i), expires)
    )
    found["read-back (before)"] = timed(
        samples,
        lambda i: events.document(record_id_for(user, f"ingest-{10_000 + i}")).get(
            field_paths=[COMMITTED_AT]
        ),
    )
    body = json.dumps({"user_id": user, "event_id": Position(0).event_id}).encode()
    found["doorbell, waiting for the ack (before)"] = timed(
        samples, lambda i: publisher.publish(topic, body, user_id=user).result(timeout=10)
    )
    found["doorbell, no wait (now)"] = timed(
        samples, lambda i: cloud.doorbell.ring(user, Position(i))
    )
    return found


def stored_times(log: Path) -> list[float]:
    """When the ingest function stored each event (the stack is this bench's own)."""
    times = []
    for line in log.read_text(errors="replace").splitlines():
        if '"ingest_outcome": "stored"' in line:
            entry = json.loads(line)
            times.append(datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp())
    return times


def follow(base: str, key: str, cursor: str, total: int, timeout: float) -> Counter[int]:
    """Resume the relay's stream from ``cursor``; the seq of every event received. Event
    ids must increase (the order is the store's, not the publisher's)."""
    seen: Counter[int] = Counter()
    last = ""
    headers = {"X-API-Key": key, "Last-Event-ID": cursor, "Accept": "text/event-stream"}
    deadline = time.monotonic() + timeout
    while sum(seen.values()) < total and time.monotonic() < deadline:
        with httpx.stream("GET", base + STREAM, headers=headers, timeout=30) as response:
            for line in response.iter_lines():
                if line.startswith("id: "):
                    headers["Last-Event-ID"] = line[4:]
                elif line.startswith("data: ") and '"seq"' in line:
                    data = json.loads(line[6:])
                    if data["event_id"] <= last:
                        print(f"out of order: {data['event_id']} after {last}", flush=True)
                    last = data["event_id"]
                    seen[data["payload"]["seq"]] += 1
                if sum(seen.values()) >= total or time.monotonic() > deadline:
                    break
    return seen


def sustained(
    stack: LocalStack,
    cloud: Container,
    rate: float,
    duration: float,
    feed: str,
    pushers: tuple[int, int] = (4, 64),
) -> dict:
    ingest = next(p for p in stack.processes if p.name == "events_ingest")
    assert ingest.popen is not None
    pids = [ingest.popen.pid, *children(ingest.popen.pid)]
    cpu_before = cpu_seconds(pids)
    user = "ingest-" + uuid.uuid4().hex[:8]
    key = create_api_key(cloud.api_keys, user, ["read"])
    # The bench's own publisher batches (10 ms), so publishing is not what limits the rate.
    publisher = pubsub_v1.PublisherClient()
    topic = publisher.topic_path(cloud.settings.project_id, cloud.settings.events_topic)
    total = int(rate * duration)
    cursor = Position(time.time_ns() // 1000 - 1_000_000).event_id
    began = time.monotonic()
    first = time.time()
    failures, push_cpu = 0, 0.0
    if feed == "emulator":
        futures = []
        for seq in range(total):
            time.sleep(max(0.0, began + seq / rate - time.monotonic()))
            futures.append(publisher.publish(topic, event_message(event_for(user, seq))))
        for future in futures:
            future.result(timeout=60)
    else:
        messages = [event_message(event_for(user, seq)) for seq in range(total)]
        url = stack.function_urls["events_ingest"] + "/"
        subscription = f"projects/{cloud.settings.project_id}/subscriptions/ingest-bench"
        first = time.time() + 3.0  # the pushing processes start meanwhile
        failures, push_cpu = push_all(url, subscription, messages, rate, *pushers, began=first)
    published = time.time()
    log = stack.state_dir / "logs" / "events_ingest.log"
    load_during = load()
    deadline = time.monotonic() + 120
    while len(stored_times(log)) < total and time.monotonic() < deadline:
        time.sleep(1.0)
    times = sorted(stored_times(log))
    cpu = cpu_seconds(pids) - cpu_before
    by_second = Counter(int(t - first) for t in times)
    full = [by_second[s] for s in range(1, int(duration))]  # whole seconds of publishing
    # Catching up on tens of thousands of events pages through the emulator at ~150/s.
    seen = follow(
        stack.function_urls["events_relay"], key, cursor, total, timeout=max(180, total / 80)
    )
    return {
        "published": total,
        "publish_seconds": round(published - first, 1),
        "stored": len(times),
        "stored_by_end_of_publishing": sum(1 for t in times if t <= published),
        "stored_per_s_overall": round(len(times) / max(times[-1] - first, 1e-9), 1) if times else 0,
        "stored_per_s_min_p50": [min(full, default=0), statistics.median(full) if full else 0],
        "drained_seconds_after_publishing": round(times[-1] - published, 1) if times else None,
        "follower_received": sum(seen.values()),
        "follower_lost": total - len(seen),
        "follower_duplicated": sum(n - 1 for n in seen.values() if n > 1),
        "feed": feed
        if feed == "emulator"
        else f"direct, {pushers[0]} processes, {pushers[1]} in flight",
        "failed_pushes_retried": failures,
        "push_client_cpu_ms_per_event": round(push_cpu * 1000 / total, 3),
        "ingest_cpu_ms_per_event": round(cpu * 1000 / max(len(times), 1), 2),
        "load_average_during": load_during,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--parts", default="steps,sustained")
    parser.add_argument(
        "--feed",
        default="direct",
        choices=["direct", "emulator"],
        help="direct: push requests sent by the bench, concurrently, as Pub/Sub pushes in "
        "production; emulator: through the Pub/Sub emulator's push (at most 2 at a time)",
    )
    parser.add_argument(
        "--pushers",
        default="4,64",
        help="direct feed: processes,requests in flight (production's push sends many at once)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as scratch:
        stack = LocalStack(state_dir=Path(scratch), gateway_port=free_port())
        stack.start(demo=False)
        try:
            cloud = Container(Settings())
            if "steps" in args.parts:
                for name, figures in steps(cloud, args.samples).items():
                    print(json.dumps({"step": name, **figures, "load": load()}), flush=True)
            if "sustained" in args.parts:
                processes, concurrency = (int(n) for n in args.pushers.split(","))
                result = sustained(
                    stack, cloud, args.rate, args.duration, args.feed, (processes, concurrency)
                )
                print(json.dumps({"sustained": result, "load": load()}), flush=True)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
