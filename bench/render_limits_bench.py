"""Peak memory and time of every preview kind at the largest parameters allowed, on the worst
shapes (tall, wide, rotated, square, 4K, high fps, long GOP, long silence, huge images).

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.render_limits_bench
    OMP_NUM_THREADS=1 .venv/bin/python -m bench.render_limits_bench --compare SOURCE.mp4

``--compare`` times the renderer's commands before and after the limits, interleaved on one
1080p30 source with 2 s keyframes (media_bench's): the old argv (no demuxer, width-only
scale, plain subprocess) against the new (probe's demuxer, protocol whitelist, fitted size,
address-space ceiling, MALLOC_ARENA_MAX=2), alternating which runs first.

Renders go through the production renderer (FfmpegPreviewRenderer: probe, budget checks,
ffmpeg under its address-space ceiling and wall time) reading local files. GIFs, animated
WebP/MP4 and waveforms are ffmpeg children: their peak resident (VmHWM) and address space
(VmPeak) are read from /proc while they run. Thumbnails and storyboards decode in this process
(PyAV, decision 036): their figure is this process's resident growth (tests/media/
child_peaks.py: OwnPeak), beside the probe's ffmpeg peak on a source's first render. Image
previews decode in-process too (Pillow): each runs in a fresh process that reports its own
peak resident growth. ``--compare``'s thumbnail pair is the command the renderer ran before
decision 036 (bench/raw_thumbnail.py). Samples are made once into .local/bench/hostile/.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import imageio_ffmpeg

from bench.raw_thumbnail import thumbnail_command
from shared.adapters import pyav_previews
from shared.adapters.ffmpeg_commands import gif_command
from shared.adapters.ffmpeg_inputs import run_limited
from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer
from shared.adapters.pillow_previews import resize_image
from shared.domain.preview_ports import RenderSource
from shared.domain.previews import (
    AnimationFormat,
    GifSpec,
    ImageFormat,
    PreviewSpec,
    StoryboardSpec,
    ThumbnailSpec,
)
from shared.domain.records import MediaType
from shared.domain.render_limits import RENDER_MEMORY_BYTES
from shared.errors import VideoVectorError
from tests.media.child_peaks import ChildPeaks, OwnPeak
from tests.media.hostile_samples import large_jpeg, png_header, shaped_clip, silent_flac

ROOT = Path(__file__).resolve().parents[1]
MAX_GIF = GifSpec(0, 10_000, 640, 30)
MAX_THUMB = ThumbnailSpec(0, 1920, ImageFormat.JPG)


class TimedRenderer(FfmpegPreviewRenderer):
    """Remembers the wall-time limit the renderer derived for its last ffmpeg run, or for its
    last in-process decode (``remember_decode_limits``)."""

    limit = 0.0

    def _run(self, argv: list[str], seconds: float, memory_bytes: int | None = None) -> bytes:
        self.limit = seconds
        return super()._run(argv, seconds, memory_bytes)


def remember_decode_limits(renderer: TimedRenderer) -> None:
    """The renderer hands its in-process decodes (pyav_previews.thumbnail and .sprite) their
    wall time as the last argument; wrapped here, for this bench only, to show it."""
    for name in ("thumbnail", "sprite"):
        decode: Callable[..., bytes] = getattr(pyav_previews, name)

        def remembering(*args: Any, decode: Callable[..., bytes] = decode) -> bytes:
            renderer.limit = float(args[-1])
            return decode(*args)

        setattr(pyav_previews, name, remembering)


def only_probes(peaks: ChildPeaks) -> bool:
    """No ffmpeg child but the probe (the first render of a source probes it)."""
    return all("-format_whitelist" in command for command in peaks.commands.values())


def made(path: Path, make: Callable[[Path], Path]) -> Path:
    if not path.exists():
        partial = path.with_name(f"partial-{path.name}")
        make(partial).rename(path)
    return path


# Each input: its file in --folder and how to make it (once; later runs reuse the file).
SAMPLES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "landscape 640x360 30 fps": ("land.mp4", lambda p: shaped_clip(p, 640, 360)),
    "rotated 640x360 (90°)": ("rot.mp4", lambda p: shaped_clip(p, 640, 360, rotation=90)),
    "tall 64x1024": ("tall.mp4", lambda p: shaped_clip(p, 64, 1024)),
    "wide 1024x64": ("wide.mp4", lambda p: shaped_clip(p, 1024, 64)),
    "square 640x640": ("square.mp4", lambda p: shaped_clip(p, 640, 640)),
    "high fps 640x360 240 fps": (
        "hfr.mp4",
        lambda p: shaped_clip(p, 640, 360, fps=240, seconds=11),
    ),
    "4K 4096x2160": ("4k.mp4", lambda p: shaped_clip(p, 4096, 2160, seconds=2, keyframe_seconds=2)),
    "1080p, 10 s GOP": (
        "gop.mp4",
        lambda p: shaped_clip(p, 1920, 1080, seconds=12, keyframe_seconds=10),
    ),
    "20 min 320x180, 2 fps, 10 s GOP": (
        "long.mp4",
        lambda p: shaped_clip(p, 320, 180, fps=2, seconds=1200, keyframe_seconds=10),
    ),
    "8K 8192x4320": ("8k.mp4", lambda p: shaped_clip(p, 8192, 4320, seconds=0.1)),
    "silent FLAC 30 min": ("silence30.flac", lambda p: silent_flac(p, 1800)),
    "silent FLAC 2 h": ("silence120.flac", lambda p: silent_flac(p, 7200)),
    "JPEG 12000x9000 (108 Mpx)": ("photo.jpg", lambda p: large_jpeg(p, 12000, 9000)),
    "PNG 7000x7000 (49 Mpx)": ("big.png", lambda p: _png(p, 7000, 7000)),
    "PNG header 20000x20000": ("bomb.png", lambda p: png_header(p, 20000, 20000)),
    "PNG header 9000x9000": ("claims.png", lambda p: png_header(p, 9000, 9000)),
}


def sample(folder: Path, name: str) -> Path:
    file_name, make = SAMPLES[name]
    folder.mkdir(parents=True, exist_ok=True)
    return made(folder / file_name, make)


def _png(path: Path, width: int, height: int) -> Path:
    from PIL import Image

    Image.new("RGB", (width, height), (10, 120, 60)).save(path, "PNG")
    return path


def cases(only: list[str]) -> list[tuple[str, str, MediaType, PreviewSpec]]:
    """Every case, or those whose input or request names one of ``only``'s texts."""
    square_max = GifSpec(0, 10_000, 640, 16)  # the most fps a square 640 GIF may have
    four_k_gif = GifSpec(0, 1_000, 640, 30)
    video, audio, image = MediaType.VIDEO, MediaType.AUDIO, MediaType.IMAGE
    table: list[tuple[str, str, MediaType, PreviewSpec]] = []
    for name in ("landscape 640x360 30 fps", "rotated 640x360 (90°)", "tall 64x1024",
                 "wide 1024x64", "square 640x640", "high fps 640x360 240 fps"):  # fmt: skip
        table.append((name, "GIF 10 s, 30 fps, width 640", video, MAX_GIF))
    for animation in (AnimationFormat.WEBP, AnimationFormat.MP4):
        spec = GifSpec(0, 10_000, 640, 30, animation)
        table.append(("landscape 640x360 30 fps", f"{animation.value} 10 s, 30 fps, width 640",
                      video, spec))  # fmt: skip
    table.append(("square 640x640", "GIF 10 s, 16 fps, width 640", video, square_max))
    table.append(("tall 64x1024", "thumbnail width 1920", video, MAX_THUMB))
    table.append(("wide 1024x64", "thumbnail width 1920", video, MAX_THUMB))
    table.append(("1080p, 10 s GOP", "thumbnail at 9.9 s, width 1920", video,
                  ThumbnailSpec(9_900, 1920)))  # fmt: skip
    table.append(("4K 4096x2160", "thumbnail at 1.9 s, width 1920", video,
                  ThumbnailSpec(1_900, 1920)))  # fmt: skip
    table.append(("4K 4096x2160", "GIF 1 s, 30 fps, width 640", video, four_k_gif))
    table.append(("8K 8192x4320", "thumbnail width 1920", video, MAX_THUMB))
    # A storyboard's most tiles (100, of the 20 minutes), and its largest frames decoded.
    table.append(("20 min 320x180, 2 fps, 10 s GOP", "storyboard", video, StoryboardSpec()))
    table.append(("4K 4096x2160", "storyboard", video, StoryboardSpec()))
    table.append(("silent FLAC 30 min", "waveform width 1920", audio, MAX_THUMB))
    table.append(("silent FLAC 2 h", "waveform width 1920", audio, MAX_THUMB))
    for name in ("JPEG 12000x9000 (108 Mpx)", "PNG 7000x7000 (49 Mpx)", "PNG header 20000x20000",
                 "PNG header 9000x9000"):  # fmt: skip
        table.append((name, "thumbnail width 1920", image, MAX_THUMB))
    return [
        case for case in table if not only or any(text in f"{case[0]} {case[1]}" for text in only)
    ]


