"""Peak memory and time of every preview kind at the largest parameters allowed, on the worst
shapes (tall, wide, rotated, square, 4K, high fps, long GOP, long silence, huge images).

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.render_limits_bench
    OMP_NUM_THREADS=1 .venv/bin/python -m bench.render_limits_bench --compare SOURCE.mp4

``--compare`` times the renderer's commands before and after the limits, interleaved on one
1080p30 source with 2 s keyframes (media_bench's): the old argv (no demuxer, width-only
scale, plain subprocess) against the new (probe's demuxer, protocol whitelist, fitted size,
address-space ceiling, MALLOC_ARENA_MAX=2), alternating which runs first.

Renders go through the production renderer (FfmpegPreviewRenderer: probe, budget checks,
ffmpeg under its address-space ceiling and wall time) reading local files; the peak resident
(VmHWM) and address space (VmPeak) of its ffmpeg children are read from /proc while they run.
Image previews decode in-process (Pillow): each runs in a fresh process that reports its own
peak resident growth. Samples are made once into .local/bench/hostile/.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg

from bench.raw_thumbnail import thumbnail_command
from shared.adapters.ffmpeg_commands import gif_command
from shared.adapters.ffmpeg_inputs import run_limited
from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer
from shared.adapters.pillow_previews import resize_image
from shared.domain.preview_ports import RenderSource
from shared.domain.previews import GifSpec, ImageFormat, PreviewSpec, ThumbnailSpec
from shared.domain.records import MediaType
from shared.domain.render_limits import RENDER_MEMORY_BYTES
from shared.errors import VideoVectorError
from tests.media.child_peaks import ChildPeaks
from tests.media.hostile_samples import large_jpeg, png_header, shaped_clip, silent_flac

ROOT = Path(__file__).resolve().parents[1]
MAX_GIF = GifSpec(0, 10_000, 640, 30)
MAX_THUMB = ThumbnailSpec(0, 1920, ImageFormat.JPG)


class TimedRenderer(FfmpegPreviewRenderer):
    """Remembers the wall-time limit the renderer derived for its last ffmpeg run."""

    limit = 0.0

    def _run(self, argv: list[str], seconds: float) -> bytes:
        self.limit = seconds
        return super()._run(argv, seconds)


def made(path: Path, make: Callable[[Path], Path]) -> Path:
    if not path.exists():
        partial = path.with_name(f"partial-{path.name}")
        make(partial).rename(path)
    return path


def samples(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "landscape 640x360 30 fps": made(folder / "land.mp4", lambda p: shaped_clip(p, 640, 360)),
        "rotated 640x360 (90°)": made(
            folder / "rot.mp4", lambda p: shaped_clip(p, 640, 360, rotation=90)
        ),
        "tall 64x1024": made(folder / "tall.mp4", lambda p: shaped_clip(p, 64, 1024)),
        "wide 1024x64": made(folder / "wide.mp4", lambda p: shaped_clip(p, 1024, 64)),
        "square 640x640": made(folder / "square.mp4", lambda p: shaped_clip(p, 640, 640)),
        "high fps 640x360 240 fps": made(
            folder / "hfr.mp4", lambda p: shaped_clip(p, 640, 360, fps=240, seconds=11)
        ),
        "4K 4096x2160": made(
            folder / "4k.mp4", lambda p: shaped_clip(p, 4096, 2160, seconds=2, keyframe_seconds=2)
        ),
        "1080p, 10 s GOP": made(
            folder / "gop.mp4",
            lambda p: shaped_clip(p, 1920, 1080, seconds=12, keyframe_seconds=10),
        ),
        "8K 8192x4320": made(folder / "8k.mp4", lambda p: shaped_clip(p, 8192, 4320, seconds=0.1)),
        "silent FLAC 30 min": made(folder / "silence30.flac", lambda p: silent_flac(p, 1800)),
        "silent FLAC 2 h": made(folder / "silence120.flac", lambda p: silent_flac(p, 7200)),
        "JPEG 12000x9000 (108 Mpx)": made(
            folder / "photo.jpg", lambda p: large_jpeg(p, 12000, 9000)
        ),
        "PNG 7000x7000 (49 Mpx)": made(folder / "big.png", lambda p: _png(p, 7000, 7000)),
        "PNG header 20000x20000": made(folder / "bomb.png", lambda p: png_header(p, 20000, 20000)),
        "PNG header 9000x9000": made(folder / "claims.png", lambda p: png_header(p, 9000, 9000)),
    }


def _png(path: Path, width: int, height: int) -> Path:
    from PIL import Image

    Image.new("RGB", (width, height), (10, 120, 60)).save(path, "PNG")
    return path


def cases(found: dict[str, Path]) -> list[tuple[str, str, MediaType, PreviewSpec]]:
    square_max = GifSpec(0, 10_000, 640, 16)  # the most fps a square 640 GIF may have
    four_k_gif = GifSpec(0, 1_000, 640, 30)
    video, audio, image = MediaType.VIDEO, MediaType.AUDIO, MediaType.IMAGE
    table: list[tuple[str, str, MediaType, PreviewSpec]] = []
    for name in ("landscape 640x360 30 fps", "rotated 640x360 (90°)", "tall 64x1024",
                 "wide 1024x64", "square 640x640", "high fps 640x360 240 fps"):  # fmt: skip
        table.append((name, "GIF 10 s, 30 fps, width 640", video, MAX_GIF))
    table.append(("square 640x640", "GIF 10 s, 16 fps, width 640", video, square_max))
    table.append(("tall 64x1024", "thumbnail width 1920", video, MAX_THUMB))
    table.append(("wide 1024x64", "thumbnail width 1920", video, MAX_THUMB))
    table.append(("1080p, 10 s GOP", "thumbnail at 9.9 s, width 1920", video,
                  ThumbnailSpec(9_900, 1920)))  # fmt: skip
    table.append(("4K 4096x2160", "thumbnail at 1.9 s, width 1920", video,
                  ThumbnailSpec(1_900, 1920)))  # fmt: skip
    table.append(("4K 4096x2160", "GIF 1 s, 30 fps, width 640", video, four_k_gif))
    table.append(("8K 8192x4320", "thumbnail width 1920", video, MAX_THUMB))
    table.append(("silent FLAC 30 min", "waveform width 1920", audio, MAX_THUMB))
    table.append(("silent FLAC 2 h", "waveform width 1920", audio, MAX_THUMB))
    for name in ("JPEG 12000x9000 (108 Mpx)", "PNG 7000x7000 (49 Mpx)", "PNG header 20000x20000",
                 "PNG header 9000x9000"):  # fmt: skip
        table.append((name, "thumbnail width 1920", image, MAX_THUMB))
    return [(name, what, kind, spec) for name, what, kind, spec in table if name in found]


def _image_in_fresh_process(path: str, spec: PreviewSpec, answer: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        outcome = f"{len(resize_image(Path(path).read_bytes(), spec)):,} bytes"
    except VideoVectorError as exc:
        outcome = f"{exc.code}: {exc.message}"
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    answer.put((outcome, grown, time.perf_counter() - started))


def measure_image(path: Path, spec: PreviewSpec) -> tuple[str, float, float]:
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    child = context.Process(target=_image_in_fresh_process, args=(str(path), spec, answer))
    child.start()
    result = answer.get(timeout=300)
    child.join()
    return result  # type: ignore[no-any-return]


def compare(source: Path, runs: int) -> None:
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    container, size = "mov,mp4,m4a,3gp,3g2,mj2", (640, 360)
    timings: dict[str, list[float]] = {
        k: [] for k in ("thumb old", "thumb new", "gif old", "gif new")
    }
    for run in range(runs):
        at = (2 * run + 1) * 2.0 + 1.9  # 57 frames after a keyframe
        thumb = ThumbnailSpec(round(at * 1000), 640)
        gif = GifSpec(round(at * 1000), 3000, 320, 10)
        pairs = [
            ("thumb", thumbnail_command(ffmpeg, str(source), thumb, fps=30.0),
             thumbnail_command(ffmpeg, str(source), thumb, None, 30.0, size, container)),
            ("gif", gif_command(ffmpeg, str(source), gif, 30.0),
             gif_command(ffmpeg, str(source), gif, 30.0, (320, 180), container)),
        ]  # fmt: skip
        for kind, old, new in pairs:
            order = [("old", old), ("new", new)][:: 1 if run % 2 else -1]
            for label, argv in order:
                started = time.perf_counter()
                if label == "old":
                    subprocess.run(argv, capture_output=True, check=True)
                else:
                    assert run_limited(argv, 60, RENDER_MEMORY_BYTES).returncode == 0
                timings[f"{kind} {label}"].append(time.perf_counter() - started)
    for kind in ("thumb", "gif"):
        old, new = timings[f"{kind} old"], timings[f"{kind} new"]
        ratios = statistics.median(n / o for n, o in zip(new, old, strict=True))
        print(f"{kind}: old {statistics.median(old) * 1000:.0f} ms, new "
              f"{statistics.median(new) * 1000:.0f} ms, paired new/old {ratios:.3f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=ROOT / ".local/bench/hostile")
    parser.add_argument("--compare", type=Path, help="a 1080p30 source, 2 s keyframes")
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    if options.compare:
        compare(options.compare, options.runs)
        return
    found = samples(options.folder)
    renderer = TimedRenderer()
    print("| input | request | outcome | ffmpeg peak RSS | peak address space | time | limit |")
    print("|---|---|---|---|---|---|---|")
    for name, what, kind, spec in cases(found):
        if kind is MediaType.IMAGE:
            outcome, grown, seconds = measure_image(found[name], spec)
            print(f"| {name} | {what} | {outcome} | {grown:.0f} MB (in-process, Pillow) | - "
                  f"| {seconds * 1000:.0f} ms | - |")  # fmt: skip
            continue
        renderer.limit = 0.0
        source = RenderSource(str(found[name]), kind, None, key=None)
        started = time.perf_counter()
        with ChildPeaks() as peaks:
            try:
                outcome = f"{len(renderer.render(source, spec)):,} bytes"
            except VideoVectorError as exc:
                outcome = f"{exc.code}: {exc.message}"
        seconds = time.perf_counter() - started
        limit = f"{renderer.limit:.0f} s" if renderer.limit else "-"
        memory = f"{peaks.resident_mb:.0f} MB | {peaks.address_mb:.0f} MB"
        print(f"| {name} | {what} | {outcome} | {memory} | {seconds * 1000:.0f} ms | {limit} |")


if __name__ == "__main__":
    main()
