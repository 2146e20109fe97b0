"""Latency of the batch and playground helpers through the gateway of a private local stack.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.batch_bench --repeat 100

Seeds one user with 100 videos (2 segments each, one completed run, real e5 embeddings), then
times each operation sequentially (one client, loopback): p50 / p95 / p99 / max in ms. Stops
at the first error. Then, in process, the store calls of each batch and how many of them it
waits for one after another (``depth``), with a simulated 50 ms round trip so that calls sent
together overlap whatever the load (tests/support/firestore_recorder.py; pinned by
tests/integration/test_batch_round_trip_depth.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from infra.local.processes import free_port
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.config import Settings
from shared.domain.records import (
    MediaType,
    RunStatus,
    RunVideoStatus,
    SegmentRecord,
    SegmentRunStatus,
    SegmentStatus,
    VideoRecord,
    VideoStatus,
)
from shared.services.api_keys import create_api_key

USER = "bench-user"
COLOURS = ["red", "blue", "green", "yellow", "purple", "orange", "black", "white"]
SOUNDS = ["loud audio", "silence, no sound", "quiet audio", "moderate audio"]


def seed(container: Container, videos: int, user: str = USER, embeddings: bool = True) -> list[str]:
    """``videos`` processed videos of ``user``, two completed segments and one run each
    (and the segments' embeddings, for the search rows): their ids."""
    now = utcnow()
    ids = []
    for i in range(videos):
        video_id = f"{user}-v{i:03}"
        created = now - timedelta(seconds=i)
        container.catalog.put_video(
            VideoRecord(
                video_id,
                user,
                f"Bench {i}",
                f"gs://bench/{video_id}.mp4",
                MediaType.VIDEO,
                VideoStatus.PROCESSED,
                created,
                created,
                duration_seconds=4.0,
            )
        )
        segments = []
        for s in range(2):
            colour, sound = COLOURS[(i + s) % len(COLOURS)], SOUNDS[(i * 2 + s) % len(SOUNDS)]
            segments.append(
                SegmentRecord(
                    f"{video_id}-s{s}",
                    video_id,
                    user,
                    2.0 * s,
                    2.0 * s + 2,
                    created,
                    metadata={
                        "dominant_color": colour,
                        "audio_label": sound,
                        "tags": [colour, f"t{i % 7}"],
                        "loudness_db": -5.0 * s,
                    },
                    metadata_text=f"{colour} scene; colours: {colour}; {sound}.",
                    segment_status=SegmentStatus.COMPLETED,
                    from_run_id="run-bench",
                )
            )
        container.catalog.put_segments(segments)
        if embeddings:
            vectors = container.embedder.embed_documents([s.metadata_text or "" for s in segments])
            container.catalog.put_segment_embeddings(
                container.embedder.model_id,
                {s.segment_id: v for s, v in zip(segments, vectors, strict=True)},
            )
        container.catalog.put_run_status(
            RunVideoStatus(
                "run-bench",
                video_id,
                user,
                RunStatus.COMPLETED,
                created,
                created,
                segments=[
                    SegmentRunStatus(s.segment_id, SegmentStatus.COMPLETED) for s in segments
                ],
            )
        )
        ids.append(video_id)
    return ids


def timed(call: Callable[[], httpx.Response], repeat: int) -> dict[str, Any]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code}: {response.text[:300]}")
    samples.sort()
    return {
        "p50_ms": round(samples[len(samples) // 2], 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
        "p99_ms": round(samples[min(len(samples) - 1, int(0.99 * len(samples)))], 1),
        "max_ms": round(samples[-1], 1),
    }


def _bound(
    operation: Callable[[httpx.Client], httpx.Response], client: httpx.Client
) -> Callable[[], httpx.Response]:
    return lambda: operation(client)


def run(stack: LocalStack, repeat: int) -> dict[str, Any]:
    container = Container(Settings())
    ids = seed(container, 100)
    key = create_api_key(container.api_keys, USER, ["read"])
    headers = {"X-API-Key": key}
    equal = {"field": "dominant_color", "operator": "equals", "type": "string", "value": "red"}
    ranged = {"field": "loudness_db", "operator": "less_than", "type": "number", "value": -1}
    operations: dict[str, Callable[[httpx.Client], httpx.Response]] = {
        "batch_retrieve (100 ids)": lambda c: c.post(
            "/api/v2/videos/batch", json={"video_ids": ids}, headers=headers
        ),
        "batch_status (100 ids)": lambda c: c.post(
            "/api/v2/videos/batch/status", json={"video_ids": ids}, headers=headers
        ),
        "batch_segments (50 ids, 100 segments)": lambda c: c.post(
            "/api/v2/videos/batch/segments", json={"video_ids": ids[:50]}, headers=headers
        ),
        "list_playground (limit 50)": lambda c: c.get(
            "/api/v2/playground/videos", params={"limit": 50}, headers=headers
        ),
        "playground search (top_k 30, 200 segments)": lambda c: c.post(
            "/api/v2/playground/search",
            json={"query": "red scene with loud audio"},
            headers=headers,
        ),
        "filter, equality in the store (page 50)": lambda c: c.post(
            "/api/v2/search/filter/playground", json={"conditions": [equal]}, headers=headers
        ),
        "filter, range in the service (page 50)": lambda c: c.post(
            "/api/v2/search/filter/playground", json={"conditions": [ranged]}, headers=headers
        ),
    }
    report: dict[str, Any] = {
        "repeat": repeat,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "operations": {},
    }
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        for name, operation in operations.items():
            operation(client)  # warm: first request loads the function's clients and the model
            report["operations"][name] = timed(_bound(operation, client), repeat)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    for _ in range(repeat):
        container.embedder.embed_query("red scene with loud audio")
    report["embed_query_ms_mean"] = round((time.perf_counter() - started) * 1000 / repeat, 1)
    report["store_calls"] = store_calls(ids)
    return report


def store_calls(ids: list[str]) -> dict[str, Any]:
    """Calls and sequential depth of each batch, and its time with a 50 ms round trip."""
    from shared.services import catalog
    from tests.support.firestore_recorder import RecordingClient

    settings = Settings()
    client = RecordingClient(project=settings.project_id, latency=0.05)
    remote = Container(settings, firestore=client)
    batches: dict[str, Callable[[], object]] = {
        "batch_retrieve (100 ids)": lambda: catalog.batch_videos(remote, USER, ids),
        "batch_status (100 ids)": lambda: catalog.batch_statuses(remote, USER, ids),
        "batch_segments (50 ids)": lambda: catalog.batch_segments(remote, USER, ids[:50]),
        "batch_segments (50 targets, no run)": lambda: catalog.batch_segments_for_targets(
            remote, USER, [(v, None) for v in ids[:50]]
        ),
    }
    found: dict[str, Any] = {}
    try:
        for name, call in batches.items():
            elapsed = []
            for _ in range(7):  # the median of 7: the machine is shared
                client.recorded.clear()
                started = time.perf_counter()
                call()
                elapsed.append((time.perf_counter() - started) * 1000)
            found[name] = {
                "calls": dict(client.recorded.counts()),
                "depth": client.recorded.depth(),
                "ms_at_50ms_round_trip_median_of_7": round(sorted(elapsed)[3], 1),
            }
    finally:
        client.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(
            state_dir=Path(state),
            gateway_port=free_port(),
            extra_env={"VV_RATE_LIMIT_PER_MINUTE": "1000000"},
        )
        stack.start(demo=False)
        try:
            report = run(stack, args.repeat)
        finally:
            stack.stop()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
