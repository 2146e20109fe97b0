"""The bearer verifier against a JWKS served by the test, with keys the test made."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from pydantic import ValidationError

from shared.adapters.jwks_verifier import LEEWAY_SECONDS, JwksBearerVerifier
from shared.domain.bearer import BearerIssuer, parse_bearer_issuers
from shared.errors import InvalidBearerToken, ServiceUnavailable
from tests.support.token_issuer import LocalIssuer, local_issuer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with local_issuer() as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(issuer: LocalIssuer, clock: Clock) -> JwksBearerVerifier:
    return JwksBearerVerifier([BearerIssuer(**issuer.config())], cache_seconds=300, clock=clock)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _refused(verifier: JwksBearerVerifier, token: str) -> None:
    with pytest.raises(InvalidBearerToken) as caught:
        verifier.verify(token)
    assert caught.value.code == "authentication_invalid_token"


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_a_valid_token_names_its_issuer_and_subject(
    verifier: JwksBearerVerifier, issuer: LocalIssuer, kid: str
) -> None:
    verified = verifier.verify(issuer.mint("user_01HX", kid=kid))
    assert (verified.issuer, verified.subject) == (issuer.issuer, "user_01HX")


def test_expired_not_yet_valid_and_issued_in_the_future_are_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer
) -> None:
    now = int(time.time())
    late = LEEWAY_SECONDS + 60
    _refused(verifier, issuer.mint(exp=now - late, iat=now - 600))
    _refused(verifier, issuer.mint(nbf=now + late))
    _refused(verifier, issuer.mint(iat=now + late, exp=now + 600))
    # Within the leeway, clock skew is forgiven.
    verifier.verify(issuer.mint(exp=now - LEEWAY_SECONDS // 2, iat=now - 300))


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "iss"])
def test_a_required_claim_missing_is_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer, missing: str
) -> None:
    _refused(verifier, issuer.mint(**{missing: None}))


@pytest.mark.parametrize("subject", ["", 42, "x" * 257])
def test_a_subject_that_is_empty_not_text_or_too_long_is_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer, subject: object
) -> None:
    _refused(verifier, issuer.mint(None, sub=subject))


def test_wrong_audience_and_missing_audience_are_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer
) -> None:
    _refused(verifier, issuer.mint(aud="someone-else"))
    _refused(verifier, issuer.mint(aud=None))
    verifier.verify(issuer.mint(aud=["someone-else", issuer.audience]))


def test_without_configured_audiences_a_token_must_carry_none(
    issuer: LocalIssuer, clock: Clock
) -> None:
    verifier = JwksBearerVerifier([BearerIssuer(**issuer.config(audiences=[]))], clock=clock)
    verifier.verify(issuer.mint(aud=None))  # WorkOS access tokens carry no aud by default
    _refused(verifier, issuer.mint())


def test_wrong_or_odd_issuer_is_refused(verifier: JwksBearerVerifier, issuer: LocalIssuer) -> None:
    _refused(verifier, issuer.mint(iss="https://api.workos.com"))
    _refused(verifier, issuer.mint(iss=issuer.issuer + "/"))
    _refused(verifier, issuer.mint(iss=[issuer.issuer]))


def test_alg_none_is_refused(verifier: JwksBearerVerifier, issuer: LocalIssuer) -> None:
    unsigned = jwt.encode(
        issuer.claims("user_01"), None, algorithm="none", headers={"kid": "rsa-1"}
    )
    _refused(verifier, unsigned)
    _refused(verifier, unsigned.rsplit(".", 1)[0] + ".")


def test_hs256_signed_with_the_public_key_is_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer
) -> None:
    _refused(verifier, issuer.forged_hs256("user_01"))


def test_a_token_claiming_another_keys_algorithm_is_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer
) -> None:
    # Signed ES256 but naming the RSA key: the key decides, so this can never verify.
    token = jwt.encode(
        issuer.claims("user_01"),
        issuer.private_keys["ec-1"],
        algorithm="ES256",
        headers={"kid": "rsa-1"},
    )
    _refused(verifier, token)


def test_a_tampered_payload_is_refused(verifier: JwksBearerVerifier, issuer: LocalIssuer) -> None:
    _refused(verifier, issuer.tampered("user_01", as_subject="user_admin"))


def test_a_key_the_issuer_does_not_publish_is_refused(
    verifier: JwksBearerVerifier, issuer: LocalIssuer
) -> None:
    issuer.add_key("rogue", "RS256", publish=False)
    # The token's own jku/x5u are never followed: only the configured JWKS counts.
    token = issuer.mint(kid="rogue")
    _refused(verifier, token)
    forged = jwt.encode(
        issuer.claims("user_01"),
        issuer.private_keys["rogue"],
        algorithm="RS256",
        headers={"kid": "rsa-1", "jku": issuer.jwks_url},
    )
    _refused(verifier, forged)
    _refused(verifier, issuer.mint(kid="rogue").replace("rogue", "../../jwks", 1))


def test_garbage_is_refused(verifier: JwksBearerVerifier) -> None:
    for token in ["", "abc", "a.b.c", "x" * 20_000, "e30.e30.", "😀.😀.😀"]:
        _refused(verifier, token)


def test_unknown_key_ids_refetch_at_most_once_per_interval(
    verifier: JwksBearerVerifier, issuer: LocalIssuer, clock: Clock
) -> None:
    keys = verifier.keys_of(issuer.issuer)
    verifier.verify(issuer.mint())
    assert keys.client.fetches == 1
    clock.now += 60  # past the refetch interval, within the cache's lifetime
    issuer.add_key("rsa-2", "RS256", publish=False)
    for _ in range(20):
        _refused(verifier, issuer.mint(kid="rsa-2"))
    assert keys.client.fetches == 2, "a flood of unknown kids fetched more than once"
    # A key the issuer rotated in is found once the interval has passed.
    issuer.published.add("rsa-2")
    clock.now += 60
    verifier.verify(issuer.mint(kid="rsa-2"))
    assert keys.client.fetches == 3


def test_an_unreachable_jwks_is_unavailable_and_not_hammered(
    issuer: LocalIssuer, clock: Clock
) -> None:
    verifier = JwksBearerVerifier([BearerIssuer(**issuer.config())], clock=clock)
    issuer.up = False
    try:
        with pytest.raises(ServiceUnavailable):
            verifier.verify(issuer.mint())
        before = issuer.fetches
        with pytest.raises(ServiceUnavailable):
            verifier.verify(issuer.mint())
        assert issuer.fetches == before
        clock.now += 60
        issuer.up = True
        verifier.verify(issuer.mint())
    finally:
        issuer.up = True


def test_a_configured_subject_claim_is_used(issuer: LocalIssuer, clock: Clock) -> None:
    verifier = JwksBearerVerifier([BearerIssuer(**issuer.config(subject_claim="uid"))], clock=clock)
    assert verifier.verify(issuer.mint(uid="firebase-uid-1")).subject == "firebase-uid-1"
    _refused(verifier, issuer.mint())  # no uid claim


def test_issuer_settings_are_parsed_strictly() -> None:
    assert parse_bearer_issuers("") == ()
    parsed = parse_bearer_issuers(
        json.dumps([{"issuer": "https://a", "jwks_url": "https://a/jwks", "audiences": ["x"]}])
    )
    assert parsed[0].subject_claim == "sub" and parsed[0].audiences == ("x",)
    for bad in [
        [{"issuer": "https://a", "jwks_url": "http://a.example/jwks"}],  # keys in clear text
        [{"issuer": "https://a", "jwks_url": "https://a/jwks", "audience": "x"}],  # unknown key
        [{"issuer": "", "jwks_url": "https://a/jwks"}],
        [
            {"issuer": "https://a", "jwks_url": "https://a/j"},
            {"issuer": "https://a", "jwks_url": "https://b/j"},
        ],
    ]:
        with pytest.raises((ValidationError, ValueError)):
            parse_bearer_issuers(json.dumps(bad))


def test_concurrent_first_requests_share_one_fetch(issuer: LocalIssuer, clock: Clock) -> None:
    verifier = JwksBearerVerifier([BearerIssuer(**issuer.config())], clock=clock)
    tokens = [issuer.mint(f"user_{i}") for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        subjects = sorted(v.subject for v in pool.map(verifier.verify, tokens))
    assert subjects == sorted(f"user_{i}" for i in range(16))
    assert verifier.keys_of(issuer.issuer).client.fetches == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<html>maintenance</html>", ServiceUnavailable),
        (b"[]", InvalidBearerToken),
        (b'{"keys": []}', InvalidBearerToken),
        (b'{"keys": [{"kty": "RSA", "kid": "rsa-1", "n": "x"}]}', InvalidBearerToken),
    ],
)
def test_a_broken_key_set_is_never_a_500(
    issuer: LocalIssuer, clock: Clock, body: bytes, error: type[Exception]
) -> None:
    verifier = JwksBearerVerifier([BearerIssuer(**issuer.config())], clock=clock)
    issuer.body = body
    try:
        with pytest.raises(error):
            verifier.verify(issuer.mint())
    finally:
        issuer.body = None
