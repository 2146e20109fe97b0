"""Server-sent event frames, encoded once per event and shared by every stream."""

from __future__ import annotations

import json
import logging
from typing import Any

from shared.clock import to_iso
from shared.domain.event_log import Position, StoredEvent
from shared.domain.events import STREAM_ERROR_EVENT

HEARTBEAT = b": heartbeat\n\n"
logger = logging.getLogger("videovector.relay")


def event_data(event: StoredEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_type": event.event_type.value,
        "user_id": event.user_id,
        "run_id": event.run_id,
        "video_id": event.video_id,
        "segment_id": event.segment_id,
        "index_id": event.index_id,
        "created_at": to_iso(event.created_at),
        "payload": event.payload,
    }


def _data_line(data: dict[str, Any]) -> str:
    # json.dumps escapes newlines, so the data is always exactly one line.
    return "data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"


def event_frame(event: StoredEvent) -> bytes:
    text = f"id: {event.event_id}\nevent: {event.event_type.value}\n" + _data_line(
        event_data(event)
    )
    return (text + "\n").encode()


def opening_frame(retry_ms: int, start: Position | None) -> bytes:
    """The ``retry:`` hint, and for a stream that starts "now" the position it starts from,
    as an id without data: a client that drops before any event resumes from there."""
    text = f"retry: {retry_ms}\n"
    if start is not None:
        text += f"id: {start.event_id}\n"
    return (text + "\n").encode()


def error_frame(code: str, message: str, retryable: bool, last_event_id: str | None) -> bytes:
    # Every stream the server ends passes here once: counted by reason (infra/monitoring.tf).
    logger.info("stream ended by the server", extra={"stream_end_reason": code})
    data = {
        "code": code,
        "message": message,
        "retryable": retryable,
        "last_event_id": last_event_id,
    }
    text = f"id: {last_event_id}\n" if last_event_id else ""
    text += f"event: {STREAM_ERROR_EVENT}\n" + _data_line(data)
    return (text + "\n").encode()
