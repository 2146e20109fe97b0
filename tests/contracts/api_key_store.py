"""Behaviour every ApiKeyStore must have: run against the fake and against Firestore."""

from __future__ import annotations

import uuid

import pytest

from shared.clock import utcnow
from shared.domain.ports import ApiKeyStore
from shared.domain.principals import ApiKeyRecord, Scope, generate_api_key, hash_api_key


class ApiKeyStoreContract:
    @pytest.fixture
    def store(self) -> ApiKeyStore:
        raise NotImplementedError

    def test_add_get_revoke(self, store: ApiKeyStore) -> None:
        key_hash = hash_api_key(generate_api_key())
        user = f"u-{uuid.uuid4().hex[:8]}"
        store.add(ApiKeyRecord(key_hash, user, frozenset({Scope.READ}), utcnow()))
        got = store.get(key_hash)
        assert got is not None and got.user_id == user and got.scopes == {Scope.READ}
        assert got.is_active(utcnow())
        assert store.revoke(key_hash) is True
        revoked = store.get(key_hash)
        assert revoked is not None and not revoked.is_active(utcnow())

    def test_unknown_hash(self, store: ApiKeyStore) -> None:
        assert store.get(hash_api_key(generate_api_key())) is None
        assert store.revoke(hash_api_key(generate_api_key())) is False

    def test_duplicate_hash_is_refused(self, store: ApiKeyStore) -> None:
        record = ApiKeyRecord(
            hash_api_key(generate_api_key()), "u", frozenset({Scope.READ}), utcnow()
        )
        store.add(record)
        with pytest.raises(Exception):  # noqa: B017 - each store raises its own kind
            store.add(record)
