"""Marker use cases: upsert with If-Match and Idempotency-Key, list, delete, attach."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from shared.clock import utcnow
from shared.domain.markers import (
    IdempotencyRecord,
    Marker,
    MarkerChanges,
    MarkerQuery,
    MarkerTarget,
    TargetType,
    UpsertDecision,
    UpsertResult,
)
from shared.domain.ports import MarkerRepository, MediaCatalog
from shared.domain.principals import Principal
from shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from shared.pagination import CursorId, Page, decode_cursor, paginate

CURSOR_KIND = "markers"


def idempotency_id(user_id: str, key: str) -> str:
    return hashlib.sha256(f"{user_id}\0PUT /markers\0{key}".encode()).hexdigest()


def _if_match_holds(if_match: str | None, current: Marker | None) -> bool:
    if if_match is None:
        return True
    if current is None:
        return False
    candidates = {tag.strip() for tag in if_match.split(",")}
    return "*" in candidates or current.etag in candidates


class MarkerService:
    """Marker use cases on one repository, one call per handler; built in
    ``shared/bootstrap.py`` (decision 009). ``catalog`` is asked for on first use: only a PUT
    on a segment or extracted field reads it (decision 053: a cold start pays every import)."""

    def __init__(
        self,
        repo: MarkerRepository,
        catalog: Callable[[], MediaCatalog],
        idempotency_ttl: timedelta = timedelta(hours=24),
    ) -> None:
        self._repo = repo
        self._catalog = catalog
        self._idempotency_ttl = idempotency_ttl

    def upsert_marker(
        self,
        principal: Principal,
        changes: MarkerChanges,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> UpsertResult:
        user_id = principal.user_id
        marker_id = changes.target.marker_id_for(user_id)
        idem_id = idempotency_id(user_id, idempotency_key) if idempotency_key else None
        ttl = self._idempotency_ttl
        owning_video_id = self._owning_video_id(user_id, changes.target)

        def decide(current: Marker | None, previous: IdempotencyRecord | None) -> UpsertDecision:
            now = utcnow()
            if previous is not None and previous.expires_at > now:
                if previous.fingerprint != fingerprint:
                    raise Conflict(
                        "This Idempotency-Key was used with a different request.",
                        code="idempotency_request_mismatch",
                    )
                return UpsertDecision(result=_replayed(previous))
            # After the replay: a retry answers what the first request got, whatever the
            # catalog says now.
            settled = _with_video_id(changes, owning_video_id)
            if not _if_match_holds(if_match, current):
                raise PreconditionFailed(
                    "If-Match does not match the marker's current ETag.",
                    details={"marker_id": marker_id},
                )
            if current is None:
                marker = Marker.new(user_id, settled, now)
            else:
                marker = current.updated(settled, now)
            result = UpsertResult(marker=marker, created=current is None)
            record = None
            if idem_id is not None:
                record = IdempotencyRecord(
                    fingerprint=fingerprint,
                    created=result.created,
                    marker=marker,
                    expires_at=now + ttl,
                )
            return UpsertDecision(
                result=result, marker_to_store=marker, idempotency_to_store=record
            )

        return self._repo.upsert_atomically(user_id, marker_id, idem_id, decide).result

    def _owning_video_id(self, user_id: str, target: MarkerTarget) -> str | None:
        """The video ``target`` belongs to, when the store knows: a video is its own; a segment,
        or a field on one, is its segment's (one point read of the caller's catalog, where
        another user's segment reads as missing). None for prompts, runs and unknown segments."""
        if target.target_type is TargetType.VIDEO:
            return target.target_id
        if not target.on_segment:
            return None
        segment = self._catalog().get_segment(user_id, target.target_id)
        return segment.video_id if segment is not None else None

    def list_markers(
        self, principal: Principal, query: MarkerQuery, limit: int, cursor: str | None
    ) -> Page[Marker]:
        after = decode_cursor(CURSOR_KIND, cursor, {"id": CursorId})["id"] if cursor else None
        fetched = self._repo.find(principal.user_id, query, limit + 1, after)
        return paginate(fetched, limit, CURSOR_KIND, lambda m: {"id": m.marker_id})

    def get_marker(self, principal: Principal, marker_id: str) -> Marker:
        marker = self._repo.get(principal.user_id, marker_id)
        if marker is None:
            raise NotFound("No marker with this id.", details={"marker_id": marker_id})
        return marker

    def delete_marker(
        self, principal: Principal, marker_id: str, *, if_match: str | None = None
    ) -> None:
        """Delete the caller's marker; with ``if_match``, only while it holds (checked
        atomically with the delete). A missing or foreign marker is a 404 whatever it says."""

        def check(current: Marker) -> None:
            if not _if_match_holds(if_match, current):
                raise PreconditionFailed(
                    "If-Match does not match the marker's current ETag.",
                    details={"marker_id": marker_id},
                )

        check_if_match = check if if_match is not None else None
        if not self._repo.delete(principal.user_id, marker_id, check_if_match):
            raise NotFound("No marker with this id.", details={"marker_id": marker_id})


def _with_video_id(changes: MarkerChanges, owning_video_id: str | None) -> MarkerChanges:
    """``video_id`` names the video the target belongs to whenever that is known, so listing a
    video's markers finds them all; a body naming another video is refused, not stored."""
    if owning_video_id is None:
        return changes
    if changes.video_id not in (None, owning_video_id):
        raise ValidationFailed(
            "Invalid fields: video_id.",
            details={
                "errors": [
                    {
                        "field": "video_id",
                        "message": f"The target belongs to video {owning_video_id}.",
                        "type": "video_id_mismatch",
                    }
                ]
            },
        )
    return replace(changes, video_id=owning_video_id)


def _replayed(previous: IdempotencyRecord) -> UpsertResult:
    return UpsertResult(marker=previous.marker, created=previous.created, replayed=True)
