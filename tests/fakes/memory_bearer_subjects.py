"""In-memory subject links for unit tests; held to the same contract tests as Firestore's."""

from __future__ import annotations

import threading

from shared.domain.bearer import BearerSubjectStore, SubjectLink, subject_digest


class InMemoryBearerSubjectStore(BearerSubjectStore):
    def __init__(self) -> None:
        self._links: dict[str, SubjectLink] = {}
        self._lock = threading.Lock()

    def get(self, issuer: str, subject: str) -> SubjectLink | None:
        return self._links.get(subject_digest(issuer, subject))

    def link(self, link: SubjectLink) -> None:
        with self._lock:
            self._links[subject_digest(link.issuer, link.subject)] = link

    def unlink(self, issuer: str, subject: str) -> bool:
        with self._lock:
            return self._links.pop(subject_digest(issuer, subject), None) is not None
