"""Turn an ``X-API-Key`` value into a principal, or refuse it."""

from __future__ import annotations

import hmac

from shared.clock import utcnow
from shared.domain.ports import ApiKeyStore
from shared.domain.principals import API_KEY_RE, Principal, Scope, hash_api_key
from shared.errors import InsufficientScope, Unauthenticated

_INVALID = "The API key is missing, malformed, unknown, revoked or expired."


def authenticate(store: ApiKeyStore, raw_key: str | None) -> Principal:
    if not raw_key or not API_KEY_RE.fullmatch(raw_key):
        raise Unauthenticated(_INVALID)
    key_hash = hash_api_key(raw_key)
    record = store.get(key_hash)
    # The lookup is by hash; the compare below is constant-time so a stored record that merely
    # shares an index prefix can never authenticate.
    if record is None or not hmac.compare_digest(record.key_hash, key_hash):
        raise Unauthenticated(_INVALID)
    if not record.is_active(utcnow()):
        raise Unauthenticated(_INVALID)
    return Principal(user_id=record.user_id, scopes=record.scopes, key_id=record.key_id)


def require_scope(principal: Principal, needed: Scope) -> None:
    if not principal.allows(needed):
        raise InsufficientScope(
            f"This API key lacks the '{needed}' scope.",
            details={"required_scope": str(needed), "granted_scopes": sorted(principal.scopes)},
        )
