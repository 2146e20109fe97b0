"""Turn a request's credentials (``Authorization: Bearer`` or ``X-API-Key``) into a principal,
or refuse them."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.clock import utcnow
from shared.domain.bearer import (
    BEARER_KEY_ID_PREFIX,
    BEARER_SCOPES,
    BearerSubjectStore,
    BearerTokenVerifier,
    subject_digest,
)
from shared.domain.principals import API_KEY_RE, Principal, Scope, hash_api_key
from shared.errors import InsufficientScope, InvalidBearerToken, Unauthenticated

if TYPE_CHECKING:
    from shared.domain.ports import ApiKeyStore

_INVALID = "The API key is missing, malformed, unknown, revoked or expired."
_NO_BEARER = "This deployment accepts no bearer tokens; use an API key."
_UNLINKED = "The bearer token's subject is not linked to an account."
_NOT_BEARER = "Authorization must be 'Bearer <token>'; or send an X-API-Key instead."


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


def bearer_token_of(authorization: str) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme is
    case-insensitive, RFC 7235). Any other scheme is refused, not skipped: a request that
    carries ``Authorization`` is judged by it alone."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise InvalidBearerToken(_NOT_BEARER)
    return token.strip()


class Authenticator:
    """The credentials of every request, HTTP functions and the relay alike.

    A request carrying ``Authorization`` is judged by it alone, even beside an ``X-API-Key``:
    the SDK sends one credential, and when both are configured without an ``auth_mode`` its
    header builder picks the bearer token (decision 007).
    """

    def __init__(
        self,
        api_keys: Callable[[], ApiKeyStore],
        verifier: BearerTokenVerifier | None = None,
        subjects: BearerSubjectStore | None = None,
    ) -> None:
        # The key store is asked for only once a key is well-formed: a request without one
        # (a scanner, a probe, a cold instance's first caller) never builds its client.
        self._api_keys = api_keys
        self._verifier = verifier
        self._subjects = subjects

    def authenticate(self, api_key: str | None, authorization: str | None) -> Principal:
        if authorization is None:
            if not api_key or not API_KEY_RE.fullmatch(api_key):
                raise Unauthenticated(_INVALID)
            return authenticate(self._api_keys(), api_key)
        return self.bearer(bearer_token_of(authorization))

    def bearer(self, token: str) -> Principal:
        if self._verifier is None or self._subjects is None:
            raise InvalidBearerToken(_NO_BEARER)
        verified = self._verifier.verify(token)
        link = self._subjects.get(verified.issuer, verified.subject)
        if link is None:
            raise InvalidBearerToken(_UNLINKED)
        digest = subject_digest(verified.issuer, verified.subject)
        return Principal(
            user_id=link.user_id,
            scopes=BEARER_SCOPES,
            key_id=BEARER_KEY_ID_PREFIX + digest[:16],
        )


def require_scope(principal: Principal, needed: Scope) -> None:
    if not principal.allows(needed):
        credential = (
            "bearer token" if principal.key_id.startswith(BEARER_KEY_ID_PREFIX) else "API key"
        )
        raise InsufficientScope(
            f"This {credential} lacks the '{needed}' scope.",
            details={"required_scope": str(needed), "granted_scopes": sorted(principal.scopes)},
        )
