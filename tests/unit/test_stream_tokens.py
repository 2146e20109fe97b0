"""Stream tokens: short-lived, bound to the user and the filters, good for nothing else."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from shared.bootstrap import Container
from shared.errors import Unauthenticated
from shared.services.stream_tokens import StreamFilters, StreamTokens
from tests.log_hygiene import SECRET_PATTERNS
from tests.unit.conftest import Keys, function_client

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
URL = "/api/v2/processing/events/stream-tokens"
RUN = StreamFilters.of(run_id="run-1", event_types=["media.created"])


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> StreamTokens:
    return StreamTokens(b"a secret of sixteen bytes or more", ttl_seconds=300, clock=clock)


def test_a_token_names_its_user_until_it_expires(tokens: StreamTokens, clock: Clock) -> None:
    issued = tokens.issue("alice", RUN)
    assert issued.expires_at == NOW + timedelta(seconds=300) and issued.expires_in == 300
    assert tokens.verify(issued.token, RUN) == "alice"
    clock.now = NOW + timedelta(seconds=299)
    assert tokens.verify(issued.token, RUN) == "alice"
    clock.now = NOW + timedelta(seconds=300)
    with pytest.raises(Unauthenticated):
        tokens.verify(issued.token, RUN)


def test_a_token_looks_like_a_stream_token_to_the_log_scanner(tokens: StreamTokens) -> None:
    token = tokens.issue("alice", RUN).token
    assert SECRET_PATTERNS["stream token"].fullmatch(token)
    assert re.fullmatch(r"st_[A-Za-z0-9_-]{32,}", token)
    assert not SECRET_PATTERNS["api key"].search(token)


def test_a_token_is_bound_to_its_filters(tokens: StreamTokens) -> None:
    filters = StreamFilters.of(
        "run-1", "idx-1", ["v2", "v1"], ["media.created", "media.preview.ready"]
    )
    token = tokens.issue("alice", filters).token
    # The same filters in another order, or repeated, are the same filters.
    same = StreamFilters.of(
        "run-1", "idx-1", ["v1", "v2", "v1"], ["media.preview.ready", "media.created"]
    )
    assert tokens.verify(token, same) == "alice"
    others = [
        StreamFilters(),
        StreamFilters.of("run-2", "idx-1", ["v1", "v2"], ["media.created", "media.preview.ready"]),
        StreamFilters.of("run-1", None, ["v1", "v2"], ["media.created", "media.preview.ready"]),
        StreamFilters.of("run-1", "idx-1", ["v1"], ["media.created", "media.preview.ready"]),
        StreamFilters.of(
            "run-1", "idx-1", ["v1", "v2", "v3"], ["media.created", "media.preview.ready"]
        ),
        StreamFilters.of("run-1", "idx-1", ["v1", "v2"], ["media.created"]),
    ]
    for other in others:
        with pytest.raises(Unauthenticated):
            tokens.verify(token, other)


def test_unfiltered_token_opens_only_an_unfiltered_stream(tokens: StreamTokens) -> None:
    token = tokens.issue("alice", StreamFilters()).token
    assert tokens.verify(token, StreamFilters.of()) == "alice"
    with pytest.raises(Unauthenticated):
        tokens.verify(token, StreamFilters.of(run_id="run-1"))


def test_forged_tampered_and_foreign_tokens_are_refused(tokens: StreamTokens, clock: Clock) -> None:
    token = tokens.issue("alice", RUN).token
    other_secret = StreamTokens(b"another secret, sixteen bytes+", clock=clock)
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    candidates = [
        other_secret.issue("alice", RUN).token,
        flipped,
        token[:-1],
        token + "x",
        token.replace("st_", "sk_", 1),
        "st_",
        "",
        "st_" + "A" * 600,
    ]
    for candidate in candidates:
        with pytest.raises(Unauthenticated) as refused:
            tokens.verify(candidate, RUN)
        assert refused.value.code == "authentication_invalid_token"  # a token's, not a key's


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        StreamTokens(b"short")


# --- the endpoint, through functions-framework ------------------------------------------------


@pytest.fixture
def client(container: Container) -> FlaskClient:
    return function_client("stream_tokens")


def test_the_endpoint_issues_a_token_for_the_callers_filters(
    client: FlaskClient, keys: Keys, container: Container
) -> None:
    body = {"run_id": "run-1", "video_ids": ["v1", "v2"], "event_types": ["media.created"]}
    response = client.post(URL, json=body, headers={"X-API-Key": keys.alice_read})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    issued = response.get_json()
    assert issued["expires_in"] == 300 and issued["expires_at"].endswith("Z")
    assert issued["query_parameter"] == "stream_token"
    filters = StreamFilters.of("run-1", None, ["v2", "v1"], ["media.created"])
    assert container.stream_tokens.verify(issued["stream_token"], filters) == "alice"

    empty = client.post(URL, json={}, headers={"X-API-Key": keys.bob})
    assert empty.status_code == 201
    assert (
        container.stream_tokens.verify(empty.get_json()["stream_token"], StreamFilters()) == "bob"
    )


def test_the_endpoint_needs_a_read_key(client: FlaskClient, keys: Keys) -> None:
    assert client.post(URL, json={}).status_code == 401
    assert client.post(URL, json={}, headers={"X-API-Key": keys.revoked}).status_code == 401
    refused = client.post(URL, json={}, headers={"X-API-Key": keys.alice_search})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "authorization_insufficient_scope"


def test_the_endpoint_validates_the_filters(client: FlaskClient, keys: Keys) -> None:
    cases = [
        {"event_types": ["not.an.event"]},
        {"video_ids": [f"v{i}" for i in range(101)]},
        {"run_id": "bad id with spaces"},
        {"unknown": 1},
    ]
    for body in cases:
        response = client.post(URL, json=body, headers={"X-API-Key": keys.alice})
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == "validation_failed"


def test_a_stream_token_is_not_an_api_key(
    client: FlaskClient, keys: Keys, container: Container
) -> None:
    token = container.stream_tokens.issue("alice", StreamFilters()).token
    markers = function_client("markers")
    refused = [
        client.post(URL, json={}, headers={"X-API-Key": token}),
        client.post(URL + "?stream_token=" + token, json={}),
        markers.get("/api/v2/markers", headers={"X-API-Key": token}),
        markers.get("/api/v2/markers?stream_token=" + token),
    ]
    for response in refused:
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "authentication_invalid_api_key"
    # Nor a bearer token (decision 007): refused as one, with the challenge RFC 6750 asks for.
    as_bearer = markers.get("/api/v2/markers", headers={"Authorization": "Bearer " + token})
    assert as_bearer.status_code == 401
    assert as_bearer.get_json()["error"]["code"] == "authentication_invalid_token"
    assert as_bearer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
