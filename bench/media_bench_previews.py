"""The media bench's second half (issue 16): animated formats and storyboards, through the
same in-process media function and emulators as ``bench.media_bench``.

- gif / webp / mp4 of the same clip: bytes and cold render time (each format is its own
  derived object, so each request below renders);
- a storyboard (sprite + its layout) against the same tiles asked one by one as cold
  thumbnails at the tiles' times and size.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

FORMATS = ("gif", "webp", "mp4")


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - started


def compare_formats(
    get: Callable[[str], Any], video_id: str, starts: list[float]
) -> dict[str, tuple[float, float]]:
    """Median (bytes, ms) per format over clips starting at ``starts`` (3 s, 320 px, 10 fps)."""
    sizes: dict[str, list[float]] = {f: [] for f in FORMATS}
    times: dict[str, list[float]] = {f: [] for f in FORMATS}
    for start in starts:
        for name in FORMATS:
            path = (
                f"/api/v2/videos/{video_id}/gif?start_time={start:.3f}"
                f"&duration=3&width=320&fps=10&format={name}"
            )
            reply, seconds = _timed(functools.partial(get, path))
            sizes[name].append(len(reply.data))
            times[name].append(seconds * 1000)
    return {f: (statistics.median(sizes[f]), statistics.median(times[f])) for f in FORMATS}


def compare_storyboard(
    get: Callable[[str], Any], video_id: str, segment_id: str
) -> dict[str, float]:
    """One cold storyboard (sprite, then its JSON from the stored layout) against the same
    tiles as cold thumbnails, one request each."""
    _, sprite_s = _timed(lambda: get(f"/api/v2/videos/{video_id}/storyboard.jpg"))
    board, json_s = _timed(lambda: get(f"/api/v2/videos/{video_id}/storyboard.json"))
    layout = board.get_json()
    tiles = layout["tiles"]
    started = time.perf_counter()
    for tile in tiles:
        # + 0.001 s: a time no earlier request rendered (the names differ), same keyframe.
        get(
            f"/api/v2/videos/segments/{segment_id}/thumbnail?time={tile['start'] + 0.001:.3f}"
            f"&width={layout['tile_width']}"
        )
    singles_s = time.perf_counter() - started
    return {
        "tiles": len(tiles),
        "storyboard_ms": sprite_s * 1000,
        "layout_ms": json_s * 1000,
        "thumbnails_ms": singles_s * 1000,
    }


def report(clips: dict[str, dict[str, tuple[float, float]]], board: dict[str, float]) -> None:
    for clip, formats in clips.items():
        gif_bytes = formats["gif"][0]
        print(f"\nanimated previews, {clip} clip (3 s, 320 px, 10 fps), cold, medians:")
        for name, (size, ms) in formats.items():
            print(
                f"  {name:<5} {size / 1000:8.1f} KB {ms:8.1f} ms   "
                f"{gif_bytes / size:5.1f}x smaller than the GIF"
            )
    print(
        f"\nstoryboard of {board['tiles']:.0f} tiles: {board['storyboard_ms']:.0f} ms "
        f"(+ JSON from the stored layout {board['layout_ms']:.0f} ms); the same tiles as "
        f"{board['tiles']:.0f} cold thumbnails: {board['thumbnails_ms']:.0f} ms = "
        f"{board['thumbnails_ms'] / board['storyboard_ms']:.1f}x the storyboard"
    )
