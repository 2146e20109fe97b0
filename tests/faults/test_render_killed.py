"""The ffmpeg of a GIF render is killed (SIGKILL) halfway: the request answers 503 with the
envelope and Retry-After, nothing is stored, the render lease is given back at once, and the
next identical request renders, stores and announces the GIF exactly once."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import pytest
from google.cloud import pubsub_v1
from PIL import Image

from infra.local.stack import LocalStack
from shared.adapters.firestore_render_leases import COLLECTION, lease_doc_id
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.events import EventType
from shared.domain.previews import GifSpec, derived_object_name, version_of
from shared.domain.records import MediaType, VideoRecord, VideoStatus

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
# The largest GIF the contract allows: 300 frames at 640 px, a few seconds of ffmpeg.
SECONDS, WIDTH, HEIGHT, FPS = 10, 640, 360, 30
KILL_AFTER_CPU_SECONDS = 0.5  # well into the render (a whole one takes several seconds)
TICKS = os.sysconf("SC_CLK_TCK")


def busy_clip(path: Path) -> Path:
    """A clip with detail in every frame, so the palette and the dithering have work to do."""
    source = f"testsrc2=s={WIDTH}x{HEIGHT}:r={FPS}:d={SECONDS}"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip
    return path


def process_group_members(group: int) -> dict[int, tuple[str, float]]:
    """pid -> (command line, CPU seconds) of every live process in the group."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found[int(entry)] = (cmdline, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def written_regular_files(pid: int) -> list[str]:
    """Files the process holds open for writing (a temporary file would show here)."""
    files = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            mode = os.stat(f"/proc/{pid}/fd/{fd}").st_mode
            flags = int(Path(f"/proc/{pid}/fdinfo/{fd}").read_text().split()[3], 8)
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if stat.S_ISREG(mode) and flags & os.O_ACCMODE != os.O_RDONLY:
            files.append(target)
    return files


def drain(subscription: str, video_id: str) -> list[dict[str, Any]]:
    """Every event of the video on the subscription until it runs dry."""
    found: list[dict[str, Any]] = []
    with pubsub_v1.SubscriberClient() as subscriber:
        while True:
            answer = subscriber.pull(
                request={"subscription": subscription, "max_messages": 100}, timeout=10
            )
            if not answer.received_messages:
                return found
            subscriber.acknowledge(
                request={
                    "subscription": subscription,
                    "ack_ids": [m.ack_id for m in answer.received_messages],
                }
            )
            events = [json.loads(m.message.data) for m in answer.received_messages]
            found += [e for e in events if e["video_id"] == video_id]


def test_a_render_killed_mid_gif_leaves_nothing_and_the_retry_succeeds(  # type: ignore[no-untyped-def]
    stack: LocalStack,
    cloud: Container,
    new_key,
    user_id: str,
    event_subscription: str,
    tmp_path: Path,
) -> None:
    media = next(p for p in stack.processes if p.name == "media")
    assert media.popen is not None
    clip = busy_clip(tmp_path / "busy.mp4")
    video_id = f"v-{uuid.uuid4().hex[:10]}"
    stored = cloud.media.upload(clip, f"uploads/{user_id}/{video_id}.mp4")
    now = utcnow()
    video = VideoRecord(
        video_id, user_id, "busy", stored.uri, MediaType.VIDEO, VideoStatus.PROCESSED,
        now, now, duration_seconds=float(SECONDS), fps=float(FPS), media_version=stored.generation,
    )  # fmt: skip
    cloud.catalog.put_video(video)
    spec = GifSpec(0, SECONDS * 1000, WIDTH, FPS)
    name = derived_object_name(user_id, video_id, version_of(video), spec)
    lease = cloud.firestore.collection(COLLECTION).document(lease_doc_id(name))
    bucket = cloud.storage.bucket(cloud.settings.derived_bucket)
    path = f"/api/v2/videos/{video_id}/gif"
    params = {"duration": SECONDS, "width": WIDTH, "fps": FPS}
    auth = {"X-API-Key": new_key(user_id, "read")}
    answers: list[httpx.Response] = []

    def request() -> None:
        with httpx.Client(base_url=stack.base_url, timeout=120) as client:
            answers.append(client.get(path, params=params, headers=auth))

    started = time.monotonic()
    first = threading.Thread(target=request)
    first.start()
    # The render's ffmpeg: a child in the media function's process group, reading this video.
    victim, cpu = None, 0.0
    while first.is_alive() and cpu < KILL_AFTER_CPU_SECONDS:
        renders = {
            pid: used
            for pid, (cmdline, used) in process_group_members(media.popen.pid).items()
            if "palettegen" in cmdline and video_id in cmdline
        }
        assert len(renders) <= 1, renders
        victim, cpu = next(iter(renders.items()), (victim, 0.0))
        time.sleep(0.05)
    assert victim is not None and first.is_alive(), "the render ended before it could be killed"
    # The GIF goes to the function through a pipe: there is no temporary file to leave behind.
    assert os.readlink(f"/proc/{victim}/fd/1").startswith("pipe:")
    assert written_regular_files(victim) == []
    assert lease.get().exists  # the render holds the lease
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    first.join(timeout=120)
    error_seconds = time.monotonic() - killed

    failed = answers[0]
    assert failed.status_code == 503, failed.text
    assert failed.headers["content-type"].startswith("application/json")
    assert failed.headers["Retry-After"] == "1"
    body = failed.json()["error"]
    assert body["code"] == "service_unavailable" and body["request_id"]
    assert "SIGKILL" not in body["message"] and "Traceback" not in failed.text
    assert not list(bucket.list_blobs(prefix=f"previews/{user_id}/"))
    assert not lease.get().exists  # given back: the retry need not wait out the 90 s lease

    retry_started = time.monotonic()
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        done = client.get(path, params=params, headers=auth)
    retry_seconds = time.monotonic() - retry_started
    assert done.status_code == 200, done.text
    assert done.headers["content-type"] == "image/gif"
    gif = Image.open(io.BytesIO(done.content))
    assert gif.format == "GIF" and gif.size == (WIDTH, HEIGHT)
    assert gif.n_frames == SECONDS * FPS  # type: ignore[attr-defined]
    objects = list(bucket.list_blobs(prefix=f"previews/{user_id}/"))
    assert [o.name for o in objects] == [name]
    assert objects[0].size == len(done.content)

    events = drain(event_subscription, video_id)
    assert [e["event_type"] for e in events] == [EventType.MEDIA_PREVIEW_READY.value]
    assert events[0]["payload"]["gcs_uri"] == f"gs://{bucket.name}/{name}"
    assert events[0]["payload"]["size_bytes"] == len(done.content)
    print(
        f"\nrender-kill: killed after {cpu:.2f} s of ffmpeg CPU "
        f"({killed - started:.2f} s after the request); 503 {error_seconds:.2f} s after the kill; "
        f"retry 200 in {retry_seconds:.2f} s ({len(done.content) / 1e6:.1f} MB)"
    )
