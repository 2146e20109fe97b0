"""How fast the reference pipeline processes a 60 s 720p clip, against the clip's duration
and against the raw ffmpeg decode floor, measured in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.processing_bench --repeat 5

The clip (60 s, 1280x720, 30 fps, H.264 + AAC, six 10 s scenes: ffmpeg's moving testsrc2
pattern alternating with flat colours and a sweeping box) is rendered once into
.local/bench/. Records and events go to the in-memory fakes, so the figure is the work
itself (download excluded: the file is local); the embedder is the real e5 model, loaded
before timing starts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from shared.adapters.e5_embedder import E5SmallEmbedder
from shared.adapters.ffmpeg_analyzer import FfmpegMediaAnalyzer, ffmpeg_executable
from shared.adapters.ffmpeg_synthesis import render
from shared.domain.media_recipes import MediaRecipe, SceneRecipe
from shared.domain.records import MediaType
from shared.services.processing import Outcome, ProcessingPorts, process_upload
from shared.services.processing_records import MediaUpload
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_events import InMemoryEventPublisher
from tests.fakes.memory_media import InMemoryMediaStore

ROOT = Path(__file__).resolve().parents[1]
S = SceneRecipe
BENCH_CLIP = MediaRecipe(
    "bench-60s-720p.mp4",
    MediaType.VIDEO,
    (
        S(10, pattern="testsrc2", tone_hz=440, volume=2),
        S(10, "red", moving_box=True, tone_hz=660),
        S(10, pattern="testsrc2"),
        S(10, "blue", accent="white", tone_hz=220, volume=4),
        S(10, pattern="testsrc2", tone_hz=880, volume=0.2),
        S(10, "green", moving_box=True),
    ),
    width=1280,
    height=720,
    fps=30,
)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def decode_floor(clip: Path) -> None:
    """ffmpeg decoding every frame and sample, writing nothing: no pipeline can beat this."""
    argv = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(clip)]
    subprocess.run([*argv, "-f", "null", "-"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    clip = ROOT / ".local" / "bench" / BENCH_CLIP.name
    if not clip.exists():
        print(f"rendering {clip.relative_to(ROOT)} ...", flush=True)
        render(BENCH_CLIP, clip)
    embedder = E5SmallEmbedder()
    embedder.embed_documents(["warm-up"])  # load the model outside the timings
    analyzer = FfmpegMediaAnalyzer()
    probe = analyzer.probe(clip)
    floor: list[float] = []
    decode: list[float] = []
    whole: list[float] = []
    segments = 0
    for i in range(args.repeat):
        floor.append(timed(lambda: decode_floor(clip)))
        decode.append(timed(lambda: analyzer.decode(clip, probe)))
        media = InMemoryMediaStore()
        stored = media.upload(clip, f"users/bench/videos/v{i}/{clip.name}")
        catalog = InMemoryMediaCatalog()
        ports = ProcessingPorts(media, analyzer, catalog, InMemoryEventPublisher(), embedder)
        upload = MediaUpload(stored.uri, stored.generation, "bench", f"v{i}", clip.name)
        started = time.perf_counter()
        outcome = process_upload(ports, upload)
        whole.append(time.perf_counter() - started)
        assert outcome is Outcome.PROCESSED
        segments = len(catalog.segments)
    duration = probe.duration_seconds or 60.0
    rows = [
        ("ffmpeg decode floor (-f null)", floor),
        ("analyzer decode (frames + sound)", decode),
        ("whole job (probe → events)", whole),
    ]
    print(
        f"\n{clip.name}: {duration:.1f} s, {probe.width}x{probe.height} @ {probe.fps} fps, "
        f"{segments} segments; median of {args.repeat} runs\n"
    )
    print("| step | median s | min s | x real time |")
    print("|---|---|---|---|")
    for label, values in rows:
        median = statistics.median(values)
        print(f"| {label} | {median:.2f} | {min(values):.2f} | {median / duration:.3f} |")


if __name__ == "__main__":
    main()
