"""Ports: the small abstract interfaces services depend on. Adapters implement them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

from shared.domain.markers import (
    IdempotencyRecord,
    Marker,
    MarkerQuery,
    UpsertDecision,
)
from shared.domain.principals import ApiKeyRecord

UpsertDecider = Callable[[Marker | None, IdempotencyRecord | None], UpsertDecision]


class ApiKeyStore(ABC):
    @abstractmethod
    def get(self, key_hash: str) -> ApiKeyRecord | None: ...

    @abstractmethod
    def add(self, record: ApiKeyRecord) -> None: ...

    @abstractmethod
    def revoke(self, key_hash: str) -> bool: ...


class MarkerRepository(ABC):
    @abstractmethod
    def get(self, user_id: str, marker_id: str) -> Marker | None:
        """The user's marker, or None when it is missing or belongs to someone else."""

    @abstractmethod
    def find(
        self, user_id: str, query: MarkerQuery, limit: int, after_marker_id: str | None
    ) -> list[Marker]:
        """Up to ``limit`` markers in ``marker_id`` order, strictly after ``after_marker_id``."""

    @abstractmethod
    def delete(self, user_id: str, marker_id: str) -> bool: ...

    @abstractmethod
    def for_targets(self, user_id: str, target_ids: Sequence[str]) -> list[Marker]:
        """Every marker of the user whose target id is one of ``target_ids``."""

    @abstractmethod
    def upsert_atomically(
        self, user_id: str, marker_id: str, idempotency_id: str | None, decide: UpsertDecider
    ) -> UpsertDecision:
        """Read the marker and idempotency record, call ``decide``, write what it says, as one
        atomic step. ``decide`` may run more than once (on contention) and may raise to abort."""
