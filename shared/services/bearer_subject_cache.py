"""An instance-local cache in front of the subject store, as decision 004 puts one in front of
the key store: without it every bearer request starts with a store round trip.

Only links that were found are cached, for ``ttl_seconds``: a new link works at once, and an
unlink made elsewhere takes effect on a warm instance within ``ttl_seconds`` (through this
instance, at once).
"""

from __future__ import annotations

from shared.domain.bearer import BearerSubjectStore, SubjectLink, subject_digest
from shared.services.found_cache import FoundCache


class CachedBearerSubjectStore(BearerSubjectStore):
    def __init__(self, inner: BearerSubjectStore, cache: FoundCache[SubjectLink]) -> None:
        self._inner = inner
        self._cache = cache

    def get(self, issuer: str, subject: str) -> SubjectLink | None:
        digest = subject_digest(issuer, subject)
        return self._cache.get(digest, lambda: self._inner.get(issuer, subject))

    def link(self, link: SubjectLink) -> None:
        self._inner.link(link)
        self._cache.forget(subject_digest(link.issuer, link.subject))

    def unlink(self, issuer: str, subject: str) -> bool:
        unlinked = self._inner.unlink(issuer, subject)
        self._cache.forget(subject_digest(issuer, subject))
        return unlinked