def _image_in_fresh_process(
    path: str, spec: ThumbnailSpec, answer: Queue[tuple[str, float, float]]
) -> None:
    # Not ru_maxrss: Linux keeps it across exec, so a spawned child starts at the bench
    # process's own peak (its in-process decodes) and a smaller image read as +0 MB.
    started = time.perf_counter()
    with OwnPeak() as peak:
        try:
            outcome = f"{len(resize_image(Path(path).read_bytes(), spec)):,} bytes"
        except VideoVectorError as exc:
            outcome = f"{exc.code}: {exc.message}"
    answer.put((outcome, peak.grown_mb, time.perf_counter() - started))


def measure_image(path: Path, spec: ThumbnailSpec) -> tuple[str, float, float]:
    context = multiprocessing.get_context("spawn")
    answer: Queue[tuple[str, float, float]] = context.Queue()
    child = context.Process(target=_image_in_fresh_process, args=(str(path), spec, answer))
    child.start()
    result = answer.get(timeout=300)
    child.join()
    return result


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
        before, after = timings[f"{kind} old"], timings[f"{kind} new"]
        ratios = statistics.median(n / o for n, o in zip(after, before, strict=True))
        old_ms, new_ms = statistics.median(before) * 1000, statistics.median(after) * 1000
        print(f"{kind}: old {old_ms:.0f} ms, new {new_ms:.0f} ms, paired new/old {ratios:.3f}x")


