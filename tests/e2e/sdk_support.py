"""The public ``videovector`` SDK, unchanged, pointed at the local stack."""

from __future__ import annotations

import time

from videovector import VideoVector

from shared.bootstrap import Container
from shared.domain.principals import hash_api_key
from shared.domain.rate_limits import window_at


def sdk_client(base_url: str, api_key: str) -> VideoVector:
    return VideoVector(api_key=api_key, base_url=f"{base_url}/api/v2", max_retries=0)


def exhaust_rate_limit(cloud: Container, api_key: str) -> None:
    """Spend the key's budget in the shared counter for this minute and the next one, as if
    other instances had served it: the next request through any function answers 429."""
    from shared.adapters.firestore_rate_limits import FirestoreRateLimitStore

    store = FirestoreRateLimitStore(cloud.firestore)
    key_id = hash_api_key(api_key)[:16]
    now = time.time()
    for moment in (now, now + 60):
        store.add(window_at(key_id, moment), 10**9)


def sdk_bearer_client(base_url: str, bearer_token: str) -> VideoVector:
    """The SDK in its second auth mode: ``Authorization: Bearer <token>``, no API key."""
    return VideoVector(bearer_token=bearer_token, base_url=f"{base_url}/api/v2", max_retries=0)
