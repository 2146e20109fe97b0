"""Ports: the small abstract interfaces services depend on. Adapters implement them."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shared.domain.stored_objects import NO_HEADERS, ObjectAddress
from shared.errors import NotFound

if TYPE_CHECKING:
    # Named in signatures only: every function imports this module, and each needs few of
    # these types at run time (decision 053: import time is paid on every cold start).
    from shared.domain.event_log import AppendResult, EventQuery, Position, StoredEvent
    from shared.domain.events import OutgoingEvent
    from shared.domain.markers import IdempotencyRecord, Marker, MarkerQuery, UpsertDecision
    from shared.domain.media_analysis import DecodedMedia, MediaProbe
    from shared.domain.principals import ApiKeyRecord
    from shared.domain.rate_limits import Window
    from shared.domain.records import RunVideoStatus, SegmentRecord, VideoRecord
    from shared.domain.search import NearestQuery, ScanQuery, ScoredSegment
    from shared.domain.stored_objects import ObjectHeaders, StoredObject

UpsertDecider = Callable[["Marker | None", "IdempotencyRecord | None"], "UpsertDecision"]
DeleteCheck = Callable[["Marker"], None]


class ApiKeyStore(ABC):
    @abstractmethod
    def get(self, key_hash: str) -> ApiKeyRecord | None: ...

    @abstractmethod
    def add(self, record: ApiKeyRecord) -> None: ...

    @abstractmethod
    def revoke(self, key_hash: str) -> bool: ...


class MarkerRepository(ABC):
    @abstractmethod
    def get(self, user_id: str, marker_id: str) -> Marker | None:
        """The user's marker, or None when it is missing or belongs to someone else."""

    @abstractmethod
    def find(
        self, user_id: str, query: MarkerQuery, limit: int, after_marker_id: str | None
    ) -> list[Marker]:
        """Up to ``limit`` markers in ``marker_id`` order, strictly after ``after_marker_id``."""

    @abstractmethod
    def delete(self, user_id: str, marker_id: str, check: DeleteCheck | None = None) -> bool:
        """Delete the user's marker; False when it is missing or someone else's (``check`` is
        then not called). ``check`` sees the current marker in the same atomic step as the
        delete and may raise to abort it; it may run more than once (on contention)."""

    @abstractmethod
    def for_targets(self, user_id: str, target_ids: Sequence[str]) -> list[Marker]:
        """Every marker of the user whose target id is one of ``target_ids``."""

    @abstractmethod
    def upsert_atomically(
        self, user_id: str, marker_id: str, idempotency_id: str | None, decide: UpsertDecider
    ) -> UpsertDecision:
        """Read the marker and idempotency record, call ``decide``, write what it says, as one
        atomic step. ``decide`` may run more than once (on contention) and may raise to abort."""


class EventPublisher(ABC):
    """Where a pipeline sends lifecycle events (the ``processing-events`` topic)."""

    @abstractmethod
    def publish(self, event: OutgoingEvent) -> None:
        """Publish and wait for the broker to accept it."""


class TextEmbedder(ABC):
    """Turns text into unit-length vectors; documents and queries may embed differently."""

    model_id: str
    dimensions: int

    @abstractmethod
    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    @abstractmethod
    def embed_query(self, text: str) -> list[float]: ...


