"""One trigger message → one processing job. Returning acknowledges the message; raising
(only for a dependency that is down) makes Pub/Sub deliver it again later."""

from __future__ import annotations

import logging
from typing import Any

from processing_worker_api.messages import Ignored, parse_trigger
from shared.bootstrap import get_container
from shared.structured_logging import configure_logging

logger = logging.getLogger("videovector.processing_worker")


def handle_upload_event(cloud_event: Any) -> None:
    container = get_container()
    configure_logging(container.settings.log_level)
    event_id = cloud_event.get("id")
    try:
        upload = parse_trigger(
            cloud_event.get("type") or "", cloud_event.data, container.settings.media_bucket
        )
    except Ignored as reason:
        logger.warning("trigger %s acknowledged without processing: %s", event_id, reason)
        return
    outcome = container.upload_processing.process_upload(upload)
    logger.info(
        "trigger %s: %s",
        event_id,
        outcome.value,
        extra={"video_id": upload.video_id, "outcome": outcome.value},
    )
