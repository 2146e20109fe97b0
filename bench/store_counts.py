"""Firestore and Pub/Sub calls per unit of work, counted at the client channels (docs/scale.md).

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.store_counts --users 4 --streams 3 --events 50

Starts its own emulators; in one process:

- ingest: ``users x events`` pushed messages through the ingest handler, then each again (a
  redelivery): Firestore RPCs on a recording client, Pub/Sub publishes by topic;
- renders: ``renders`` cold thumbnails (320 px, distinct times) of an 8 s clip through the
  media function's preview service: lease, render budget, derived-bucket write, event;
- batch: the three batch reads of 100 ids (and the client CPU each costs here);
- relay: the relay app under uvicorn in a thread, ``streams`` open streams per user (API key),
  the events ingested meanwhile and read by every stream, then an idle window: the relay's
  Firestore RPCs (sync: credentials, rate limit, stream slots; async: log reads) and the
  documents its queries returned, per stream opened, per event stored, per event delivered.

Prints JSON. Re-run it after a change to the ingest or the relay to update docs/scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.counting_clients import (
    clear,
    ingest,
    per,
    push_body,
    recording_container,
    snapshot,
)
from bench.relay_counts import count_relay
from infra.local.emulators import start_emulators
from shared.bootstrap import Container
from shared.config import Settings


def count_ingest(users: list[str], events: int) -> dict[str, Any]:
    container = recording_container()
    bodies = [push_body(u, f"count-{u}-{i}") for u in users for i in range(events)]
    clear(container)
    cpu = time.process_time()
    ingest(container, bodies)
    cpu_ms = (time.process_time() - cpu) * 1000 / len(bodies)
    first = snapshot(container)
    clear(container)
    ingest(container, bodies)  # every message again: what a redelivery costs
    again = snapshot(container)
    n = len(bodies)
    return {
        "events": n,
        "per_event": per(first, n),
        "per_redelivery": per(again, n),
        "client_cpu_ms_per_event": round(cpu_ms, 2),
    }


def count_renders(renders: int, workdir: Path) -> dict[str, Any]:
    import subprocess

    import imageio_ffmpeg

    from shared.clock import utcnow
    from shared.domain.previews import ImageFormat, ThumbnailSpec
    from shared.domain.records import MediaType, VideoRecord, VideoStatus

    container = recording_container()
    user, video_id = f"render-{uuid.uuid4().hex[:6]}", "render-clip"
    clip = workdir / "clip.mp4"
    source = ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=10", "-t", "8"]
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            *source,
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ],
        check=True,
    )
    bucket = container.settings.media_bucket
    container.storage.bucket(bucket).blob(f"{user}/{video_id}/clip.mp4").upload_from_filename(
        str(clip)
    )
    now = utcnow()
    container.catalog.put_video(
        VideoRecord(
            video_id,
            user,
            "clip",
            f"gs://{bucket}/{user}/{video_id}/clip.mp4",
            MediaType.VIDEO,
            VideoStatus.PROCESSED,
            now,
            now,
            duration_seconds=8.0,
            fps=10.0,
            media_version="1",
        )
    )
    clear(container)
    for i in range(renders):  # distinct times: every one a cold render
        spec = ThumbnailSpec(300 + i * 700, 320, ImageFormat.JPG)
        container.media_previews.preview(user, video_id, spec, budget_key=f"key-{user}")
    return {"renders": renders, "per_render": per(snapshot(container), renders)}


def count_batches(workdir: Path) -> dict[str, Any]:
    """Batch reads of 100 ids (videos with 2 segments and a run each), and the CPU the
    function's side of each costs here: the reads (decoding, models) and the JSON body."""
    from pydantic import TypeAdapter

    from bench.batch_bench import seed
    from shared.services import catalog

    container = recording_container()
    user = f"batch-{uuid.uuid4().hex[:6]}"
    ids = seed(container, 100, user, embeddings=False)
    calls: dict[str, Callable[[], list[Any]]] = {
        "batch_retrieve (100 ids)": lambda: catalog.batch_videos(container, user, ids),
        "batch_status (100 ids)": lambda: catalog.batch_statuses(container, user, ids),
        "batch_segments (50 ids)": lambda: catalog.batch_segments(container, user, ids[:50]),
    }
    found: dict[str, Any] = {}
    for name, call in calls.items():
        answer = call()  # warm
        body: TypeAdapter[Any] = TypeAdapter(list[type(answer[0])])  # type: ignore[index,arg-type,misc]
        clear(container)
        cpu = time.process_time()
        for _ in range(10):
            call()
        reads = (time.process_time() - cpu) * 100
        cpu = time.process_time()
        for _ in range(10):
            body.dump_json(answer)
        found[name] = {
            **per(snapshot(container), 10),
            "client_cpu_ms": round(reads, 1),
            "json_cpu_ms": round((time.process_time() - cpu) * 100, 1),
        }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--streams", type=int, default=3)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--renders", type=int, default=8)
    parser.add_argument("--parts", default="ingest,renders,batch,relay")
    args = parser.parse_args()
    os.environ.setdefault("VV_RATE_LIMIT_PER_MINUTE", "1000000")
    os.environ.setdefault("VV_STREAM_TOKEN_SECRET", "counts-" + uuid.uuid4().hex)  # relay boots
    os.environ.setdefault("VV_ENVIRONMENT", "local")  # development secrets: URL signing (006)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the emulators on the way out
    with tempfile.TemporaryDirectory() as logs:
        emulators = start_emulators(Path(logs), "videovector-counts")
        os.environ.update(emulators.env)
        try:
            from infra.local.provision import provision

            provision(Container(Settings()), {})
            tag = uuid.uuid4().hex[:6]
            users = [f"count-{tag}-{i}" for i in range(args.users)]
            parts = set(args.parts.split(","))
            report: dict[str, Any] = {"load_average": [round(x, 2) for x in os.getloadavg()]}
            if "ingest" in parts:
                report["ingest"] = count_ingest(users, args.events)
            if "renders" in parts:
                report["renders"] = count_renders(args.renders, Path(logs))
            if "batch" in parts:
                report["batch"] = count_batches(Path(logs))
            if "relay" in parts:
                report["relay"] = count_relay(
                    [f"{u}-r" for u in users], args.streams, args.events, args.idle_seconds
                )
        finally:
            emulators.stop()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
