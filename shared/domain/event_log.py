"""Stored processing events and their place in a user's order.

An event's place is its ``Position``: the store's commit time in microseconds and the record
id. The event id that clients see is the position written as one fixed-width string, so
string order, position order and commit order are the same (docs/decisions/020).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta

from shared.domain.events import EventType, OutgoingEvent

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROS_WIDTH = 17
RECORD_ID_LENGTH = 32
# ASCII digits only: ``\d`` would also take other scripts' digits (Arabic-Indic, full-width),
# which ``int`` reads, so one position would have many spellings.
EVENT_ID_RE = re.compile(rf"^([0-9]{{{MICROS_WIDTH}}})-([0-9a-f]{{{RECORD_ID_LENGTH}}})?$")
MAX_EVENT_ID_LENGTH = MICROS_WIDTH + 1 + RECORD_ID_LENGTH


def micros_of(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def moment_of(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def record_id_for(user_id: str, event_key: str) -> str:
    """The same (user, event_key) always names the same record: a redelivery is a no-op."""
    digest = hashlib.sha256(f"{user_id}\n{event_key}".encode()).hexdigest()
    return digest[:RECORD_ID_LENGTH]


@dataclass(frozen=True, order=True)
class Position:
    """A place in one user's order. An empty ``record_id`` is the place just before every
    event committed at ``micros`` (what a stream that starts "now" resumes from)."""

    micros: int
    record_id: str = ""

    @property
    def event_id(self) -> str:
        return f"{self.micros:0{MICROS_WIDTH}d}-{self.record_id}"

    @property
    def moment(self) -> datetime:
        return moment_of(self.micros)

    @classmethod
    def at(cls, moment: datetime, record_id: str = "") -> Position:
        return cls(micros_of(moment), record_id)

    @classmethod
    def parse(cls, event_id: str) -> Position:
        found = EVENT_ID_RE.fullmatch(event_id)
        if found is None:
            raise ValueError(f"not an event id: {event_id[:80]!r}")
        return cls(int(found.group(1)), found.group(2) or "")


@dataclass(frozen=True)
class EventQuery:
    """One read of a user's log: up to ``limit`` events with ``after < position <= until``,
    in order; with ``read_time``, as the store was at that time (by the store's clock)."""

    user_id: str
    after: Position
    limit: int
    until: Position | None = None
    read_time: datetime | None = None

    def past_until(self, position: Position) -> bool:
        """Beyond the upper bound: a read in order stops there."""
        return self.until is not None and position > self.until


class ReadTimeInFuture(Exception):
    """The store refused a read at a time its own clock has not reached yet (the reader's
    clock is ahead of the store's); read at an earlier time."""


@dataclass(frozen=True)
class StoredEvent(OutgoingEvent):
    """An outgoing event as the log holds it: the same fields, and its place in the order."""

    position: Position = field(kw_only=True)

    @classmethod
    def of(cls, event: OutgoingEvent, position: Position) -> StoredEvent:
        return cls(
            **{f.name: getattr(event, f.name) for f in fields(OutgoingEvent)}, position=position
        )

    @property
    def event_id(self) -> str:
        return self.position.event_id


@dataclass(frozen=True)
class AppendResult:
    """``stored`` is False when the record already existed (a redelivery or a duplicate key).
    ``commit_gap_micros``: how long after its stamp (the position) the write committed, when
    the store reports it; the relay's settle margin must exceed it (docs/decisions/023)."""

    stored: bool
    position: Position
    commit_gap_micros: int | None = None


@dataclass(frozen=True)
class EventFilter:
    """A stream's filters; empty ones match everything."""

    run_id: str | None = None
    index_id: str | None = None
    video_ids: frozenset[str] = frozenset()
    event_types: frozenset[EventType] = frozenset()

    def matches(self, event: StoredEvent) -> bool:
        return (
            (self.run_id is None or event.run_id == self.run_id)
            and (self.index_id is None or event.index_id == self.index_id)
            and (not self.video_ids or event.video_id in self.video_ids)
            and (not self.event_types or event.event_type in self.event_types)
        )
