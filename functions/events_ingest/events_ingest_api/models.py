"""The processing-event message as publishers send it, with every limit named."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.events import EventType, OutgoingEvent
from shared.http.validation import RecordId, StrictModel

MAX_MESSAGE_BYTES = 256 * 1024
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_EVENT_KEY_LENGTH = 256
EVENT_KEY_PATTERN = r"^[!-~]+$"  # printable ASCII without spaces


# What a Firestore document can hold: maps and arrays nested at most 20 deep, 64-bit integers.
MAX_PAYLOAD_DEPTH = 20
INT64 = range(-(2**63), 2**63)


def _storable(value: Any, depth: int) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value not in INT64:
        raise ValueError("payload holds an integer outside the 64-bit range")
    if isinstance(value, dict | list):
        if depth >= MAX_PAYLOAD_DEPTH:
            raise ValueError(f"payload nests deeper than {MAX_PAYLOAD_DEPTH} levels")
        for item in value.values() if isinstance(value, dict) else value:
            _storable(item, depth + 1)


def _small_payload(value: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(value, separators=(",", ":")).encode())
    if size > MAX_PAYLOAD_BYTES:
        raise ValueError(f"payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    _storable(value, 1)
    return value


EventKey = Annotated[
    str, StringConstraints(pattern=EVENT_KEY_PATTERN, max_length=MAX_EVENT_KEY_LENGTH)
]


class IncomingEvent(StrictModel):
    event_type: EventType
    user_id: RecordId
    event_key: EventKey
    created_at: AwareDatetime
    run_id: RecordId | None = None
    video_id: RecordId | None = None
    segment_id: RecordId | None = None
    index_id: RecordId | None = None
    payload: Annotated[dict[str, Any], AfterValidator(_small_payload)] = Field(default_factory=dict)

    def to_event(self) -> OutgoingEvent:
        # The fields are the event's, name for name: validated here, trusted past the edge.
        return OutgoingEvent(**dict(self))


class PushedMessage(BaseModel):
    """The Pub/Sub message inside the CloudEvent (other fields are Pub/Sub's, not ours)."""

    model_config = ConfigDict(extra="ignore")

    data: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
