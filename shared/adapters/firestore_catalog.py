"""The media catalog in Firestore: ``videos/{video_id}``, ``segments/{segment_id}`` and
``run_videos/{run_id}__{video_id}``, each with the owner's ``user_id``.

Every write is a transaction that reads the documents first: one whose ``user_id`` is
another user's is left as it is and the write raises ``Conflict`` (decision 011), so an
upload under someone else's video id cannot move their records to its uploader."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.vector import Vector

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_documents import from_document, to_document
from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.ports import MediaCatalog
from shared.domain.records import RunVideoStatus, SegmentRecord, VideoRecord
from shared.errors import Conflict
from shared.fan_out import gather_each

VIDEOS = "videos"
SEGMENTS = "segments"
RUN_VIDEOS = "run_videos"
IN_QUERY_LIMIT = 30
SEGMENT_FIELDS = [f.name for f in dataclasses.fields(SegmentRecord)]
WRITE_BATCH_LIMIT = 400  # production allows 500 writes per batch; leave headroom


def run_video_doc_id(run_id: str, video_id: str) -> str:
    return f"{run_id}__{video_id}"


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class FirestoreMediaCatalog(MediaCatalog):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._client = client
        self._call = call_options(timeout)

    def put_video(self, video: VideoRecord) -> None:
        self._put_owned(VIDEOS, [(video.video_id, video.user_id, to_document(video))])

    def put_segments(self, segments: Sequence[SegmentRecord]) -> None:
        for start in range(0, len(segments), WRITE_BATCH_LIMIT):
            self._put_owned(
                SEGMENTS,
                [
                    (s.segment_id, s.user_id, to_document(s))
                    for s in segments[start : start + WRITE_BATCH_LIMIT]
                ],
            )

    def _put_owned(self, collection: str, writes: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Set each ``(doc_id, owner, document)`` in one transaction, unless one of them
        exists under another owner: then nothing is written and ``Conflict`` is raised."""
        refs = {
            doc_id: self._client.collection(collection).document(doc_id) for doc_id, _, _ in writes
        }
        owners = {doc_id: owner for doc_id, owner, _ in writes}

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> None:
            for snapshot in transaction.get_all(list(refs.values()), **self._call):
                stored = (snapshot.to_dict() or {}).get("user_id") if snapshot.exists else None
                if stored is not None and stored != owners[snapshot.id]:
                    raise Conflict(
                        f"{collection}/{snapshot.id} belongs to another user; not overwritten.",
                        code="owned_by_another_user",
                        details={"collection": collection, "id": snapshot.id},
                    )
            for doc_id, _, document in writes:
                transaction.set(refs[doc_id], document)

        with translated_google_errors("The catalog"):
            write(self._client.transaction())

    def put_segment_embeddings(self, model_id: str, vectors: dict[str, list[float]]) -> None:
        """``embedding`` (a Firestore vector) and ``embedding_model`` on each segment."""
        collection = self._client.collection(SEGMENTS)
        items = list(vectors.items())
        with translated_google_errors("The catalog"):
            for start in range(0, len(items), WRITE_BATCH_LIMIT):
                batch = self._client.batch()
                for segment_id, vector in items[start : start + WRITE_BATCH_LIMIT]:
                    batch.update(
                        collection.document(segment_id),
                        {"embedding": Vector(vector), "embedding_model": model_id},
                    )
                batch.commit(**self._call)

    def put_run_status(self, status: RunVideoStatus) -> None:
        doc_id = run_video_doc_id(status.run_id, status.video_id)
        self._put_owned(RUN_VIDEOS, [(doc_id, status.user_id, to_document(status))])

    def get_videos(self, user_id: str, video_ids: Sequence[str]) -> dict[str, VideoRecord]:
        refs = [self._client.collection(VIDEOS).document(v) for v in dict.fromkeys(video_ids)]
        found: dict[str, VideoRecord] = {}
        with translated_google_errors("The catalog"):
            for snapshot in self._client.get_all(refs, **self._call):
                data = snapshot.to_dict() if snapshot.exists else None
                if data and data.get("user_id") == user_id and not data.get("deleted"):
                    found[snapshot.id] = from_document(VideoRecord, data)
        return found

    def get_segment(self, user_id: str, segment_id: str) -> SegmentRecord | None:
        with translated_google_errors("The catalog"):
            snapshot = self._client.collection(SEGMENTS).document(segment_id).get(**self._call)
        data = snapshot.to_dict() if snapshot.exists else None
        if not data or data.get("user_id") != user_id:
            return None
        return from_document(SegmentRecord, data)

    def find_video_by_uri(self, user_id: str, video_uri: str) -> VideoRecord | None:
        q = (
            self._client.collection(VIDEOS)
            .where(filter=FieldFilter("user_id", "==", user_id))
            .where(filter=FieldFilter("video_uri", "==", video_uri))
            .limit(10)
        )
        with translated_google_errors("The catalog"):
            found = [s.to_dict() or {} for s in q.stream(**self._call)]
        live = [from_document(VideoRecord, d) for d in found if not d.get("deleted")]
        return min(live, key=lambda v: v.video_id) if live else None

    def segments_of_videos(
        self, user_id: str, video_ids: Sequence[str], run_id: str | None = None
    ) -> list[SegmentRecord]:
        def narrow(q: firestore.Query) -> firestore.Query:
            if run_id is not None:
                q = q.where(filter=FieldFilter("from_run_id", "==", run_id))
            return q.select(SEGMENT_FIELDS)  # not the embedding: a third of the bytes

        docs = self._documents_of_videos(SEGMENTS, user_id, video_ids, narrow)
        found = [from_document(SegmentRecord, doc) for doc in docs]
        order = {v: i for i, v in enumerate(video_ids)}
        found.sort(key=lambda s: (order.get(s.video_id, 0), s.start_time, s.segment_id))
        return found

    def run_statuses_of_videos(
        self, user_id: str, video_ids: Sequence[str]
    ) -> list[RunVideoStatus]:
        docs = self._documents_of_videos(RUN_VIDEOS, user_id, video_ids)
        found = [from_document(RunVideoStatus, doc) for doc in docs]
        found.sort(key=lambda r: (r.video_id, r.created_at, r.run_id))
        return found

    def _documents_of_videos(
        self,
        collection: str,
        user_id: str,
        video_ids: Sequence[str],
        narrow: Callable[[firestore.Query], firestore.Query] = lambda q: q,
    ) -> list[dict[str, Any]]:
        """The user's documents of ``collection`` on these videos: one query per 30 ids, all
        at once (decision 045)."""

        def chunk_query(chunk: list[str]) -> list[dict[str, Any]]:
            q = (
                self._client.collection(collection)
                .where(filter=FieldFilter("user_id", "==", user_id))
                .where(filter=FieldFilter("video_id", "in", chunk))
            )
            return [s.to_dict() or {} for s in narrow(q).stream(**self._call)]

        with translated_google_errors("The catalog"):
            parts = gather_each(chunk_query, chunks(list(dict.fromkeys(video_ids)), IN_QUERY_LIMIT))
        return [doc for part in parts for doc in part]

    def playground_videos(
        self, user_id: str, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[VideoRecord]:
        q = (
            self._client.collection(VIDEOS)
            .where(filter=FieldFilter("user_id", "==", user_id))
            .where(filter=FieldFilter("index_id", "==", None))
            .where(filter=FieldFilter("deleted", "==", False))
            .order_by("created_at", direction=firestore.Query.DESCENDING)
            .order_by("video_id", direction=firestore.Query.DESCENDING)
        )
        if after is not None:
            q = q.start_after({"created_at": after[0], "video_id": after[1]})
        with translated_google_errors("The catalog"):
            return [
                from_document(VideoRecord, s.to_dict() or {})
                for s in q.limit(limit).stream(**self._call)
            ]
