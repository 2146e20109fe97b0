"""Decision 046: the event log's growing timestamps have no automatic single-field index (each
would cap the collection near 500 writes/s), and every query on the log is still served by a
declared composite index."""

from __future__ import annotations

from datetime import UTC, datetime

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from shared.adapters.firestore_event_log import EVENTS, FirestoreEventReader, event_to_doc
from shared.domain.event_log import Position
from shared.domain.events import EventType, OutgoingEvent
from tests.support.firestore_indexes import declared_exemptions, declared_indexes, is_covered
from tests.support.firestore_recorder import QueryShape, shape_of

MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


def test_every_growing_timestamp_of_an_event_is_exempted() -> None:
    """Taken from what the ingest writes, so a new timestamp field is noticed here."""
    event = OutgoingEvent(EventType.MEDIA_CREATED, "u1", "k1", MOMENT)
    document = event_to_doc(event, MOMENT)
    growing = {
        name
        for name, value in document.items()
        if isinstance(value, datetime) or value is firestore.SERVER_TIMESTAMP
    }
    assert growing >= {"committed_at", "created_at", "expires_at"}
    exempt = {field for collection, field in declared_exemptions() if collection == EVENTS}
    assert growing - exempt == set()


def test_event_log_queries_are_served_without_the_exempted_indexes() -> None:
    client = firestore.AsyncClient(project="p", credentials=AnonymousCredentials())
    reader = FirestoreEventReader(client)
    indexes, exempt = declared_indexes(), declared_exemptions()
    cursor, start, bound = Position(1, "a" * 32), Position(1), Position(9)
    for after, until in ((cursor, None), (start, None), (cursor, bound), (start, bound)):
        shape = shape_of(reader.query("u1", after, 10, until)._to_protobuf()._pb)
        assert is_covered(shape, indexes, exempt), shape

    # the rule can fail: the log in commit order across users needed the exempted index
    alone = QueryShape(EVENTS, frozenset(), frozenset(), (("committed_at", "ASCENDING"),))
    assert is_covered(alone, indexes)
    assert not is_covered(alone, indexes, exempt)
