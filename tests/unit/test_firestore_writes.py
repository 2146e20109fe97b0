"""The group commit's own encoder writes the same bytes as the client's ``WriteBatch.create``,
for every value an event document holds, and leaves everything else to the client."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import SERVER_TIMESTAMP, GeoPoint, _helpers
from google.cloud.firestore_v1.types import write as write_types

from shared.adapters import firestore_writes
from shared.adapters.firestore_writes import create_write

NAME = "projects/p/databases/(default)/documents/processing_events/rec-1"
NOW = datetime(2026, 12, 6, 13, 50, 1, 123456, tzinfo=UTC)


class Colour(enum.StrEnum):
    RED = "red"


def library_bytes(data: dict[str, Any]) -> bytes:
    (write,) = _helpers.pbs_for_create(NAME, data)
    return write_types.Write.pb(write).SerializeToString(deterministic=True)


EVENT_DOCUMENT = {  # as the event log writes one
    "user_id": "u-1",
    "event_key": "run-1:progress:1",
    "event_type": "prompt_run.progress",
    "created_at": NOW,
    "run_id": "r-1",
    "video_id": None,
    "payload": {"progress": 0.25, "ok": True, "n": -(2**63), "tags": ["a", 1, None]},
    "committed_at": SERVER_TIMESTAMP,
    "expires_at": NOW + timedelta(days=8),
}


@pytest.mark.parametrize(
    "data",
    [
        EVENT_DOCUMENT,
        {"empty_map": {}, "empty_list": [], "nested": {"a": [{"b": [[], {}]}]}},
        {"local_time": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-7)))},
        {"naive_time": datetime(2026, 1, 2, 3, 4, 5)},
        {"dotted.name": 1, "a b": {"c.d": 2}, "`odd`": SERVER_TIMESTAMP},
        {"float": 1e308, "tiny": -0.0, "big": 2**63 - 1},
        # Left to the client's encoder: values an event document never holds.
        {"bytes": b"\x00\x01", "n": 1},
        {"geo": GeoPoint(1.5, 2.5)},
        {"nanos": DatetimeWithNanoseconds(2026, 1, 2, nanosecond=123456789, tzinfo=UTC)},
        {"enum": Colour.RED},
        {"tuple": (1, 2)},
        {"nested_stamp": {"at": SERVER_TIMESTAMP}},
    ],
)
def test_the_bytes_are_the_clients(data: dict[str, Any]) -> None:
    ours = create_write(NAME, data).SerializeToString(deterministic=True)
    assert ours == library_bytes(data)


def test_a_value_the_store_cannot_hold_raises_as_the_client_does() -> None:
    with pytest.raises(ValueError):
        library_bytes({"n": 2**63})
    with pytest.raises(ValueError):
        create_write(NAME, {"n": 2**63})


def test_an_event_document_never_reaches_the_clients_encoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = library_bytes(EVENT_DOCUMENT)

    def refuse(*args: object) -> None:
        raise AssertionError("the slow encoder was used")

    monkeypatch.setattr(firestore_writes._helpers, "pbs_for_create", refuse)
    assert create_write(NAME, EVENT_DOCUMENT).SerializeToString(deterministic=True) == expected
