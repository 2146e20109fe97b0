"""The key cache: it passes the key store contract, and it trusts a found key only briefly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.clock import utcnow
from shared.domain.principals import ApiKeyRecord, Scope, generate_api_key, hash_api_key
from shared.services.api_key_cache import CachedApiKeyStore
from shared.services.found_cache import FoundCache
from tests.contracts.api_key_store import ApiKeyStoreContract
from tests.fakes.memory_api_keys import InMemoryApiKeyStore


class TestCachedApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self) -> CachedApiKeyStore:
        return CachedApiKeyStore(InMemoryApiKeyStore(), FoundCache(30))


class CountingStore(InMemoryApiKeyStore):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        self.gets += 1
        return super().get(key_hash)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def new_record(user: str = "alice") -> ApiKeyRecord:
    return ApiKeyRecord(hash_api_key(generate_api_key()), user, frozenset({Scope.READ}), utcnow())


def test_a_found_key_is_looked_up_once_per_ttl() -> None:
    inner, clock = CountingStore(), Clock()
    cache = CachedApiKeyStore(inner, FoundCache(30, clock=clock))
    record = new_record()
    inner.add(record)
    assert cache.get(record.key_hash) == record
    clock.now += 29
    assert cache.get(record.key_hash) == record
    assert inner.gets == 1
    clock.now += 2
    assert cache.get(record.key_hash) == record
    assert inner.gets == 2


def test_a_revocation_elsewhere_is_seen_after_the_ttl() -> None:
    inner, clock = CountingStore(), Clock()
    cache = CachedApiKeyStore(inner, FoundCache(30, clock=clock))
    record = new_record()
    inner.add(record)
    assert cache.get(record.key_hash) is not None
    inner.revoke(record.key_hash)  # another instance, or the admin command
    clock.now += 31
    cached = cache.get(record.key_hash)
    assert cached is not None and not cached.is_active(utcnow())


def test_a_revocation_through_the_cache_is_seen_at_once() -> None:
    cache = CachedApiKeyStore(InMemoryApiKeyStore(), FoundCache(30, clock=Clock()))
    record = new_record()
    cache.add(record)
    assert cache.get(record.key_hash) is not None
    assert cache.revoke(record.key_hash)
    revoked = cache.get(record.key_hash)
    assert revoked is not None and not revoked.is_active(utcnow())


def test_unknown_keys_are_never_cached() -> None:
    inner = CountingStore()
    cache = CachedApiKeyStore(inner, FoundCache(30, clock=Clock()))
    record = new_record()
    assert cache.get(record.key_hash) is None
    inner.add(record)  # created after a failed attempt: works on the next request
    assert cache.get(record.key_hash) == record
    assert inner.gets == 2


def test_expiry_is_checked_against_the_cached_record() -> None:
    inner = InMemoryApiKeyStore()
    cache = CachedApiKeyStore(inner, FoundCache(30, clock=Clock()))
    record = replace(new_record(), expires_at=utcnow())
    inner.add(record)
    cached = cache.get(record.key_hash)
    assert cached is not None and not cached.is_active(utcnow())


def test_the_cache_is_bounded() -> None:
    inner = CountingStore()
    cache = CachedApiKeyStore(inner, FoundCache(30, max_entries=2, clock=Clock()))
    records = [new_record(f"u{i}") for i in range(3)]
    for record in records:
        inner.add(record)
        cache.get(record.key_hash)
    cache.get(records[0].key_hash)  # evicted first: read again
    assert inner.gets == 4
