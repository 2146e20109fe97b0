"""In-memory API key store for unit tests; held to the same contract tests as Firestore's."""

from __future__ import annotations

import threading
from dataclasses import replace

from shared.clock import utcnow
from shared.domain.ports import ApiKeyStore
from shared.domain.principals import ApiKeyRecord


class InMemoryApiKeyStore(ApiKeyStore):
    def __init__(self) -> None:
        self._records: dict[str, ApiKeyRecord] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        return self._records.get(key_hash)

    def add(self, record: ApiKeyRecord) -> None:
        with self._lock:
            if record.key_hash in self._records:
                raise ValueError("duplicate key hash")
            self._records[record.key_hash] = record

    def revoke(self, key_hash: str) -> bool:
        with self._lock:
            record = self._records.get(key_hash)
            if record is None:
                return False
            self._records[key_hash] = replace(record, revoked_at=utcnow())
            return True
