"""Store one processing event in the log, once, and ring the relays' doorbell."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import utcnow
from shared.domain.event_log import AppendResult
from shared.domain.events import OutgoingEvent
from shared.domain.ports import Doorbell, EventLog

# Records outlive the replay window by a day, so a cursor inside the window always finds its
# record even though ``expires_at`` is set from the ingest clock, before the commit time.
EXPIRY_MARGIN = timedelta(days=1)


def store_event(
    log: EventLog, doorbell: Doorbell, event: OutgoingEvent, retention_days: int
) -> AppendResult:
    expires_at = utcnow() + timedelta(days=retention_days) + EXPIRY_MARGIN
    result = log.append(event, expires_at)
    # A duplicate rings too: the first delivery may have stored the event and then failed
    # before its ring, and ringing twice costs one extra read at most.
    doorbell.ring(event.user_id, result.position)
    return result
