"""Bearer tokens over HTTP through functions-framework: linked subjects act for their user with
the full user scope; every failure is a 401 in the envelope with a Bearer challenge."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from shared.adapters.jwks_verifier import JwksBearerVerifier
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.bearer import BEARER_SCOPES, BearerIssuer, SubjectLink
from shared.domain.principals import Scope
from shared.errors import InsufficientScope, InvalidBearerToken
from shared.services.authentication import Authenticator, bearer_token_of, require_scope
from tests.fakes.memory_bearer_subjects import InMemoryBearerSubjectStore
from tests.support.token_issuer import LocalIssuer, local_issuer
from tests.unit.conftest import Keys

MARKERS = "/api/v2/markers"
LIST = MARKERS + "?target_type=video&target_id=v1"


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with local_issuer() as running:
        yield running


@pytest.fixture
def bearer(container: Container, issuer: LocalIssuer) -> InMemoryBearerSubjectStore:
    """Alice's WorkOS-style subject, linked; the container trusts the local issuer."""
    subjects = InMemoryBearerSubjectStore()
    subjects.link(SubjectLink(issuer.issuer, "user_alice", "alice", utcnow()))
    container.__dict__.update(
        bearer_verifier=JwksBearerVerifier([BearerIssuer(**issuer.config())]),
        bearer_subjects=subjects,
    )
    container.__dict__.pop("authenticator", None)
    return subjects


def _assert_refused(response, code: str = "authentication_invalid_token") -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["request_id"] == response.headers["X-Request-ID"]
    if code == "authentication_invalid_token":
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    else:
        assert "WWW-Authenticate" not in response.headers


def test_a_linked_subject_acts_for_its_user(
    markers_client: FlaskClient, bearer: InMemoryBearerSubjectStore, issuer: LocalIssuer, keys: Keys
) -> None:
    token = issuer.mint("user_alice")
    put = markers_client.put(
        MARKERS,
        json={"target_type": "video", "target_id": "v1", "note": "by token"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert put.status_code in (200, 201), put.get_data(as_text=True)
    # The same user through an API key sees what the token wrote.
    listed = markers_client.get(LIST, headers={"X-API-Key": keys.alice})
    assert [m["note"] for m in listed.get_json()["data"]] == ["by token"]
    # And another user's token does not.
    bearer.link(SubjectLink(issuer.issuer, "user_bob", "bob", utcnow()))
    bobs = markers_client.get(LIST, headers={"Authorization": f"bearer {issuer.mint('user_bob')}"})
    assert bobs.status_code == 200 and bobs.get_json()["data"] == []


def test_bad_tokens_answer_401_in_the_envelope(
    markers_client: FlaskClient, bearer: InMemoryBearerSubjectStore, issuer: LocalIssuer
) -> None:
    now = int(time.time())
    for token in [
        issuer.mint("user_alice", exp=now - 600, iat=now - 900),
        issuer.mint("user_alice", aud="elsewhere"),
        issuer.mint("user_alice", iss="https://api.workos.com"),
        issuer.mint("user_alice", nbf=now + 600),
        issuer.mint(None),
        issuer.mint("user_nobody"),  # valid, but linked to no account
        "not-a-jwt",
        "",
    ]:
        _assert_refused(markers_client.get(MARKERS, headers={"Authorization": f"Bearer {token}"}))


def test_bearer_wins_over_an_api_key_as_the_sdk_sends_it(
    markers_client: FlaskClient, bearer: InMemoryBearerSubjectStore, issuer: LocalIssuer, keys: Keys
) -> None:
    # A bad token beside a good key is refused: the token is the credential judged.
    both_bad_token = {"Authorization": "Bearer not-a-jwt", "X-API-Key": keys.alice}
    _assert_refused(markers_client.get(MARKERS, headers=both_bad_token))
    both_bad_key = {"Authorization": f"Bearer {issuer.mint('user_alice')}", "X-API-Key": "nope"}
    assert markers_client.get(MARKERS, headers=both_bad_key).status_code == 200
    # Any Authorization header is the credential judged: another scheme, or none, is refused
    # rather than skipped (a client sending one expects it to count).
    for value in ["Basic dXNlcjpwYXNz", "", "Bearer", "token-without-scheme"]:
        both = {"Authorization": value, "X-API-Key": keys.alice}
        _assert_refused(markers_client.get(MARKERS, headers=both))


def test_without_configured_issuers_bearer_tokens_are_refused(
    markers_client: FlaskClient, container: Container, issuer: LocalIssuer, keys: Keys
) -> None:
    assert container.bearer_verifier is None
    _assert_refused(
        markers_client.get(MARKERS, headers={"Authorization": f"Bearer {issuer.mint()}"})
    )
    _assert_refused(markers_client.get(MARKERS), "authentication_invalid_api_key")
    assert markers_client.get(MARKERS, headers={"X-API-Key": keys.alice}).status_code == 200


def test_the_bearer_scope_is_the_full_user_scope_never_admin(
    bearer: InMemoryBearerSubjectStore, issuer: LocalIssuer, container: Container
) -> None:
    principal = container.authenticator.authenticate(None, f"Bearer {issuer.mint('user_alice')}")
    assert principal.user_id == "alice" and principal.scopes == BEARER_SCOPES
    assert principal.key_id.startswith("bearer-") and len(principal.key_id) == len("bearer-") + 16
    for scope in (Scope.SEARCH, Scope.READ, Scope.WRITE):
        require_scope(principal, scope)
    with pytest.raises(InsufficientScope, match="bearer token"):
        require_scope(principal, Scope.ADMIN)


def test_bearer_header_parsing() -> None:
    assert bearer_token_of("Bearer abc") == "abc"
    assert bearer_token_of("BEARER   abc ") == "abc"
    assert bearer_token_of("Bearer") == ""
    for other in ["Basic abc", "", "abc"]:
        with pytest.raises(InvalidBearerToken):
            bearer_token_of(other)


def test_an_authenticator_without_issuers_refuses_tokens(container: Container) -> None:
    with pytest.raises(InvalidBearerToken):
        Authenticator(lambda: container.api_keys).authenticate(None, "Bearer x.y.z")
