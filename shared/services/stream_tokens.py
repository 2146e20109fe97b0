"""Stream tokens: a browser's way onto the event stream, since ``EventSource`` sets no headers.

``POST /api/v2/processing/events/stream-tokens`` trades an API key (scope ``read``) for a
short-lived token bound to the user and to the stream filters asked for. Only the stream
endpoint accepts it, as the ``stream_token`` query parameter, and only with exactly those
filters. A token is ``st_`` + base64url(claims) + base64url(HMAC-SHA256): stateless, no I/O
to verify, and made only of URL-safe characters so logs scanners can spot a leaked one
(see decision 060). It is never an API key: the key check refuses anything without ``sk_live_``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.clock import utcnow
from shared.domain.event_log import EventFilter
from shared.domain.events import EventType
from shared.errors import Unauthenticated
from shared.services.sealed_claims import ClaimSeal, b64url, require_secret

TOKEN_PREFIX = "st_"
QUERY_PARAMETER = "stream_token"
DEFAULT_TTL_SECONDS = 300
MAX_TOKEN_LENGTH = 512
_PURPOSE = b"videovector stream token v1"
_REFUSED = "The stream token is malformed, expired, or was issued for other filters."


class StreamFilters(EventFilter):
    """The stream's filters (``EventFilter``) as a token binds them: by a digest in which the
    order and duplicates of the id lists do not matter."""

    @classmethod
    def of(
        cls,
        run_id: str | None = None,
        index_id: str | None = None,
        video_ids: Iterable[str] = (),
        event_types: Iterable[str] = (),
    ) -> StreamFilters:
        types = frozenset(EventType(t) for t in event_types)
        return cls(run_id, index_id, frozenset(video_ids), types)

    def digest(self) -> str:
        canonical = json.dumps(
            [self.run_id, self.index_id, sorted(self.video_ids), sorted(self.event_types)],
            separators=(",", ":"),
        )
        return b64url(hashlib.sha256(canonical.encode()).digest()[:18])


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    expires_in: int


class StreamTokens:
    def __init__(
        self,
        secret: bytes,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        require_secret(secret, "stream token")
        # A key of its own: a token can never verify as another kind of signed value.
        self._seal = ClaimSeal(hmac.new(secret, _PURPOSE, hashlib.sha256).digest(), separator="")
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, user_id: str, filters: StreamFilters) -> IssuedToken:
        expires = int(self._clock().timestamp()) + self._ttl
        claims = {"u": user_id, "e": expires, "f": filters.digest()}
        token = TOKEN_PREFIX + self._seal.seal(claims)
        return IssuedToken(token, datetime.fromtimestamp(expires, UTC), self._ttl)

    def verify(self, token: str, filters: StreamFilters) -> str:
        """The user id of a genuine, unexpired token issued for exactly ``filters``;
        anything else raises ``Unauthenticated`` (one message: never say which check failed)."""
        # A token's refusal, not a key's: the code bearer tokens use (without their challenge).
        refused = Unauthenticated(_REFUSED, code="authentication_invalid_token")
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            raise refused
        claims = self._seal.open(token[len(TOKEN_PREFIX) :])
        if claims is None:
            raise refused
        try:
            user_id, expires, digest = str(claims["u"]), int(claims["e"]), str(claims["f"])
        except (ValueError, KeyError, TypeError) as exc:
            raise refused from exc
        if expires <= self._clock().timestamp():
            raise refused
        if not hmac.compare_digest(digest, filters.digest()):
            raise refused
        return user_id
