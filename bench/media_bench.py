"""Thumbnails and GIFs through the endpoint against the raw ffmpeg command, in one run.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.media_bench --runs 9 [--preset ultrafast]

A 10-minute 1080p30 H.264 file (testsrc2, libx264's default preset, 6 Mb/s, keyframes every
2 s, index at the front) and a 10 s camera-like clip (bench/media_bench_sources.py) are made
once into .local/bench/ and uploaded to a GCS emulator started by this run, with Firestore
and Pub/Sub emulators beside it. Requests go through the media function's router in-process
(authentication, catalog, lease, signing, render, derived bucket, event), on the real
emulators. Every source read (the endpoint's, the raw command's, the renderer's alone)
passes a counting proxy in front of the emulator, so all read the same bytes the same way,
and the proxy reports what a mid-file thumbnail reads. Cold requests use times at the same
offset after a keyframe as the raw command's, in another GOP, so both decode the same frame
count. Each figure is printed with the load average of the (shared) machine."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import functions_framework

from bench.media_bench_previews import compare_formats, compare_storyboard, report
from bench.media_bench_sources import (
    FFMPEG,
    CountingProxy,
    ProxiedSigner,
    make_natural_clip,
    make_source,
)
from bench.raw_thumbnail import thumbnail_command
from infra.local.emulators import start_emulators
from infra.local.provision import provision
from shared import bootstrap
from shared.adapters import pyav_previews
from shared.adapters.ffmpeg_commands import gif_command, http_input
from shared.adapters.ffmpeg_probe import probe_command
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.config import Settings
from shared.domain.previews import GifSpec, ImageFormat, ThumbnailSpec, milliseconds
from shared.domain.records import MediaType, SegmentRecord, VideoRecord, VideoStatus
from shared.services.api_keys import create_api_key

ROOT = Path(__file__).resolve().parents[1]
GOP_SECONDS = 2.0
OFFSET = 1.9  # seconds after a keyframe: 57 frames to decode, the worst case of a 2 s GOP


def timed(action: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def run_raw(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, check=True)
    assert done.stdout, "ffmpeg wrote nothing"


def run_probe(argv: list[str]) -> None:
    subprocess.run(argv, capture_output=True, check=False)  # ffmpeg -i exits 1: no output


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def paired(endpoint: list[float], raw: list[float]) -> float:
    return statistics.median(e / r for e, r in zip(endpoint, raw, strict=True))


def load() -> str:
    return "load average " + " / ".join(f"{v:.1f}" for v in os.getloadavg())


def in_process(url: str, spec: ThumbnailSpec) -> None:
    """The endpoint's renderer alone (PyAV), on the same URL as the raw command."""
    container = "mov,mp4,m4a,3gp,3g2,mj2"
    assert pyav_previews.thumbnail(url, container, spec, 30.0, (640, 360), 0.0, 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--minutes", type=int, default=10)
    # libx264's default. "ultrafast" (no B-frames, CAVLC) decodes ~2.4x faster, so the
    # endpoint's fixed cost weighs more against it; docs/performance.md reports both.
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--scratch", type=Path, default=ROOT / ".local" / "bench")
    args = parser.parse_args()
    source = make_source(args.scratch, args.minutes, args.preset)
    size = source.stat().st_size
    make_natural_clip(args.scratch, args.preset)

    logs = Path(tempfile.mkdtemp(prefix="media-bench-"))
    emulators = start_emulators(logs, "videovector-bench")
    proxy: CountingProxy | None = None
    try:
        os.environ.update(emulators.env)
        os.environ.setdefault("VV_ENVIRONMENT", "local")  # the development secrets (decision 006)
        # The bench renders ~80 previews a minute with one key: no per-key render budget.
        os.environ.setdefault("VV_RENDER_STARTS_PER_MINUTE", "0")
        container = Container(Settings())
        provision(container, {})
        emulator_url = emulators.env["STORAGE_EMULATOR_HOST"]
        proxy = CountingProxy(emulator_url)
        container.__dict__["url_signer"] = ProxiedSigner(
            container.url_signer, emulator_url, proxy.base
        )
        bootstrap.override(container)
        user = f"bench-{uuid.uuid4().hex[:8]}"
        key = create_api_key(container.api_keys, user, ["read"])

        def upload(path: Path, video_id: str, minutes: float) -> VideoRecord:
            print(f"uploading {path.stat().st_size / 1e6:.0f} MB to the GCS emulator ...")
            # One chunk: the emulator's resumable upload slows down with many 8 MB chunks.
            name = f"uploads/{user}/{path.name}"
            chunk = (path.stat().st_size // (256 * 1024) + 1) * 256 * 1024
            blob = container.storage.bucket(container.settings.media_bucket).blob(
                name, chunk_size=chunk
            )
            blob.upload_from_filename(str(path), content_type="video/mp4", timeout=600)
            stored = container.media.stat(f"gs://{container.settings.media_bucket}/{name}")
            assert stored is not None
            now = utcnow()
            record = VideoRecord(
                video_id, user, "bench", stored.uri, MediaType.VIDEO, VideoStatus.PROCESSED,
                now, now, duration_seconds=minutes * 60.0, fps=30.0, width=1920, height=1080,
                media_version=stored.generation,
            )  # fmt: skip
            container.catalog.put_video(record)
            return record

        video = upload(source, "bench-video", args.minutes)
        natural = upload(make_natural_clip(args.scratch, args.preset), "bench-natural", 1 / 6)
        now = utcnow()
        container.catalog.put_segments(
            [SegmentRecord("bench-seg", video.video_id, user, 0.0, args.minutes * 60.0, now)]
        )
        stored = container.media.stat(video.video_uri)
        assert stored is not None
        app = functions_framework.create_app(
            target="media", source=str(ROOT / "functions" / "media" / "main.py")
        )
        client = app.test_client()
        headers = {"X-API-Key": key}
        address = stored.address

        def endpoint(path: str) -> None:
            reply = client.get(path, headers=headers)
            assert reply.status_code == 200, reply.get_data(as_text=True)

        def raw_url() -> str:
            return container.url_signer.sign_get(address.bucket, address.name, 600)

        # Warm up: Firestore, GCS, Pub/Sub clients, ffmpeg's binary in the page cache.
        endpoint("/api/v2/videos/segments/bench-seg/thumbnail?time=1&width=64")
        run_raw(thumbnail_command(FFMPEG, raw_url(), ThumbnailSpec(1000, 64)))
        in_process(raw_url(), ThumbnailSpec(1000, 64))

        # The renderer's probe (demuxer, stream size, rotation) runs once per media version
        # and instance (cached on the version): the warm-up above paid it for the endpoint.
        probes = []
        for _ in range(args.runs):
            url = raw_url()
            argv = probe_command(FFMPEG, url)
            argv[-2:-2] = http_input(url)
            probes.append(timed(run_probe, argv))
        thumb_raw, thumb_cold, gif_raw, gif_cold, cached, from_bucket = [], [], [], [], [], []
        thumb_pyav: list[float] = []
        step = max(1, int(args.minutes * 60 / GOP_SECONDS / (2 * args.runs + 2)))
        for i in range(args.runs):
            base = (2 * i + 1) * step * GOP_SECONDS  # a keyframe
            t_raw, t_end = base + OFFSET, base + step * GOP_SECONDS + OFFSET
            spec = ThumbnailSpec(milliseconds(t_raw), 640, ImageFormat.JPG)
            thumb_raw.append(timed(run_raw, thumbnail_command(FFMPEG, raw_url(), spec, fps=30.0)))
            # The renderer alone, same frame count to decode (OFFSET after a keyframe), in a
            # third GOP between the two.
            mid = ThumbnailSpec(milliseconds(base + step // 2 * GOP_SECONDS + OFFSET), 640)
            thumb_pyav.append(timed(in_process, raw_url(), mid))
            thumb_path = f"/api/v2/videos/segments/bench-seg/thumbnail?time={t_end:.3f}&width=640"
            thumb_cold.append(timed(endpoint, thumb_path))
            cached.append(timed(endpoint, thumb_path))
            container.media_previews.memory.clear()  # as another instance would see it
            from_bucket.append(timed(endpoint, thumb_path))
            gif = GifSpec(milliseconds(t_raw), 3000, 320, 10)
            gif_raw.append(timed(run_raw, gif_command(FFMPEG, raw_url(), gif, fps=30.0)))
            gif_path = (
                f"/api/v2/videos/bench-video/gif?start_time={t_end:.3f}&duration=3&width=320&fps=10"
            )
            gif_cold.append(timed(endpoint, gif_path))

        middle = args.minutes * 60 / 2 + 0.95  # a time no run above has rendered
        proxy.reset()
        endpoint(f"/api/v2/videos/segments/bench-seg/thumbnail?time={middle:.3f}&width=640")
        read_bytes, read_requests = proxy.bytes, proxy.requests

        example = thumbnail_command(
            FFMPEG, "<signed URL>", ThumbnailSpec(milliseconds(middle), 640), fps=30.0
        )
        rows = [
            ("cold thumbnail, endpoint (1080p, 640 px jpg)", median_ms(thumb_cold)),
            ("thumbnail, raw ffmpeg on the same signed URL", median_ms(thumb_raw)),
            ("thumbnail, the renderer alone (PyAV), same URL", median_ms(thumb_pyav)),
            ("cold GIF, endpoint (3 s, 320 px, 10 fps)", median_ms(gif_cold)),
            ("GIF, raw ffmpeg palettegen/paletteuse, same URL", median_ms(gif_raw)),
            ("probe, once per media version and instance", median_ms(probes)),
            ("cached thumbnail, endpoint (instance memory)", median_ms(cached)),
            ("cached thumbnail, endpoint (derived bucket)", median_ms(from_bucket)),
        ]
        print(
            f"\nsource: {source.name} (x264 {args.preset}), {size / 1e6:.0f} MB, "
            f"{args.runs} runs, medians"
        )
        for label, value in rows:
            print(f"  {label:<55} {value:8.1f} ms")
        # Each run pairs an endpoint request with the raw command run just before it, so the
        # median of the pairs' ratios is less exposed to the load of the shared machine.
        print(
            f"  endpoint / raw, thumbnail: {median_ms(thumb_cold) / median_ms(thumb_raw):.2f}x "
            f"(median of paired runs {paired(thumb_cold, thumb_raw):.2f}x)"
        )
        print(
            f"  in-process / raw, thumbnail: {median_ms(thumb_pyav) / median_ms(thumb_raw):.2f}x"
            f" (median of paired runs {paired(thumb_pyav, thumb_raw):.2f}x)"
        )
        print(
            f"  endpoint / raw, GIF:       {median_ms(gif_cold) / median_ms(gif_raw):.2f}x "
            f"(median of paired runs {paired(gif_cold, gif_raw):.2f}x)"
        )
        print(
            f"  cold / cached thumbnail:   {median_ms(thumb_cold) / median_ms(cached):.1f}x "
            f"(memory), {median_ms(thumb_cold) / median_ms(from_bucket):.1f}x (bucket)"
        )
        print(
            f"  bytes read for a thumbnail at {middle:.1f} s: {read_bytes / 1e6:.2f} MB in "
            f"{read_requests} requests = {100 * read_bytes / size:.2f}% of the file"
        )
        print("  raw thumbnail command: " + " ".join(example))
        print(f"  {load()}")

        # Issue 16: formats and storyboards, in the same run.
        def reply_of(path: str) -> Any:
            reply = client.get(path, headers=headers)
            assert reply.status_code == 200, reply.get_data(as_text=True)
            return reply

        # 20 s apart after the middle, closer on a short source so every 3 s clip fits; a
        # multiple of the GOP, so each starts as far after a keyframe as the middle does.
        count = max(3, args.runs // 2)
        room = (args.minutes * 60 - 3.0 - middle) / count
        spacing = min(20.0, room // GOP_SECONDS * GOP_SECONDS)
        starts = [middle + spacing * (i + 1) for i in range(count)]
        formats = compare_formats(reply_of, video.video_id, starts)
        camera_like = compare_formats(reply_of, natural.video_id, [0.0, 3.0, 6.0])
        formats_load = load()
        board = compare_storyboard(reply_of, video.video_id, "bench-seg")
        report({"testsrc2": formats, "camera-like": camera_like}, board)
        print(f"  formats: {formats_load}; storyboard: {load()}")
    finally:
        bootstrap.override(None)
        if proxy is not None:
            proxy.server.shutdown()
        emulators.stop()


if __name__ == "__main__":
    main()
