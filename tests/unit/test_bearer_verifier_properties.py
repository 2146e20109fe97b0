"""Any bearer token, however odd its header and claims, verifies or is a 401: never a 500."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.jwks_verifier import JwksBearerVerifier
from shared.domain.bearer import BearerIssuer
from shared.errors import InvalidBearerToken
from tests.support.token_issuer import LocalIssuer, local_issuer


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with local_issuer() as running:
        yield running


@pytest.fixture(scope="module")
def verifier(issuer: LocalIssuer) -> JwksBearerVerifier:
    return JwksBearerVerifier([BearerIssuer(**issuer.config())])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.text(max_size=64),
    claims=st.dictionaries(
        st.sampled_from(["iss", "aud", "sub", "exp", "iat", "nbf", "uid", "x"]), _JSON
    ),
    header=st.dictionaries(st.sampled_from(["kid", "alg", "typ", "crit", "jku"]), _JSON),
)
def test_any_token_verifies_or_is_a_401_never_a_crash(
    verifier: JwksBearerVerifier,
    issuer: LocalIssuer,
    text: str,
    claims: dict[str, Any],
    header: dict[str, Any],
) -> None:
    signed_header = {"alg": "RS256", "kid": "rsa-1", **header}
    payload = json.dumps({**issuer.claims("user_01"), **claims}).encode()
    try:
        signed = jwt.PyJWS().encode(
            payload, issuer.private_keys["rsa-1"], algorithm="RS256", headers=signed_header
        )
    except (TypeError, ValueError, NotImplementedError, jwt.PyJWTError):
        signed = text  # a header PyJWT will not sign with
    for token in (text, signed):
        with contextlib.suppress(InvalidBearerToken):
            verifier.verify(token)
