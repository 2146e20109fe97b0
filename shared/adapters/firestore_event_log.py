"""The processing-event log in Firestore: ``processing_events/{record_id}``.

The record id is derived from (user_id, event_key), so a redelivery hits the same document and
``create`` (an exists=false precondition) turns it into a no-op. ``committed_at`` is the
server's ``SERVER_TIMESTAMP``: the time it received the write, not its commit time
(docs/decisions/023); with the record id it is the event's position.
``expires_at`` drives the TTL policy that enforces retention in production.

Queries need the composite index (user_id ASC, committed_at ASC, __name__ ASC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.async_query import AsyncQuery
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_errors import translated_google_errors
from shared.adapters.firestore_group_commit import GroupCommit
from shared.domain.event_log import (
    AppendResult,
    EventQuery,
    Position,
    ReadTimeInFuture,
    StoredEvent,
    micros_of,
    record_id_for,
)
from shared.domain.events import EventType, OutgoingEvent
from shared.domain.ports import EventLog, EventReader

EVENTS = "processing_events"
COMMITTED_AT = "committed_at"
EXPIRES_AT = "expires_at"


def event_to_doc(event: OutgoingEvent, expires_at: datetime) -> dict[str, Any]:
    return {
        "user_id": event.user_id,
        "event_key": event.event_key,
        "event_type": event.event_type.value,
        "created_at": event.created_at,
        "run_id": event.run_id,
        "video_id": event.video_id,
        "segment_id": event.segment_id,
        "index_id": event.index_id,
        "payload": event.payload,
        COMMITTED_AT: firestore.SERVER_TIMESTAMP,
        EXPIRES_AT: expires_at,
    }


def event_from_doc(record_id: str, doc: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        position=Position.at(doc[COMMITTED_AT], record_id),
        event_type=EventType(doc["event_type"]),
        user_id=doc["user_id"],
        event_key=doc["event_key"],
        created_at=doc["created_at"],
        run_id=doc.get("run_id"),
        video_id=doc.get("video_id"),
        segment_id=doc.get("segment_id"),
        index_id=doc.get("index_id"),
        payload=dict(doc.get("payload") or {}),
    )


class FirestoreEventLog(EventLog):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._events = client.collection(EVENTS)
        self._call = call_options(timeout)
        self._writes = GroupCommit(client, self._call)

    def append(self, event: OutgoingEvent, expires_at: datetime) -> AppendResult:
        record_id = record_id_for(event.user_id, event.event_key)
        ref = self._events.document(record_id)
        with translated_google_errors("The event store"):
            written = self._writes.create(ref, event_to_doc(event, expires_at))
            if written is None:  # already there: stored by an earlier delivery
                # The rare path: read the first delivery's position back.
                snapshot = ref.get(field_paths=[COMMITTED_AT], **self._call)
                return AppendResult(False, Position.at(snapshot.get(COMMITTED_AT), record_id))
        # The write result carries the value SERVER_TIMESTAMP resolved to (its one transform),
        # so no read-back is needed; ``update_time`` is the real commit time. Their gap is what
        # the relay's settle margin must cover (docs/decisions/023), so it is reported.
        stamped = written.transform_results[0].timestamp_value
        gap = micros_of(written.update_time) - micros_of(stamped)
        return AppendResult(True, Position.at(stamped, record_id), commit_gap_micros=gap)


class FirestoreEventReader(EventReader):
    def __init__(
        self, client: firestore.AsyncClient, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
        self._events = client.collection(EVENTS)
        self._timeout = timeout

    async def read(self, query: EventQuery) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        read_time = query.read_time
        with translated_google_errors("The event store"):
            store_query = self.query(query.user_id, query.after, query.limit, query.until)
            try:
                async for snapshot in store_query.stream(
                    timeout=self._timeout, read_time=read_time
                ):
                    event = event_from_doc(snapshot.id, snapshot.to_dict() or {})
                    if query.past_until(event.position):
                        break  # same commit time as ``until``, later record id
                    found.append(event)
            except gexc.InvalidArgument as exc:
                if read_time is not None and "future" in str(exc):
                    raise ReadTimeInFuture(str(exc)) from exc
                raise
        return found

    def query(
        self, user_id: str, after: Position, limit: int, until: Position | None = None
    ) -> AsyncQuery:
        """The query ``read`` runs (public so a test can check it against the indexes)."""
        query = self._events.where(filter=FieldFilter("user_id", "==", user_id))
        if until is not None:
            query = query.where(filter=FieldFilter(COMMITTED_AT, "<=", until.moment))
        query = query.order_by(COMMITTED_AT).order_by("__name__")
        if after.record_id:
            query = query.start_after(
                {COMMITTED_AT: after.moment, "__name__": self._events.document(after.record_id)}
            )
        else:
            query = query.where(filter=FieldFilter(COMMITTED_AT, ">=", after.moment))
        return query.limit(limit)

    async def get(self, user_id: str, record_id: str) -> StoredEvent | None:
        with translated_google_errors("The event store"):
            snapshot = await self._events.document(record_id).get(timeout=self._timeout)
        data = snapshot.to_dict() if snapshot.exists else None
        if not data or data.get("user_id") != user_id:
            return None
        return event_from_doc(record_id, data)