class MediaCatalog(ABC):
    """Videos, segments and per-run progress. Reads filter on the owner: another user's
    record is simply absent."""

    @abstractmethod
    def put_video(self, video: VideoRecord) -> None: ...

    @abstractmethod
    def put_segments(self, segments: Sequence[SegmentRecord]) -> None: ...

    @abstractmethod
    def put_run_status(self, status: RunVideoStatus) -> None: ...

    @abstractmethod
    def get_videos(self, user_id: str, video_ids: Sequence[str]) -> dict[str, VideoRecord]:
        """The user's videos among ``video_ids`` (missing, foreign and deleted ones left out),
        read in one round trip per store batch."""

    @abstractmethod
    def get_segment(self, user_id: str, segment_id: str) -> SegmentRecord | None: ...

    @abstractmethod
    def find_video_by_uri(self, user_id: str, video_uri: str) -> VideoRecord | None:
        """The user's (not deleted) video whose ``video_uri`` is exactly ``video_uri``."""

    @abstractmethod
    def segments_of_videos(
        self, user_id: str, video_ids: Sequence[str], run_id: str | None = None
    ) -> list[SegmentRecord]:
        """The user's segments of those videos (of one run if given), by video then start."""

    @abstractmethod
    def run_statuses_of_videos(
        self, user_id: str, video_ids: Sequence[str]
    ) -> list[RunVideoStatus]: ...

    @abstractmethod
    def put_segment_embeddings(self, model_id: str, vectors: dict[str, list[float]]) -> None:
        """Store one embedding per segment id (with the model id beside it: vectors of
        different models are never compared)."""

    @abstractmethod
    def playground_videos(
        self, user_id: str, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[VideoRecord]:
        """The user's index-less, not deleted videos, newest first (``created_at`` then
        ``video_id``, both descending), strictly after the ``(created_at, video_id)`` given."""


class RateLimitStore(ABC):
    """A counter per key and window, shared by every instance of every function."""

    @abstractmethod
    def add(self, window: Window, amount: int) -> int:
        """Atomically add ``amount`` to the window's counter; return the new total."""


class MediaStore(ABC):
    """The media bucket: original files as users uploaded them. Addresses are ``gs://`` uris;
    a uri outside this store's bucket, or an object that is not there, raises ``NotFound``."""

    bucket: str

    def address_of(self, uri: str) -> ObjectAddress:
        """The object ``uri`` names in this store's bucket; anything else is ``NotFound``."""
        try:
            address = ObjectAddress.parse(uri)
        except ValueError as exc:
            raise NotFound("No such media object.", details={"uri": uri}) from exc
        if address.bucket != self.bucket:
            raise NotFound("No such media object.", details={"uri": uri})
        return address

    @abstractmethod
    def upload(
        self, source: Path, object_name: str, headers: ObjectHeaders = NO_HEADERS
    ) -> StoredObject:
        """Store a local file under ``object_name`` (replacing any older generation)."""

    @abstractmethod
    def stat(self, uri: str) -> StoredObject | None:
        """The object's size, generation and metadata, or None when it is missing."""

    @abstractmethod
    def download(self, uri: str, destination: Path, generation: str | None = None) -> StoredObject:
        """Write the object (that generation, if given) to ``destination``, streamed."""

    @abstractmethod
    def delete(self, uri: str) -> bool: ...

    @contextlib.contextmanager
    def local_copy(
        self, uri: str, generation: str | None = None
    ) -> Iterator[tuple[Path, StoredObject]]:
        """A temporary local copy of the object, removed on exit (ffmpeg wants a file)."""
        import tempfile  # only where media is downloaded: not at every function's start

        with tempfile.TemporaryDirectory(prefix="vv-media-") as folder:
            suffix = Path(uri).suffix if len(Path(uri).suffix) <= 8 else ""
            destination = Path(folder) / f"source{suffix}"
            stored = self.download(uri, destination, generation)
            yield destination, stored


class EventLog(ABC):
    """The write side of the processing-event log (the ingest function)."""

    @abstractmethod
    def append(self, event: OutgoingEvent, expires_at: datetime) -> AppendResult:
        """Store the event once under ``record_id_for(user_id, event_key)``; the store's
        commit time gives its position. A second append of the same key changes nothing and
        answers the first one's position."""


class EventReader(ABC):
    """The read side of the log (the relay): asynchronous, many streams on one loop."""

    @abstractmethod
    async def read(self, query: EventQuery) -> list[StoredEvent]:
        """The events ``query`` asks for, in order. With its ``read_time``, as the store was at
        that time (every write committed by then, none after); raises ``ReadTimeInFuture`` if
        the store's clock has not reached it."""

    @abstractmethod
    async def get(self, user_id: str, record_id: str) -> StoredEvent | None:
        """The user's event with that record id; another user's reads as missing."""


class Doorbell(ABC):
    """Tells relays that a user has new events. Only a hint: relays read the log itself."""

    @abstractmethod
    def ring(self, user_id: str, position: Position) -> None: ...


class DeadLetters(ABC):
    """Where invalid messages go, with the reason, so they never block valid ones."""

    @abstractmethod
    def send(self, data: bytes, reason: str, detail: str, attributes: dict[str, str]) -> None: ...


class UploadNotifier(ABC):
    """Announces a finalized upload to the processing trigger, in the shape of the bucket's
    own OBJECT_FINALIZE notification (which does this by itself in production)."""

    @abstractmethod
    def object_finalized(self, stored: StoredObject) -> None: ...


class MediaAnalyzer(ABC):
    """Reads media files: container facts, then small frames and mono sound for analysis.
    A file that cannot be read, or holds no picture and no sound, raises
    ``UnprocessableMedia`` with a reason a person can read."""

    @abstractmethod
    def probe(self, source: Path) -> MediaProbe: ...

    @abstractmethod
    def decode(self, source: Path, probe: MediaProbe) -> DecodedMedia: ...


class SegmentSearchIndex(ABC):
    """Reads of segments for search. Another user's segments are never seen."""

    @abstractmethod
    def nearest(self, query: NearestQuery) -> list[ScoredSegment]:
        """The segments ``query`` asks for, most similar first."""

    @abstractmethod
    def scan(
        self, query: ScanQuery, after_segment_id: str | None, limit: int
    ) -> list[SegmentRecord]:
        """Up to ``limit`` of the segments ``query`` names, in ``segment_id`` order, strictly
        after ``after_segment_id``."""
