"""Render leases in Firestore: ``render_leases/{sha256(key)}`` holds the holder and an expiry.

``create`` is a precondition the emulator enforces like production (the GCS emulator ignores
``ifGenerationMatch``), so the render-once guarantee is tested for real. An expired lease is
taken over in a transaction; a TTL policy on ``expires_at`` clears old documents.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from google.api_core import exceptions as gexc
from google.cloud import firestore

from shared.adapters.firestore_calls import DEFAULT_TIMEOUT_SECONDS, call_options
from shared.adapters.firestore_errors import translated_google_errors
from shared.adapters.firestore_leases import release_if_held
from shared.clock import utcnow
from shared.domain.preview_ports import RenderLeases

COLLECTION = "render_leases"


def lease_doc_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class FirestoreRenderLeases(RenderLeases):
    def __init__(self, client: firestore.Client, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._client = client
        self._collection = client.collection(COLLECTION)
        self._call = call_options(timeout)

    def acquire(self, key: str, holder: str, ttl_seconds: float) -> bool:
        ref = self._collection.document(lease_doc_id(key))
        lease = {"holder": holder, "expires_at": utcnow() + timedelta(seconds=ttl_seconds)}
        with translated_google_errors("The render lease store"):
            try:
                ref.create(lease, **self._call)
                return True
            except gexc.Conflict:  # AlreadyExists: someone holds it, or held it
                pass

            @firestore.transactional
            def take_over(transaction: firestore.Transaction) -> bool:
                snapshot = ref.get(transaction=transaction)
                current = snapshot.to_dict() if snapshot.exists else None
                if current and current["holder"] != holder and current["expires_at"] > utcnow():
                    return False
                transaction.set(ref, lease)
                return True

            return bool(take_over(self._client.transaction()))

    def release(self, key: str, holder: str) -> None:
        ref = self._collection.document(lease_doc_id(key))
        release_if_held(self._client, ref, holder, self._call, "The render lease store")
