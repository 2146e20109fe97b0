"""Processing lifecycle events, as publishers send them and the stream delivers them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, ConfigDict, StringConstraints, with_config

from shared.domain.identifiers import RecordId


class EventType(StrEnum):
    MEDIA_CREATED = "media.created"
    MEDIA_PROCESSING_STARTED = "media.processing.started"
    MEDIA_PROCESSING_COMPLETED = "media.processing.completed"
    MEDIA_PROCESSING_FAILED = "media.processing.failed"
    PROMPT_RUN_STARTED = "prompt_run.started"
    PROMPT_RUN_PROGRESS = "prompt_run.progress"
    PROMPT_RUN_COMPLETED = "prompt_run.completed"
    PROMPT_RUN_PARTIAL_COMPLETED = "prompt_run.partial_completed"
    PROMPT_RUN_FAILED = "prompt_run.failed"
    PROMPT_RUN_CANCELLED = "prompt_run.cancelled"
    SEGMENT_PROCESSING_COMPLETED = "segment.processing.completed"
    SEGMENT_PROCESSING_FAILED = "segment.processing.failed"
    MEDIA_PREVIEW_READY = "media.preview.ready"


# The event stream (CONTRACT.md): its path, and the event that ends a stream in-band; the
# relay serves them, the stream client reads them.
STREAM_PATH = "/api/v2/processing/events/stream"
STREAM_ERROR_EVENT = "processing.stream_error"


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
    _storable(value, 1)  # a value the store refuses would fail its whole group commit
    return value


EventKey = Annotated[
    str, StringConstraints(pattern=EVENT_KEY_PATTERN, max_length=MAX_EVENT_KEY_LENGTH)
]
Payload = Annotated[dict[str, Any], AfterValidator(_small_payload)]


# defer_build: the ingest edge's validator is built on its first message (decision 053).
@with_config(ConfigDict(extra="forbid", defer_build=True))
@dataclass(frozen=True)
class OutgoingEvent:
    """What a pipeline publishes on the ``processing-events`` topic.

    ``event_key`` is the publisher's own deduplication key: the same key is stored once.
    The fields carry the message's limits: the ingest function validates a published message
    straight into this class (a pydantic ``TypeAdapter``); code that builds one is trusted.
    """

    event_type: EventType
    user_id: RecordId
    event_key: EventKey
    created_at: AwareDatetime
    run_id: RecordId | None = None
    video_id: RecordId | None = None
    segment_id: RecordId | None = None
    index_id: RecordId | None = None
    payload: Payload = field(default_factory=dict)
