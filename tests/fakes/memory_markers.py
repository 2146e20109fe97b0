"""In-memory marker repository for unit tests; held to the same contract tests as Firestore's."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from shared.domain.markers import IdempotencyRecord, Marker, MarkerQuery, UpsertDecision
from shared.domain.ports import DeleteCheck, MarkerRepository, UpsertDecider


class InMemoryMarkerRepository(MarkerRepository):
    def __init__(self) -> None:
        self._markers: dict[str, Marker] = {}
        self._idempotency: dict[str, IdempotencyRecord] = {}
        self._lock = threading.RLock()

    def get(self, user_id: str, marker_id: str) -> Marker | None:
        marker = self._markers.get(marker_id)
        return marker if marker is not None and marker.user_id == user_id else None

    def find(
        self, user_id: str, query: MarkerQuery, limit: int, after_marker_id: str | None
    ) -> list[Marker]:
        def matches(m: Marker) -> bool:
            return (
                m.user_id == user_id
                and query.target_type in (None, m.target.target_type)
                and query.target_id in (None, m.target.target_id)
                and query.video_id in (None, m.video_id)
                and query.run_id in (None, m.run_id)
                and (after_marker_id is None or m.marker_id > after_marker_id)
            )

        with self._lock:
            return sorted(filter(matches, self._markers.values()), key=lambda m: m.marker_id)[
                :limit
            ]

    def delete(self, user_id: str, marker_id: str, check: DeleteCheck | None = None) -> bool:
        with self._lock:
            current = self.get(user_id, marker_id)
            if current is None:
                return False
            if check is not None:
                check(current)
            del self._markers[marker_id]
            return True

    def for_targets(self, user_id: str, target_ids: Sequence[str]) -> list[Marker]:
        wanted = set(target_ids)
        with self._lock:
            return [
                m
                for m in self._markers.values()
                if m.user_id == user_id and m.target.target_id in wanted
            ]

    def upsert_atomically(
        self, user_id: str, marker_id: str, idempotency_id: str | None, decide: UpsertDecider
    ) -> UpsertDecision:
        with self._lock:
            current = self.get(user_id, marker_id)
            previous = self._idempotency.get(idempotency_id) if idempotency_id else None
            decision = decide(current, previous)
            if decision.marker_to_store is not None:
                self._markers[marker_id] = decision.marker_to_store
            if idempotency_id and decision.idempotency_to_store is not None:
                self._idempotency[idempotency_id] = decision.idempotency_to_store
            return decision
