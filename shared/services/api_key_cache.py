"""An instance-local cache in front of the key store (decision 004).

Every request authenticates, so without a cache each one starts with a store round trip. Only
keys that were found are cached, for a short time: a new key works at once, an expiry is
checked on every request against the cached record, and a revocation made elsewhere takes
effect on a warm instance within ``ttl_seconds``. Revocations through this instance take
effect at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from shared.domain.ports import ApiKeyStore
from shared.domain.principals import ApiKeyRecord

MAX_ENTRIES = 10_000


class CachedApiKeyStore(ApiKeyStore):
    def __init__(
        self,
        inner: ApiKeyStore,
        ttl_seconds: float,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, ApiKeyRecord]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key_hash)
                return entry[1]
        record = self._inner.get(key_hash)
        with self._lock:
            if record is None:
                self._entries.pop(key_hash, None)
            else:
                self._entries[key_hash] = (now + self._ttl, record)
                self._entries.move_to_end(key_hash)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return record

    def add(self, record: ApiKeyRecord) -> None:
        self._inner.add(record)

    def revoke(self, key_hash: str) -> bool:
        revoked = self._inner.revoke(key_hash)
        with self._lock:
            self._entries.pop(key_hash, None)
        return revoked
