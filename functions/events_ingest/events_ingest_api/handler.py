"""One pushed message: validate at the edge, store once, or dead-letter with the reason.

Invalid messages are acknowledged after they reach the dead-letter topic, so they never block
valid ones; a store or topic that is down raises, so Pub/Sub retries the delivery.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from pydantic import ValidationError

from events_ingest_api.models import INCOMING_EVENT, MAX_MESSAGE_BYTES, PushedMessage
from shared.bootstrap import Container, get_container
from shared.domain.events import OutgoingEvent
from shared.errors import VideoVectorError
from shared.http.validation import load_json_text, validation_details
from shared.services.event_ingest import store_event
from shared.structured_logging import configure_logging

logger = logging.getLogger("videovector.events_ingest")


class InvalidMessage(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def decode_message(envelope: Any) -> tuple[bytes, PushedMessage]:
    try:
        message = PushedMessage.model_validate((envelope or {}).get("message"))
        raw = base64.b64decode(message.data, validate=True)
    except (ValidationError, AttributeError, binascii.Error, ValueError) as exc:
        raise InvalidMessage("malformed_envelope", "Not a Pub/Sub push message.") from exc
    return raw, message


def parse_event(raw: bytes) -> OutgoingEvent:
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(
            "message_too_large", f"{len(raw)} bytes; the limit is {MAX_MESSAGE_BYTES}."
        )
    try:
        data = load_json_text(raw)
    except (UnicodeError, json.JSONDecodeError) as exc:
        raise InvalidMessage("invalid_json", "The message data is not UTF-8 JSON.") from exc
    try:
        return INCOMING_EVENT.validate_python(data)
    except ValidationError as exc:
        problems = validation_details(exc)["errors"]
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidMessage("validation_failed", detail) from exc


def handle_pushed_event(cloud_event: Any, container: Container | None = None) -> None:
    container = container or get_container()
    configure_logging(container.settings.log_level)
    message_id = str(cloud_event["id"])
    raw = b""
    try:
        raw, _ = decode_message(cloud_event.data)
        incoming = parse_event(raw)
    except InvalidMessage as bad:
        container.dead_letters.send(raw, bad.reason, bad.detail, {"source_message_id": message_id})
        logger.warning(
            "dead-lettered an invalid event message",
            extra={
                "ingest_outcome": "dead_lettered",
                "reason": bad.reason,
                "detail": bad.detail,
                "message_id": message_id,
            },
        )
        return
    try:
        result = store_event(
            container.event_log,
            container.doorbell,
            incoming,
            container.settings.event_retention_days,
        )
    except VideoVectorError as error:  # raised on: Pub/Sub redelivers, then dead-letters
        logger.warning(
            "event not stored; Pub/Sub will redeliver it",
            extra={"dependency_error": error.message, "message_id": message_id},
        )
        raise
    logger.info(
        "stored event" if result.stored else "duplicate event ignored",
        extra={
            # The log-based metric of ingested events counts by this field (infra/monitoring.tf).
            "ingest_outcome": "stored" if result.stored else "duplicate",
            "event_id": result.position.event_id,
            "message_id": message_id,
            # Stamp to commit: what the relay's settle margin must cover (decision 023).
            "commit_gap_ms": (
                None if result.commit_gap_micros is None else result.commit_gap_micros / 1000
            ),
        },
    )
