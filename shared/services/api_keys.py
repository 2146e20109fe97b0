"""Create and revoke API keys (the admin command's use cases)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.clock import utcnow
from shared.domain.identifiers import is_valid_id
from shared.domain.ports import ApiKeyStore
from shared.domain.principals import ApiKeyRecord, Scope, generate_api_key, hash_api_key
from shared.errors import ValidationFailed


def create_api_key(
    store: ApiKeyStore,
    user_id: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
) -> str:
    """Store the hash of a new key and return the key itself: the only time it is seen."""
    if not is_valid_id(user_id):
        raise ValidationFailed("user_id is not a valid id.", details={"field": "user_id"})
    try:
        parsed = frozenset(Scope(s.strip()) for s in scopes if s.strip())
    except ValueError as exc:
        raise ValidationFailed(
            f"Unknown scope; choose from {[s.value for s in Scope]}.", details={"field": "scopes"}
        ) from exc
    if not parsed:
        raise ValidationFailed("At least one scope is needed.", details={"field": "scopes"})
    raw_key = generate_api_key()
    store.add(
        ApiKeyRecord(
            key_hash=hash_api_key(raw_key),
            user_id=user_id,
            scopes=parsed,
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )
    return raw_key


def revoke_api_key(store: ApiKeyStore, raw_key: str) -> bool:
    return store.revoke(hash_api_key(raw_key))