def decoded_here(kind: MediaType, spec: PreviewSpec) -> bool:
    """Thumbnails and storyboards of video decode in this process (decision 036)."""
    return kind is MediaType.VIDEO and isinstance(spec, ThumbnailSpec | StoryboardSpec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=ROOT / ".local/bench/hostile")
    parser.add_argument("--compare", type=Path, help="a 1080p30 source, 2 s keyframes")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="only the cases whose input or request holds this text (repeatable), "
        "e.g. --only storyboard --only '64x1024'; only their samples are made",
    )
    options = parser.parse_args()
    if options.compare:
        compare(options.compare, options.runs)
        return
    renderer = TimedRenderer()
    remember_decode_limits(renderer)
    print("| input | request | outcome | peak RSS | peak address space | time | limit |")
    print("|---|---|---|---|---|---|---|")
    for name, what, kind, spec in cases(options.only):
        path = sample(options.folder, name)
        if kind is MediaType.IMAGE:
            if not isinstance(spec, ThumbnailSpec):
                raise TypeError(f"{name}: only image thumbnails are measured, not {spec}")
            outcome, grown, seconds = measure_image(path, spec)
            print(f"| {name} | {what} | {outcome} | +{grown:.0f} MB in-process (Pillow) | - "
                  f"| {seconds * 1000:.0f} ms | - |")  # fmt: skip
            continue
        renderer.limit = 0.0
        source = RenderSource(str(path), kind, None, key=None)
        started = time.perf_counter()
        with ChildPeaks() as peaks, OwnPeak() as own:
            try:
                outcome = f"{len(renderer.render(source, spec)):,} bytes"
            except VideoVectorError as exc:
                outcome = f"{exc.code}: {exc.message}"
        seconds = time.perf_counter() - started
        limit = f"{renderer.limit:.0f} s" if renderer.limit else "-"
        children = f"{peaks.resident_mb:.0f} MB | {peaks.address_mb:.0f} MB"
        if not peaks.commands:  # a probe of a few ms can end between two samples
            children = "not sampled | -"
        if decoded_here(kind, spec):
            ran = "probe" if only_probes(peaks) else "probe and an ffmpeg render (unexpected)"
            memory = f"+{own.grown_mb:.0f} MB in-process (PyAV); {ran}: {children}"
        else:
            memory = f"ffmpeg: {children}"
        print(f"| {name} | {what} | {outcome} | {memory} | {seconds * 1000:.0f} ms | {limit} |")


if __name__ == "__main__":
    main()
