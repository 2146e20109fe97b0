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
import asyncio
import base64
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
for folder in sorted((ROOT / "functions").iterdir()):
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.append(str(folder))

from infra.local.emulators import start_emulators  # noqa: E402
from infra.local.processes import free_port  # noqa: E402
from shared.bootstrap import Container  # noqa: E402
from shared.config import Settings  # noqa: E402
from tests.support.firestore_recorder import (  # noqa: E402
    RecordingAsyncClient,
    RecordingClient,
)


def counting_publisher() -> Any:
    """The project's publisher client (``shared/adapters/pubsub_client.py``: batching off, so
    one Publish RPC per message), counting the messages published per topic."""
    from google.cloud import pubsub_v1

    from shared.adapters.pubsub_client import PUBLISH_TIMEOUT_SECONDS, publish_retry

    class CountingPublisher(pubsub_v1.PublisherClient):  # type: ignore[misc]
        published: Counter[str] = Counter()

        def publish(self, topic: str, *args: Any, **kwargs: Any) -> Any:
            self.published[topic.rsplit("/", 1)[-1]] += 1
            return super().publish(topic, *args, **kwargs)

    CountingPublisher.published = Counter()
    return CountingPublisher(
        batch_settings=pubsub_v1.types.BatchSettings(max_messages=1),
        publisher_options=pubsub_v1.types.PublisherOptions(
            retry=publish_retry(), timeout=PUBLISH_TIMEOUT_SECONDS
        ),
    )


def recording_container() -> Container:
    settings = Settings.from_env()
    return Container(
        settings,
        firestore=RecordingClient(project=settings.project_id),
        firestore_async=RecordingAsyncClient(project=settings.project_id),
        publisher=counting_publisher(),
    )


def snapshot(container: Container) -> dict[str, Any]:
    sync = container.firestore.recorded  # type: ignore[attr-defined]
    aio = container.firestore_async.recorded  # type: ignore[attr-defined]
    return {
        "firestore": dict(sync.counts()),
        "firestore_async": dict(aio.counts()),
        "async_documents": aio.documents,
        "pubsub_published": dict(container.publisher.published),
    }


def clear(container: Container) -> None:
    container.firestore.recorded.clear()  # type: ignore[attr-defined]
    container.firestore_async.recorded.clear()  # type: ignore[attr-defined]
    container.publisher.published.clear()


def per(counts: dict[str, Any], n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in counts.items():
        out[key] = per(value, n) if isinstance(value, dict) else round(value / n, 3)
    return out


def push_body(user_id: str, key: str) -> Any:
    from cloudevents.http import CloudEvent

    event = {
        "event_type": "segment.processing.completed",
        "user_id": user_id,
        "event_key": key,
        "created_at": "2026-01-01T00:00:00+00:00",
        "video_id": "v1",
        "segment_id": key,
        "payload": {"start_time": 0.0, "end_time": 2.0},
    }
    data = base64.b64encode(json.dumps(event).encode()).decode()
    message_id = uuid.uuid4().hex
    envelope = {"message": {"data": data, "messageId": message_id, "attributes": {}}}
    attributes = {"id": message_id, "source": "bench", "type": "google.cloud.pubsub.published"}
    return CloudEvent(attributes, envelope)


def ingest(container: Container, bodies: list[Any]) -> None:
    from events_ingest_api.handler import handle_pushed_event

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda body: handle_pushed_event(body, container), bodies))
    if container.publisher.published.get(container.settings.dead_letter_topic):
        raise SystemExit("events were dead-lettered: the counts would not be an ingest's")


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


