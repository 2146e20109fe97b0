"""An instance-local cache in front of the subject store, as decision 004 puts one in front of
the key store: without it every bearer request starts with a store round trip.

Only links that were found are cached, for ``ttl_seconds``: a new link works at once, and an
unlink made elsewhere takes effect on a warm instance within ``ttl_seconds`` (through this
instance, at once).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from shared.domain.bearer import BearerSubjectStore, SubjectLink, subject_digest

MAX_ENTRIES = 10_000


class CachedBearerSubjectStore(BearerSubjectStore):
    def __init__(
        self,
        inner: BearerSubjectStore,
        ttl_seconds: float,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, SubjectLink]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, issuer: str, subject: str) -> SubjectLink | None:
        digest = subject_digest(issuer, subject)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(digest)
                return entry[1]
        link = self._inner.get(issuer, subject)
        with self._lock:
            if link is None:
                self._entries.pop(digest, None)
            else:
                self._entries[digest] = (now + self._ttl, link)
                self._entries.move_to_end(digest)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return link

    def link(self, link: SubjectLink) -> None:
        self._inner.link(link)
        with self._lock:
            self._entries.pop(subject_digest(link.issuer, link.subject), None)

    def unlink(self, issuer: str, subject: str) -> bool:
        unlinked = self._inner.unlink(issuer, subject)
        with self._lock:
            self._entries.pop(subject_digest(issuer, subject), None)
        return unlinked
