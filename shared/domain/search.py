"""What a segment search reads, and what it finds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.domain.records import SegmentRecord


@dataclass(frozen=True)
class SegmentScope:
    """Which of a user's segments a search reads: the playground (``index_id`` null) unless
    ``index_ids`` names indexes; every run unless ``run_ids`` names some."""

    index_ids: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class NearestQuery:
    """Up to ``limit`` of the user's playground segments (``index_id`` null) embedded with
    ``model_id`` (of one run if given), most similar to ``vector`` first (cosine)."""

    user_id: str
    model_id: str
    vector: Sequence[float]
    limit: int
    run_id: str | None = None


@dataclass(frozen=True)
class StoreFilter:
    """One exact test the store evaluates on a segment: ``path`` is dotted from the document
    root (``metadata.scene.mood``), ``op`` is ``==`` or ``array_contains``."""

    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class ScanQuery:
    """The user's segments in ``scope`` that pass every filter (read a page at a time)."""

    user_id: str
    scope: SegmentScope
    filters: Sequence[StoreFilter]


@dataclass(frozen=True)
class ScoredSegment:
    segment: SegmentRecord
    similarity: float  # cosine similarity, 1.0 = same direction
