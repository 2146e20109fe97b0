"""Could a Firestore listener replace the relay's pinned reads? Commit-to-callback latency of the
Firestore client's ``on_snapshot`` on the emulator, at the event rates of the relay bench.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.listener_bench --rates 20,50,200 --seconds 5

Starts its own emulators. For each rate, one user's events are stored through the ingest's own
adapter (``FirestoreEventLog.append``: group commit, ``SERVER_TIMESTAMP``) from a pool of
threads paced to the rate, while one listener follows the relay's query shape (the user's
events from now on, ordered by ``committed_at``). Reported per rate: events delivered to the
callback within ``--grace`` seconds of the last write, commit (write result ``update_time``) to
callback latency, snapshots, and the emulator's resident memory after the run. A listener
would take the query off the delivery path (decision 023); this measures whether the client
and the emulator keep up.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.process_stats import percentile, rss_kib
from infra.local.emulators import start_emulators
from infra.local.processes import group_members


def _follow(rate: int, seconds: float, grace: float) -> dict[str, Any]:
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.adapters.firestore_event_log import COMMITTED_AT, EVENTS, FirestoreEventLog
    from shared.domain.events import EventType, OutgoingEvent

    client = firestore.Client()
    log = FirestoreEventLog(client)
    user = f"listen-{uuid.uuid4().hex[:8]}"
    arrivals: dict[str, int] = {}  # record id -> callback time (µs)
    snapshots = 0
    lock = threading.Lock()

    def on_snapshot(_docs: Any, changes: Any, _read_time: Any) -> None:
        nonlocal snapshots
        now = time.time_ns() // 1000
        with lock:
            snapshots += 1
            for change in changes:
                arrivals.setdefault(change.document.id, now)

    query = (
        client.collection(EVENTS)
        .where(filter=FieldFilter("user_id", "==", user))
        .where(filter=FieldFilter(COMMITTED_AT, ">=", datetime.now(UTC)))
        .order_by(COMMITTED_AT)
    )
    watch = query.on_snapshot(on_snapshot)
    committed: dict[str, int] = {}  # record id -> update_time (µs)

    def store(i: int) -> None:
        event = OutgoingEvent(
            event_type=EventType.MEDIA_PROCESSING_STARTED,
            user_id=user,
            event_key=f"k{i}",
            created_at=datetime.now(UTC),
            video_id="v1",
        )
        result = log.append(event, datetime.now(UTC) + timedelta(days=1))
        committed[result.position.record_id] = result.position.micros + (
            result.commit_gap_micros or 0
        )

    total = int(rate * seconds)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i in range(total):
            time.sleep(max(0.0, started + i / rate - time.perf_counter()))
            pool.submit(store, i)
    time.sleep(grace)
    watch.unsubscribe()
    with lock:
        lags = [(arrivals[r] - c) / 1000 for r, c in committed.items() if r in arrivals]
    return {
        "rate": rate,
        "stored": len(committed),
        "delivered_within_grace": len(lags),
        "snapshots": snapshots,
        "commit_to_callback_ms": {
            q: round(percentile(lags, p), 1) for q, p in (("p50", 0.5), ("p99", 0.99))
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.listener_bench", description=__doc__)
    parser.add_argument("--rates", default="20,50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--grace", type=float, default=3.0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the emulators on the way out
    with tempfile.TemporaryDirectory() as logs:
        for rate in (int(r) for r in args.rates.split(",")):
            # A fresh emulator per rate: a listener that falls behind leaves the JVM busy.
            emulators = start_emulators(Path(logs), "videovector-listen")
            os.environ.update(emulators.env)
            try:
                row = _follow(rate, args.seconds, args.grace)
                firestore = next(p for p in emulators.processes if p.name == "firestore-emulator")
                if firestore.popen is not None:
                    jvm = group_members(firestore.popen.pid)
                    row["emulator_rss_mib"] = round(rss_kib(jvm) / 1024)
                print(json.dumps(row), flush=True)
            finally:
                emulators.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
