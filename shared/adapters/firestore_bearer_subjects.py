"""Subject links in Firestore: ``bearer_subjects/{sha256(issuer, subject)}`` holds the user id
(decision 007). The issuer and subject are kept beside it so an operator can read the link."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.bearer import BearerSubjectStore, SubjectLink, subject_digest

COLLECTION = "bearer_subjects"


class FirestoreBearerSubjectStore(BearerSubjectStore):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._collection = client.collection(COLLECTION)
        self._call = call_options(timeout)

    def get(self, issuer: str, subject: str) -> SubjectLink | None:
        with translated_google_errors("The subject store"):
            snapshot = self._collection.document(subject_digest(issuer, subject)).get(**self._call)
        if not snapshot.exists:
            return None
        data: dict[str, Any] = snapshot.to_dict() or {}
        # A digest is no proof: the stored pair must be the pair asked for.
        if data.get("issuer") != issuer or data.get("subject") != subject:
            return None
        return SubjectLink(issuer, subject, data["user_id"], data["created_at"])

    def link(self, link: SubjectLink) -> None:
        with translated_google_errors("The subject store"):
            self._collection.document(subject_digest(link.issuer, link.subject)).set(
                {
                    "issuer": link.issuer,
                    "subject": link.subject,
                    "user_id": link.user_id,
                    "created_at": link.created_at,
                },
                **self._call,
            )

    def unlink(self, issuer: str, subject: str) -> bool:
        ref = self._collection.document(subject_digest(issuer, subject))
        with translated_google_errors("The subject store"):
            if not ref.get(**self._call).exists:
                return False
            ref.delete(**self._call)
        return True
