"""API keys in Firestore: ``api_keys/{sha256 of key}``; the key itself is never stored."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_errors import translated_google_errors
from shared.clock import utcnow
from shared.domain.ports import ApiKeyStore
from shared.domain.principals import ApiKeyRecord, Scope

COLLECTION = "api_keys"


class FirestoreApiKeyStore(ApiKeyStore):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._collection = client.collection(COLLECTION)
        self._call = call_options(timeout)

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        with translated_google_errors("The key store"):
            snapshot = self._collection.document(key_hash).get(**self._call)
        if not snapshot.exists:
            return None
        data: dict[str, Any] = snapshot.to_dict() or {}
        return ApiKeyRecord(
            key_hash=key_hash,
            user_id=data["user_id"],
            scopes=frozenset(Scope(s) for s in data.get("scopes", [])),
            created_at=data["created_at"],
            revoked_at=data.get("revoked_at"),
            expires_at=data.get("expires_at"),
        )

    def add(self, record: ApiKeyRecord) -> None:
        with translated_google_errors("The key store"):
            self._collection.document(record.key_hash).create(
                {
                    "user_id": record.user_id,
                    "scopes": sorted(record.scopes),
                    "created_at": record.created_at,
                    "revoked_at": record.revoked_at,
                    "expires_at": record.expires_at,
                    "key_id": record.key_id,
                },
                **self._call,
            )

    def revoke(self, key_hash: str) -> bool:
        ref = self._collection.document(key_hash)
        with translated_google_errors("The key store"):
            if not ref.get(**self._call).exists:
                return False
            ref.update({"revoked_at": utcnow()}, **self._call)
        return True
