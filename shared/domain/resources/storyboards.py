"""The storyboard's JSON (Mux's ``storyboard.json`` shape, with each tile's end added)."""

from __future__ import annotations

from shared.domain.resources.base import ResponseModel


class StoryboardTile(ResponseModel):
    start: float  # seconds: the cue's start (the tile shows the keyframe at or before it)
    end: float
    x: int
    y: int


class StoryboardResponse(ResponseModel):
    url: str  # the sprite: a keyless preview link an <img> can load (expires like the others)
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    duration: float
    tiles: list[StoryboardTile]
