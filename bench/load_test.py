"""Load test of markers and batch through the gateway of a private local stack.

    .venv/bin/python -m bench.load_test --duration 120 --concurrency 8

Bounded in time and count, loopback only. Prints error rate and latency p50/p99 per operation,
then reads back every acknowledged write. Exits 1 on any 5xx, lost write or error rate > 1 %.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.process_stats import percentile
from infra.local.demo import DEMO_USER_ID
from infra.local.processes import free_port
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.config import Settings
from shared.domain.records import (
    MediaType,
    SegmentRecord,
    SegmentStatus,
    VideoRecord,
    VideoStatus,
)

Operation = Callable[[httpx.Client, int, int], httpx.Response]


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.acknowledged: list[tuple[str, str]] = []  # (marker_id, note)
        self._lock = threading.Lock()

    def record(self, name: str, seconds: float, response: httpx.Response) -> None:
        with self._lock:
            self.latencies[name].append(seconds)
            self.statuses[name][response.status_code] += 1
            if name == "marker_put" and response.status_code in (200, 201):
                body = response.json()
                self.acknowledged.append((body["marker_id"], body["note"]))


SEEDED_VIDEOS = 200
BATCH_SIZE = 20


def seed_videos(container: Container, user_id: str) -> list[str]:
    """Processed video records with two segments each, written as the pipeline writes them."""
    now = utcnow()
    ids = [f"load-v{i:04d}" for i in range(SEEDED_VIDEOS)]
    for video_id in ids:
        container.catalog.put_video(
            VideoRecord(
                video_id=video_id,
                user_id=user_id,
                title=video_id,
                video_uri=f"gs://{container.settings.media_bucket}/{user_id}/{video_id}.mp4",
                media_type=MediaType.VIDEO,
                status=VideoStatus.PROCESSED,
                created_at=now,
                updated_at=now,
                duration_seconds=4.0,
            )
        )
    container.catalog.put_segments(
        [
            SegmentRecord(
                segment_id=f"{v}-s{n}",
                video_id=v,
                user_id=user_id,
                start_time=2.0 * n,
                end_time=2.0 * n + 2,
                created_at=now,
                metadata_text="a red scene",
                segment_status=SegmentStatus.COMPLETED,
                from_run_id="load-run",
            )
            for v in ids
            for n in range(2)
        ]
    )
    return ids


def run(
    base_url: str,
    key: str,
    video_ids: list[str],
    duration: float,
    concurrency: int,
    max_requests: int,
) -> dict:
    recorder = Recorder()
    deadline = time.monotonic() + duration
    counter = iter(range(max_requests))
    counter_lock = threading.Lock()
    headers = {"X-API-Key": key}

    def put_marker(client: httpx.Client, worker: int, i: int) -> httpx.Response:
        note = f"w{worker}-{i}"
        body = {"target_type": "segment", "target_id": note, "video_id": f"v{worker}", "note": note}
        return client.put("/api/v2/markers", json=body, headers=headers)

    def list_markers(client: httpx.Client, worker: int, i: int) -> httpx.Response:
        return client.get(
            "/api/v2/markers", params={"video_id": f"v{worker}", "limit": 20}, headers=headers
        )

    def batch(client: httpx.Client, worker: int, i: int) -> httpx.Response:
        start = (i * 7) % (len(video_ids) - BATCH_SIZE)
        wanted = video_ids[start : start + BATCH_SIZE]
        response = client.post("/api/v2/videos/batch", json={"video_ids": wanted}, headers=headers)
        if response.status_code == 200 and [v["video_id"] for v in response.json()] != wanted:
            response.status_code = 599  # a wrong answer counts as an error
        return response

    def batch_segments(client: httpx.Client, worker: int, i: int) -> httpx.Response:
        start = (i * 11) % (len(video_ids) - BATCH_SIZE)
        wanted = video_ids[start : start + BATCH_SIZE]
        return client.post(
            "/api/v2/videos/batch/segments", json={"video_ids": wanted}, headers=headers
        )

    mix: list[tuple[str, Operation]] = [
        ("marker_put", put_marker),
        ("batch", batch),
        ("marker_list", list_markers),
        ("batch_segments", batch_segments),
    ]

    def worker(n: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while time.monotonic() < deadline:
                with counter_lock:
                    i = next(counter, None)
                if i is None:
                    return
                name, operation = mix[i % len(mix)]
                started = time.perf_counter()
                response = operation(client, n, i)
                recorder.record(name, time.perf_counter() - started, response)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    elapsed = time.monotonic() - started

    lost = 0
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for marker_id, note in recorder.acknowledged:
            got = client.get(f"/api/v2/markers/{marker_id}", headers=headers)
            if got.status_code != 200 or got.json()["note"] != note:
                lost += 1

    report: dict = {"duration_s": round(elapsed, 1), "concurrency": concurrency, "operations": {}}
    for name, values in recorder.latencies.items():
        statuses = dict(recorder.statuses[name])
        errors = sum(n for status, n in statuses.items() if status >= 400)
        report["operations"][name] = {
            "requests": len(values),
            "rps": round(len(values) / elapsed, 1),
            "error_rate": round(errors / len(values), 4),
            "p50_ms": round(percentile(values, 0.5, empty=0.0) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99, empty=0.0) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
            "statuses": statuses,
        }
    report["acknowledged_writes"] = len(recorder.acknowledged)
    report["lost_writes"] = lost
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(
            state_dir=Path(state),
            gateway_port=free_port(),
            extra_env={"VV_RATE_LIMIT_PER_MINUTE": "1000000"},
        )
        stack.start()
        try:
            video_ids = seed_videos(Container(Settings()), DEMO_USER_ID)
            report = run(
                stack.base_url,
                stack.api_key,
                video_ids,
                args.duration,
                args.concurrency,
                args.max_requests,
            )
        finally:
            stack.stop()
    print(json.dumps(report, indent=2))
    five_xx = sum(
        n
        for op in report["operations"].values()
        for status, n in op["statuses"].items()
        if status >= 500
    )
    worst = max(op["error_rate"] for op in report["operations"].values())
    return 1 if five_xx or report["lost_writes"] or worst > 0.01 else 0


if __name__ == "__main__":
    sys.exit(main())
