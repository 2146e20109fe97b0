"""Markers in Firestore: ``markers/{marker_id}`` with the owner's ``user_id`` on each document.

Every read checks ``user_id``: a marker of another user reads exactly like a missing one.
Idempotency records live in ``idempotency_keys/{hash}``, expired by a TTL policy on
``expires_at``; an upsert reads and writes both in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.markers import (
    IdempotencyRecord,
    Marker,
    MarkerQuery,
    MarkerTarget,
    TargetType,
    UpsertDecision,
)
from shared.domain.ports import DeleteCheck, MarkerRepository, UpsertDecider
from shared.fan_out import gather_each

MARKERS = "markers"
IDEMPOTENCY = "idempotency_keys"
IN_QUERY_LIMIT = 30


def marker_to_doc(marker: Marker) -> dict[str, Any]:
    return {
        "marker_id": marker.marker_id,
        "user_id": marker.user_id,
        "target_type": marker.target.target_type.value,
        "target_id": marker.target.target_id,
        "field_path": marker.target.field_path,
        "color": marker.color,
        "note": marker.note,
        "video_id": marker.video_id,
        "run_id": marker.run_id,
        "created_at": marker.created_at,
        "updated_at": marker.updated_at,
        "version": marker.version,
    }


def marker_from_doc(doc: dict[str, Any]) -> Marker:
    return Marker(
        marker_id=doc["marker_id"],
        user_id=doc["user_id"],
        target=MarkerTarget(
            TargetType(doc["target_type"]), doc["target_id"], doc.get("field_path")
        ),
        color=doc.get("color"),
        note=doc.get("note"),
        video_id=doc.get("video_id"),
        run_id=doc.get("run_id"),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        version=int(doc.get("version", 1)),
    )


class FirestoreMarkerRepository(MarkerRepository):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._client = client
        self._call = call_options(timeout)
        self._markers = client.collection(MARKERS)
        self._idempotency = client.collection(IDEMPOTENCY)

    def get(self, user_id: str, marker_id: str) -> Marker | None:
        with translated_google_errors("The marker store"):
            snapshot = self._markers.document(marker_id).get(**self._call)
        data = snapshot.to_dict() if snapshot.exists else None
        if not data or data.get("user_id") != user_id:
            return None
        return marker_from_doc(data)

    def find(
        self, user_id: str, query: MarkerQuery, limit: int, after_marker_id: str | None
    ) -> list[Marker]:
        q = self._markers.where(filter=FieldFilter("user_id", "==", user_id))
        for field in ("target_type", "target_id", "video_id", "run_id"):
            value = getattr(query, field)
            if value is not None:
                q = q.where(filter=FieldFilter(field, "==", str(value)))
        q = q.order_by("__name__")
        if after_marker_id is not None:
            q = q.start_after({"__name__": self._markers.document(after_marker_id)})
        with translated_google_errors("The marker store"):
            return [marker_from_doc(s.to_dict() or {}) for s in q.limit(limit).stream(**self._call)]

    def delete(self, user_id: str, marker_id: str, check: DeleteCheck | None = None) -> bool:
        ref = self._markers.document(marker_id)
        transaction = self._client.transaction()

        @firestore.transactional
        def run(tx: firestore.Transaction) -> bool:
            snapshot = ref.get(transaction=tx, **self._call)
            data = snapshot.to_dict() if snapshot.exists else None
            if not data or data.get("user_id") != user_id:
                return False
            if check is not None:
                # Inside the transaction, like PUT's If-Match: no write lands between this
                # check and the delete (a concurrent one waits, or the commit retries and the
                # check runs again on the new version).
                check(marker_from_doc(data))
            tx.delete(ref)
            return True

        with translated_google_errors("The marker store"):
            return bool(run(transaction))

    def for_targets(self, user_id: str, target_ids: Sequence[str]) -> list[Marker]:
        """One query per 30 targets, all at once (decision 045)."""

        def chunk_query(start: int) -> list[Marker]:
            chunk = list(target_ids[start : start + IN_QUERY_LIMIT])
            q = self._markers.where(filter=FieldFilter("user_id", "==", user_id)).where(
                filter=FieldFilter("target_id", "in", chunk)
            )
            return [marker_from_doc(s.to_dict() or {}) for s in q.stream(**self._call)]

        with translated_google_errors("The marker store"):
            parts = gather_each(chunk_query, range(0, len(target_ids), IN_QUERY_LIMIT))
        return [marker for part in parts for marker in part]

    def upsert_atomically(
        self, user_id: str, marker_id: str, idempotency_id: str | None, decide: UpsertDecider
    ) -> UpsertDecision:
        marker_ref = self._markers.document(marker_id)
        idem_ref = self._idempotency.document(idempotency_id) if idempotency_id else None
        transaction = self._client.transaction()

        @firestore.transactional
        def run(tx: firestore.Transaction) -> UpsertDecision:
            snapshot = marker_ref.get(transaction=tx, **self._call)
            data = snapshot.to_dict() if snapshot.exists else None
            current = marker_from_doc(data) if data and data.get("user_id") == user_id else None
            previous = None
            if idem_ref is not None:
                idem = idem_ref.get(transaction=tx, **self._call)
                previous = _idempotency_from_doc(idem.to_dict()) if idem.exists else None
            decision = decide(current, previous)
            if decision.marker_to_store is not None:
                tx.set(marker_ref, marker_to_doc(decision.marker_to_store))
            if idem_ref is not None and decision.idempotency_to_store is not None:
                tx.set(idem_ref, _idempotency_to_doc(user_id, decision.idempotency_to_store))
            return decision

        with translated_google_errors("The marker store"):
            return run(transaction)


def _idempotency_to_doc(user_id: str, record: IdempotencyRecord) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "fingerprint": record.fingerprint,
        "created": record.created,
        "marker": marker_to_doc(record.marker),
        "expires_at": record.expires_at,
    }


def _idempotency_from_doc(doc: dict[str, Any] | None) -> IdempotencyRecord | None:
    if not doc:
        return None
    return IdempotencyRecord(
        fingerprint=doc["fingerprint"],
        created=bool(doc["created"]),
        marker=marker_from_doc(doc["marker"]),
        expires_at=doc["expires_at"],
    )
