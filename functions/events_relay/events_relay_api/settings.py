"""The relay's own settings, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass(frozen=True)
class RelaySettings:
    heartbeat_seconds: float = 15.0
    # Cloud Run ends a request at its timeout (300 s by default): end the stream first, with
    # a resumable cursor. Raise both together.
    max_stream_seconds: float = 280.0
    # How long a commit time must be in the past before the relay passes it (decision 020).
    settle_ms: float = 1000.0
    retry_ms: int = 2000
    # The doorbell is a hint; each user's feed also reads the log this often.
    poll_seconds: float = 5.0
    # A feed reads the log at most this often: events are handed out in batches, one write
    # per stream per batch, instead of one query and one wake-up per event.
    read_interval_ms: float = 100.0
    # Events waiting for one slow client before its stream is ended (resumably).
    buffer_events: int = 1000
    # "pubsub" (a subscription per instance on the doorbell topic) or "poll" (none).
    doorbell: str = "pubsub"

    @property
    def settle_micros(self) -> int:
        return int(self.settle_ms * 1000)

    @classmethod
    def from_env(cls) -> RelaySettings:
        return cls(
            heartbeat_seconds=_number("VV_STREAM_HEARTBEAT_SECONDS", cls.heartbeat_seconds),
            max_stream_seconds=_number("VV_STREAM_MAX_SECONDS", cls.max_stream_seconds),
            settle_ms=_number("VV_STREAM_SETTLE_MS", cls.settle_ms),
            retry_ms=int(_number("VV_STREAM_RETRY_MS", cls.retry_ms)),
            poll_seconds=_number("VV_STREAM_POLL_SECONDS", cls.poll_seconds),
            read_interval_ms=_number("VV_STREAM_READ_INTERVAL_MS", cls.read_interval_ms),
            buffer_events=int(_number("VV_STREAM_BUFFER_EVENTS", cls.buffer_events)),
            doorbell=os.environ.get("VV_RELAY_DOORBELL", "").strip() or cls.doorbell,
        )
