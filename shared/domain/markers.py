"""Markers: one colour and note per user and target."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class TargetType(StrEnum):
    VIDEO = "video"
    SEGMENT = "segment"
    PROMPT = "prompt"
    RUN = "run"
    EXTRACTED_FIELD = "extracted_field"


# Targets whose ``target_id`` is a segment id: a segment, or a field extracted from one.
ON_SEGMENTS = frozenset({TargetType.SEGMENT, TargetType.EXTRACTED_FIELD})


@dataclass(frozen=True)
class MarkerTarget:
    target_type: TargetType
    target_id: str
    field_path: str | None = None

    @property
    def on_segment(self) -> bool:
        return self.target_type in ON_SEGMENTS

    def marker_id_for(self, user_id: str) -> str:
        """The id is derived from user and target, so an upsert needs no lookup to find it."""
        raw = "\0".join([user_id, self.target_type, self.target_id, self.field_path or ""])
        return "mk_" + hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Marker:
    marker_id: str
    user_id: str
    target: MarkerTarget
    color: str | None
    note: str | None
    video_id: str | None
    run_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def etag(self) -> str:
        digest = hashlib.sha256(f"{self.marker_id}:{self.version}".encode()).hexdigest()[:20]
        return f'"{digest}"'

    @classmethod
    def new(cls, user_id: str, changes: MarkerChanges, now: datetime) -> Marker:
        """The first version of the user's marker on ``changes.target``."""
        c = changes
        marker_id = c.target.marker_id_for(user_id)
        return cls(marker_id, user_id, c.target, c.color, c.note, c.video_id, c.run_id, now, now)

    def updated(self, changes: MarkerChanges, now: datetime) -> Marker:
        return replace(
            self,
            color=changes.color,
            note=changes.note,
            video_id=changes.video_id or self.video_id,
            run_id=changes.run_id or self.run_id,
            updated_at=now,
            version=self.version + 1,
        )


@dataclass(frozen=True)
class MarkerChanges:
    """What a PUT sets; the target identifies the marker."""

    target: MarkerTarget
    color: str | None
    note: str | None
    video_id: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class MarkerQuery:
    target_type: TargetType | None = None
    target_id: str | None = None
    video_id: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first answer to a PUT made under an Idempotency-Key, kept for replay."""

    fingerprint: str
    created: bool
    marker: Marker
    expires_at: datetime


@dataclass(frozen=True)
class UpsertResult:
    marker: Marker
    created: bool
    replayed: bool = False


@dataclass(frozen=True)
class UpsertDecision:
    """What one atomic upsert decided: the answer, and what to write (nothing on a replay)."""

    result: UpsertResult
    marker_to_store: Marker | None = None
    idempotency_to_store: IdempotencyRecord | None = None
