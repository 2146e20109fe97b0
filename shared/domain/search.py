"""What a segment search reads, and what it finds."""

from __future__ import annotations

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
class StoreFilter:
    """One exact test the store evaluates on a segment: ``path`` is dotted from the document
    root (``metadata.scene.mood``), ``op`` is ``==`` or ``array_contains``."""

    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class ScoredSegment:
    segment: SegmentRecord
    similarity: float  # cosine similarity, 1.0 = same direction
