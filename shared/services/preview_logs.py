"""What the preview service tells the world: ``media.preview.ready`` once a preview is
stored, and one log line per preview served and per render (the fields the log-based
metrics of infra/monitoring.tf count)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from shared.clock import utcnow
from shared.domain.events import EventType, OutgoingEvent
from shared.domain.ports import EventPublisher
from shared.domain.previews import PreviewSpec, StoryboardSpec, ThumbnailSpec
from shared.domain.records import VideoRecord
from shared.errors import ValidationFailed

logger = logging.getLogger("videovector.previews")


def kind_of(spec: PreviewSpec) -> str:
    if isinstance(spec, StoryboardSpec):
        return "storyboard"
    return "thumbnail" if isinstance(spec, ThumbnailSpec) else "gif"


def announce(
    events: EventPublisher, gcs_uri: str, video: VideoRecord, spec: PreviewSpec, size: int
) -> None:
    name = gcs_uri.split("/", 3)[-1]
    event = OutgoingEvent(
        event_type=EventType.MEDIA_PREVIEW_READY,
        user_id=video.user_id,
        event_key=f"preview-ready:{name}",
        created_at=utcnow(),
        video_id=video.video_id,
        index_id=video.index_id,
        payload={
            "kind": kind_of(spec),
            "gcs_uri": gcs_uri,
            "content_type": spec.content_type,
            "size_bytes": size,
        },
    )
    try:
        events.publish(event)
    except Exception:  # the preview is stored and served; the event is best effort
        logger.warning("media.preview.ready not published for %s", name, exc_info=True)


def log_served(spec: PreviewSpec, tier: str) -> None:
    """``tier``: not_modified, memory, bucket, or made (rendered here or by a lease holder)."""
    logger.info("preview served", extra={"preview_kind": kind_of(spec), "preview_tier": tier})


@contextlib.contextmanager
def logged_render(spec: PreviewSpec) -> Iterator[None]:
    """One log line for the render inside: its outcome and how long it took."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except Exception as error:
        outcome = "unprocessable" if isinstance(error, ValidationFailed) else "failed"
        raise
    finally:
        render_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "preview rendered" if outcome == "ok" else "preview render failed",
            extra={
                "preview_kind": kind_of(spec),
                "render_outcome": outcome,
                "render_ms": render_ms,
            },
        )
