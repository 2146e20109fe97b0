"""Storyboards: one sprite of evenly spaced tiles, plus the WebVTT / JSON map from time
ranges to tile rectangles that players use for hover scrubbing (Mux's shape).

Bounds (decision 034): 50 tiles for media under 15 minutes, 100 from there on (Mux's
counts), but never more than one tile per second, so a 4 s clip gets 4; tiles fit inside
256 x 256 keeping the media's shape (a 16:9 video gives 256 x 144, a 9:16 one 144 x 256, a
64x1024 strip 16 x 256); at most 10 columns. The largest sprite is therefore 2560 x 2560
(100 tiles), whatever the source's shape or length. An image is a single tile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.domain.previews import ImageFormat, StoryboardSpec
from shared.domain.render_limits import fit_inside

SHORT_MEDIA_TILES = 50
LONG_MEDIA_TILES = 100
LONG_MEDIA_SECONDS = 15 * 60.0
MIN_TILE_SECONDS = 1.0
TILE_BOX = 256
MAX_COLUMNS = 10
STORYBOARD_FORMATS = (ImageFormat.JPG, ImageFormat.WEBP)
__all__ = ["StoryboardLayout", "StoryboardSpec", "Tile", "image_layout", "video_layout", "webvtt"]


@dataclass(frozen=True)
class Tile:
    start: float
    end: float
    x: int
    y: int


@dataclass(frozen=True)
class StoryboardLayout:
    duration: float
    tiles: int
    columns: int
    tile_width: int
    tile_height: int

    @property
    def rows(self) -> int:
        return math.ceil(self.tiles / self.columns)

    @property
    def size(self) -> tuple[int, int]:
        return self.columns * self.tile_width, self.rows * self.tile_height

    def time(self, index: int) -> float:
        """Where tile ``index``'s interval starts (the frame it shows is at or before it)."""
        return self.duration * index / self.tiles

    def tile(self, index: int) -> Tile:
        column, row = index % self.columns, index // self.columns
        end = self.duration if index == self.tiles - 1 else self.time(index + 1)
        return Tile(self.time(index), end, column * self.tile_width, row * self.tile_height)

    def all_tiles(self) -> list[Tile]:
        return [self.tile(index) for index in range(self.tiles)]

    def to_metadata(self) -> dict[str, str]:
        """Stored on the sprite, so its VTT and JSON never disagree with it."""
        return {
            "storyboard_duration": f"{self.duration:.3f}",
            "storyboard_tiles": str(self.tiles),
            "storyboard_columns": str(self.columns),
            "storyboard_tile": f"{self.tile_width}x{self.tile_height}",
        }

    @classmethod
    def from_metadata(cls, metadata: dict[str, str]) -> StoryboardLayout | None:
        try:
            width, height = metadata["storyboard_tile"].split("x")
            return cls(
                float(metadata["storyboard_duration"]),
                int(metadata["storyboard_tiles"]),
                int(metadata["storyboard_columns"]),
                int(width),
                int(height),
            )
        except (KeyError, ValueError):
            return None


def tile_count(duration: float) -> int:
    wanted = LONG_MEDIA_TILES if duration >= LONG_MEDIA_SECONDS else SHORT_MEDIA_TILES
    return max(1, min(wanted, math.floor(duration / MIN_TILE_SECONDS)))


def video_layout(duration: float, width: int, height: int) -> StoryboardLayout:
    """``width`` x ``height``: the frame as shown (after rotation)."""
    tiles = tile_count(duration)
    tile_width, tile_height = fit_inside(width, height, TILE_BOX, TILE_BOX)
    return StoryboardLayout(duration, tiles, min(tiles, MAX_COLUMNS), tile_width, tile_height)


def image_layout(width: int, height: int) -> StoryboardLayout:
    return StoryboardLayout(0.0, 1, 1, width, height)


def timestamp(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def webvtt(layout: StoryboardLayout, sprite_url: str) -> str:
    """One cue per tile: its time range and ``<sprite>#xywh=x,y,w,h``."""
    lines = ["WEBVTT", ""]
    for tile in layout.all_tiles():
        end = max(tile.end, tile.start + 0.001)  # an image's single tile still has a range
        lines.append(f"{timestamp(tile.start)} --> {timestamp(end)}")
        rect = f"{tile.x},{tile.y},{layout.tile_width},{layout.tile_height}"
        lines.extend([f"{sprite_url}#xywh={rect}", ""])
    return "\n".join(lines)
