"""Bearer JWTs verified with PyJWT against each configured issuer's JWKS (decision 007).

Every token is routed by its unverified ``iss`` to exactly one configured issuer, then fully
verified against that issuer alone: signature (RS256 or ES256, the algorithm bound to the key,
never the token's say-so), ``iss``, ``aud``, ``exp``, ``nbf``, ``iat`` and a non-empty subject.
WorkOS access tokens and Firebase ID tokens both pass this one path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient

from shared.domain.bearer import (
    MAX_SUBJECT_LENGTH,
    BearerIssuer,
    BearerTokenVerifier,
    VerifiedToken,
)
from shared.errors import InvalidBearerToken, ServiceUnavailable

logger = logging.getLogger("videovector.auth")

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
LEEWAY_SECONDS = 30  # clock skew between the issuer and us, for exp/nbf/iat
MIN_REFRESH_SECONDS = 30.0  # at most one fetch per issuer this often beyond the cache's own
FETCH_TIMEOUT_SECONDS = 5.0
MAX_TOKEN_LENGTH = 16_384  # the SDK refuses longer access tokens too
REQUIRED_CLAIMS = ["exp", "iat", "iss"]
_REFUSED = "The bearer token is malformed, expired, not yet valid or not from a trusted issuer."


class _Refused(Exception):
    """Internal: why a token was refused, for the log line (never for the client)."""


class _CountingClient(PyJWKClient):
    """PyJWKClient that remembers when it last fetched, so forced refetches can be bounded."""

    def __init__(self, uri: str, lifespan: float, clock: Callable[[], float]) -> None:
        super().__init__(uri, lifespan=lifespan, timeout=FETCH_TIMEOUT_SECONDS)
        self._clock = clock
        self.fetched_at = float("-inf")
        self.fetches = 0

    def fetch_data(self) -> Any:
        self.fetched_at = self._clock()
        self.fetches += 1
        return super().fetch_data()


class IssuerKeys:
    """The signing keys of one issuer: the key set cached for ``cache_seconds`` (PyJWKClient's
    own cache), and an unknown ``kid`` refetching at most once per ``min_refresh_seconds``: a
    stream of tokens with made-up key ids cannot turn into a stream of fetches. A failed fetch
    is not retried sooner either."""

    def __init__(
        self,
        jwks_url: str,
        cache_seconds: float,
        min_refresh_seconds: float = MIN_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = _CountingClient(jwks_url, cache_seconds, clock)
        self._min_refresh = min_refresh_seconds
        self._clock = clock
        self._failed_at = float("-inf")
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK:
        # One lookup at a time per issuer: when the cached set has expired, concurrent requests
        # wait for one fetch instead of each making its own.
        with self._lock:
            found = PyJWKClient.match_kid(self._keys(refresh=False), kid)
            if found is not None:
                return found
            if self._clock() - self.client.fetched_at < self._min_refresh:
                raise _Refused("unknown kid (refetch not due)")
            found = PyJWKClient.match_kid(self._keys(refresh=True), kid)
        if found is None:
            raise _Refused("unknown kid")
        return found

    def _keys(self, *, refresh: bool) -> list[PyJWK]:
        if self._clock() - self._failed_at < self._min_refresh:
            raise ServiceUnavailable("The token issuer's keys are unavailable.")
        try:
            return self.client.get_signing_keys(refresh=refresh)
        except (jwt.PyJWKClientConnectionError, ValueError) as exc:
            # Unreachable, or an answer that is not JSON (an error page served with 200).
            self._failed_at = self._clock()
            raise ServiceUnavailable("The token issuer's keys are unavailable.") from exc
        except jwt.PyJWKClientError as exc:  # a set without usable keys
            raise _Refused(f"key set: {exc}") from exc


class JwksBearerVerifier(BearerTokenVerifier):
    def __init__(
        self,
        issuers: Iterable[BearerIssuer],
        cache_seconds: float = 300,
        min_refresh_seconds: float = MIN_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._issuers = {issuer.issuer: issuer for issuer in issuers}
        self._keys = {
            name: IssuerKeys(issuer.jwks_url, cache_seconds, min_refresh_seconds, clock)
            for name, issuer in self._issuers.items()
        }

    def keys_of(self, issuer: str) -> IssuerKeys:
        return self._keys[issuer]

    def verify(self, token: str) -> VerifiedToken:
        try:
            return self._verify(token)
        except (_Refused, jwt.PyJWTError) as exc:
            # The reason goes to the log only: a client learns nothing that helps forge.
            logger.info("bearer token refused: %s", exc)
            raise InvalidBearerToken(_REFUSED) from None

    def _verify(self, token: str) -> VerifiedToken:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise _Refused("empty or oversized")
        header = jwt.get_unverified_header(token)
        # Routing on the unverified issuer is safe: the token is then verified against that
        # issuer's keys, issuer and audience, and nothing else.
        claimed = jwt.decode(token, options={"verify_signature": False}).get("iss")
        issuer = self._issuers.get(claimed) if isinstance(claimed, str) else None
        if issuer is None:
            raise _Refused("untrusted issuer")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _Refused("no kid")
        key = self._keys[issuer.issuer].key(kid)
        # The key decides the algorithm: a token cannot talk an RSA key into HS256 or none.
        if key.algorithm_name not in ALLOWED_ALGORITHMS:
            raise _Refused(f"key algorithm {key.algorithm_name}")
        try:
            verified = jwt.decode(
                token,
                key,
                algorithms=[key.algorithm_name],
                issuer=issuer.issuer,
                audience=list(issuer.audiences) or None,
                leeway=LEEWAY_SECONDS,
                options={"require": [*REQUIRED_CLAIMS, issuer.subject_claim]},
            )
        except TypeError as exc:
            # PyJWT 2.12 checks time claims with int(), so a signed "exp": null or [] raises
            # TypeError, not DecodeError (found by a property test).
            raise _Refused(f"claim of the wrong type: {exc}") from exc
        subject = verified.get(issuer.subject_claim)
        if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_LENGTH:
            raise _Refused("subject missing, empty or too long")
        return VerifiedToken(issuer=issuer.issuer, subject=subject)
