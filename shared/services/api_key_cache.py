"""An instance-local cache in front of the key store (decision 004).

Every request authenticates, so without a cache each one starts with a store round trip. Only
keys that were found are cached, for a short time: a new key works at once, an expiry is
checked on every request against the cached record, and a revocation made elsewhere takes
effect on a warm instance within ``ttl_seconds``. Revocations through this instance take
effect at once.
"""

from __future__ import annotations

from shared.domain.ports import ApiKeyStore
from shared.domain.principals import ApiKeyRecord
from shared.services.found_cache import FoundCache


class CachedApiKeyStore(ApiKeyStore):
    def __init__(self, inner: ApiKeyStore, cache: FoundCache[ApiKeyRecord]) -> None:
        self._inner = inner
        self._cache = cache

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        return self._cache.get(key_hash, lambda: self._inner.get(key_hash))

    def add(self, record: ApiKeyRecord) -> None:
        self._inner.add(record)

    def revoke(self, key_hash: str) -> bool:
        revoked = self._inner.revoke(key_hash)
        self._cache.forget(key_hash)
        return revoked
