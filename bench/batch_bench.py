"""Latency of the batch and playground helpers through the gateway of a private local stack.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.batch_bench --repeat 30

Seeds one user with 100 videos (2 segments each, one completed run, real e5 embeddings), then
times each operation sequentially (one client, loopback): p50 / p95 / max in ms. Stops at the
first error. (Store round trips per batch are counted by a test, not here:
tests/integration/test_batch_and_search_queries.py.)
"""

from __future__ import annotations

import argparse
import json
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


def seed(container: Container, videos: int) -> list[str]:
    now = utcnow()
    ids = []
    for i in range(videos):
        video_id = f"bench-v{i:03}"
        created = now - timedelta(seconds=i)
        container.catalog.put_video(
            VideoRecord(
                video_id,
                USER,
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
                    USER,
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
        vectors = container.embedder.embed_documents([s.metadata_text or "" for s in segments])
        container.catalog.put_segment_embeddings(
            container.embedder.model_id,
            {s.segment_id: v for s, v in zip(segments, vectors, strict=True)},
        )
        container.catalog.put_run_status(
            RunVideoStatus(
                "run-bench",
                video_id,
                USER,
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
    report: dict[str, Any] = {"repeat": repeat, "operations": {}}
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        for name, operation in operations.items():
            operation(client)  # warm: first request loads the function's clients and the model
            report["operations"][name] = timed(_bound(operation, client), repeat)
    started = time.perf_counter()
    for _ in range(repeat):
        container.embedder.embed_query("red scene with loud audio")
    report["embed_query_ms_mean"] = round((time.perf_counter() - started) * 1000 / repeat, 1)
    return report


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