class RelayServer:
    def __init__(self, container: Container) -> None:
        import uvicorn
        from events_relay_api.app import create_app
        from events_relay_api.settings import RelaySettings

        self.port = free_port()
        app = create_app(RelaySettings.from_env(), lambda: container)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RelayServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise SystemExit("the relay did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


async def follow(url: str, key: str, wanted: int, opened: asyncio.Event, got: list[int]) -> None:
    async with (
        httpx.AsyncClient(timeout=120) as client,
        client.stream("GET", url, headers={"X-API-Key": key}) as response,
    ):
        response.raise_for_status()
        opened.set()
        seen = 0
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                seen += 1
                if seen >= wanted:
                    break
        got.append(seen)


def count_relay(users: list[str], streams: int, events: int, idle_seconds: float) -> dict[str, Any]:
    from shared.services.api_keys import create_api_key

    relay = recording_container()
    feeder = recording_container()
    keys = {u: create_api_key(relay.api_keys, u, ["read"]) for u in users}
    result: dict[str, Any] = {"users": len(users), "streams_per_user": streams}
    with RelayServer(relay) as server:
        url = f"http://127.0.0.1:{server.port}/api/v2/processing/events/stream"

        async def scenario() -> None:
            clear(relay)
            got: list[int] = []
            opened = [asyncio.Event() for _ in users for _ in range(streams)]
            tasks = [
                asyncio.create_task(follow(url, keys[u], events, opened[i * streams + s], got))
                for i, u in enumerate(users)
                for s in range(streams)
            ]
            await asyncio.gather(*(o.wait() for o in opened))
            await asyncio.sleep(1.5)  # each stream caught up and joined its feed
            result["per_stream_opened"] = per(snapshot(relay), len(tasks))
            clear(relay)
            started = time.monotonic()
            bodies = [push_body(u, f"relay-{u}-{i}") for u in users for i in range(events)]
            await asyncio.to_thread(ingest, feeder, bodies)
            await asyncio.wait_for(asyncio.gather(*tasks), 120)
            elapsed = time.monotonic() - started
            delivered = sum(got)
            counts = snapshot(relay)
            result.update(
                delivered=delivered,
                delivery_seconds=round(elapsed, 2),
                relay_while_delivering=counts,
                relay_per_event_stored=per(counts, len(bodies)),
                relay_per_event_delivered=per(counts, delivered),
            )

        asyncio.run(scenario())

        async def idle() -> None:
            tasks = [
                asyncio.create_task(follow(url, keys[u], 10**9, asyncio.Event(), [])) for u in users
            ]
            await asyncio.sleep(1.5)
            clear(relay)
            await asyncio.sleep(idle_seconds)
            counts = snapshot(relay)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            result["idle_per_feed_per_second"] = per(counts, int(len(users) * idle_seconds))

        asyncio.run(idle())
    return result


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

    from shared.clock import utcnow
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
    from shared.services import catalog

    container = recording_container()
    user, now = f"batch-{uuid.uuid4().hex[:6]}", utcnow()
    ids = [f"{user}-v{i:03}" for i in range(100)]
    for video_id in ids:
        container.catalog.put_video(
            VideoRecord(
                video_id, user, "t", "gs://b/o", MediaType.VIDEO, VideoStatus.PROCESSED, now, now
            )
        )
        segments = [
            SegmentRecord(
                f"{video_id}-s{s}",
                video_id,
                user,
                2.0 * s,
                2.0 * s + 2,
                now,
                segment_status=SegmentStatus.COMPLETED,
                from_run_id="run-1",
            )
            for s in range(2)
        ]
        container.catalog.put_segments(segments)
        container.catalog.put_run_status(
            RunVideoStatus(
                "run-1",
                video_id,
                user,
                RunStatus.COMPLETED,
                now,
                now,
                segments=[
                    SegmentRunStatus(s.segment_id, SegmentStatus.COMPLETED) for s in segments
                ],
            )
        )
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
    args = parser.parse_args()
    os.environ.setdefault("VV_RATE_LIMIT_PER_MINUTE", "1000000")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the emulators on the way out
    with tempfile.TemporaryDirectory() as logs:
        emulators = start_emulators(Path(logs), "videovector-counts")
        os.environ.update(emulators.env)
        try:
            from infra.local.provision import provision

            provision(Container(Settings.from_env()), {})
            tag = uuid.uuid4().hex[:6]
            users = [f"count-{tag}-{i}" for i in range(args.users)]
            report = {
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "ingest": count_ingest(users, args.events),
                "renders": count_renders(args.renders, Path(logs)),
                "batch": count_batches(Path(logs)),
                "relay": count_relay(
                    [f"{u}-r" for u in users], args.streams, args.events, args.idle_seconds
                ),
            }
        finally:
            emulators.stop()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
