"""Rate-limit counters in Firestore: ``rate_limits/{key_id}-{window}``, incremented with a
server-side transform (no transaction, so no contention aborts), expired by a TTL policy on
``expires_at``."""

from __future__ import annotations

from datetime import UTC, datetime

from google.cloud import firestore

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.ports import RateLimitStore
from shared.domain.rate_limits import Window

COLLECTION = "rate_limits"


class FirestoreRateLimitStore(RateLimitStore):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._collection = client.collection(COLLECTION)
        self._call = call_options(timeout)

    def add(self, window: Window, amount: int) -> int:
        expires = datetime.fromtimestamp(window.start + 2 * window.length, UTC)
        with translated_google_errors("The rate limiter"):
            result = self._collection.document(window.doc_id).set(
                {"count": firestore.Increment(amount), "expires_at": expires},
                merge=True,
                **self._call,
            )
        return int(result.transform_results[0].integer_value)
