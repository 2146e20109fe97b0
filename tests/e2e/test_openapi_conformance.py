"""Schemathesis drives every described operation through the local gateway with the published
description (fetched from ``/api/v2/openapi.json``): no 5xx, every status, content type, body
and header as described (``ETag``, ``Idempotent-Replayed``, ``Cache-Control``, ``Retry-After``
where the description requires them), every error in the envelope, and no operation that
ignores its API key. Request headers the description lists (``If-Match``, ``Idempotency-Key``,
``If-None-Match``) are generated too.

Streaming operations (``text/event-stream``) are left to their own end-to-end tests: a
conforming stream never ends, so a generated request would wait for ever.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from infra.local.stack import LocalStack
from infra.openapi import ErrorEnvelope

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]

CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]


@schemathesis.check
def errors_use_the_envelope(ctx, response, case):  # type: ignore[no-untyped-def]
    if response.status_code >= 400:
        try:
            ErrorEnvelope.model_validate_json(response.content)
        except ValueError as error:
            raise AssertionError(f"not the error envelope: {response.content[:200]!r}") from error
        assert response.headers.get("x-request-id"), "no X-Request-ID header"
    return None


DESCRIBED = json.loads((Path(__file__).resolve().parents[2] / "docs/openapi.json").read_text())
STREAMS = "text/event-stream"
CASES = [
    pytest.param(path, method, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, item in DESCRIBED["paths"].items()
    for method, op in item.items()
    if not any(STREAMS in r.get("content", {}) for r in op["responses"].values())
    for mode in GenerationMode
    # Negative cases need something that can be invalid: a query parameter or a body.
    if mode is GenerationMode.POSITIVE
    or "requestBody" in op
    or any(p["in"] == "query" for p in op.get("parameters", []))
]


@pytest.fixture(scope="module")
def published(stack: LocalStack) -> schemathesis.BaseSchema:
    """The description as a client gets it: from the gateway."""
    return schemathesis.openapi.from_url(f"{stack.base_url}/api/v2/openapi.json")


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_operation_conforms(
    published: schemathesis.BaseSchema,
    stack: LocalStack,
    path: str,
    method: str,
    mode: GenerationMode,
) -> None:
    operation = published[path][method]

    # A fixed header is never negated: negative cases vary everything but the key.
    auth = {"X-API-Key": stack.api_key}

    @given(case=operation.as_strategy(generation_mode=mode, headers=auth))
    @settings(
        max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=stack.base_url,
            # Sent again as an explicit header: an operation with header parameters of its own
            # (If-Match, Idempotency-Key) would otherwise have its key taken for a generated one.
            headers=auth,
            checks=[*CHECKS, errors_use_the_envelope],
            timeout=30,
        )

    conforms()


def test_gateway_serves_the_description(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.base_url}/api/v2/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")


# Schemathesis cannot know what is inside an opaque cursor: these cases build cursors of each
# list with tampered positions (ids holding "/", "..", reserved names, wrong types) and send
# them through the gateway to the real store, where "a/b" once addressed a nested document (a
# 500). Every one must be a 4xx in the envelope. The event stream's Last-Event-ID has its own
# property (tests/unit/test_stream_query_properties.py): it is a strict pattern, never decoded.
LOUD = {"field": "audio_label", "operator": "equals", "type": "string", "value": "loud audio"}
TAMPERED_IDS = st.one_of(
    st.sampled_from(["a/b", "a/b/c", "..", "x/..", "__name__", "", "é", "a\x00b", "x" * 200]),
    st.text(max_size=60),
)


def _filter_fingerprint() -> str:
    from shared.domain.filters import parse_conditions
    from shared.domain.search import SegmentScope
    from shared.services.search import _fingerprint

    return _fingerprint(parse_conditions([LOUD]), SegmentScope())


def _list_request(client: httpx.Client, key: str, which: str, cursor: str) -> httpx.Response:
    headers = {"X-API-Key": key}
    if which == "filter":
        body = {"conditions": [LOUD], "cursor": cursor}
        return client.post("/api/v2/search/filter/playground", json=body, headers=headers)
    path = {"markers": "/api/v2/markers", "playground": "/api/v2/playground/videos"}[which]
    return client.get(path, params={"cursor": cursor}, headers=headers)


@pytest.mark.parametrize("which", ["markers", "playground", "filter"])
def test_tampered_cursors_of_every_list_are_a_4xx(stack: LocalStack, which: str) -> None:
    from shared.pagination import encode_cursor
    from shared.services.catalog import PLAYGROUND_CURSOR
    from shared.services.markers import CURSOR_KIND
    from shared.services.search import FILTER_CURSOR

    positions = {
        "markers": (CURSOR_KIND, st.fixed_dictionaries({"id": TAMPERED_IDS})),
        "playground": (
            PLAYGROUND_CURSOR,
            st.fixed_dictionaries(
                {
                    "t": st.just("2026-01-01T00:00:00+00:00") | st.text(max_size=30),
                    "id": TAMPERED_IDS,
                }
            ),
        ),
        "filter": (
            FILTER_CURSOR,
            st.fixed_dictionaries({"q": st.just(_filter_fingerprint()), "after": TAMPERED_IDS}),
        ),
    }
    kind, position = positions[which]
    cursors = position.map(lambda p: encode_cursor(kind, p)) | st.text(max_size=80)

    with httpx.Client(base_url=stack.base_url, timeout=30) as client:

        @given(cursor=cursors)
        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def refused(cursor: str) -> None:
            response = _list_request(client, stack.api_key, which, cursor)
            assert response.status_code < 500, (cursor, response.text[:300])
            if response.status_code >= 400:
                ErrorEnvelope.model_validate_json(response.content)

        refused()
        # The one that was a 500: an id naming a nested document.
        slash = encode_cursor(kind, _slashed_position(which))
        response = _list_request(client, stack.api_key, which, slash)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_cursor"


def _slashed_position(which: str) -> dict[str, str]:
    return {
        "markers": {"id": "a/b"},
        "playground": {"t": "2026-01-01T00:00:00+00:00", "id": "a/b"},
        "filter": {"q": _filter_fingerprint(), "after": "a/b"},
    }[which]


ODD = [
    ("POST", "/api/v2/videos/batch", b'{"video_ids":["\xff\xfe"]}'),
    ("POST", "/api/v2/videos/batch", b'{"video_ids":["\\ud800"]}'),
    ("POST", "/api/v2/videos/batch/segments", b'{"video_ids":["a\\u0000b"]}'),
    ("POST", "/api/v2/search/filter/playground",
     b'{"conditions":[{"field":"\\ud800","operator":"equals","type":"string","value":"x"}]}'),
    ("POST", "/api/v2/search/filter/playground",
     b'{"conditions":[{"field":"audio_label","operator":"equals","type":"string",'
     b'"value":"\\udfff\\u0000"}]}'),
    ("PUT", "/api/v2/markers", b'{"target_type":"video","target_id":"\\ud800","color":"red"}'),
    ("GET", "/api/v2/markers?cursor=%FF%FE", b""),
    ("GET", "/api/v2/markers?video_id=%00", b""),
    ("GET", "/api/v2/markers?target_id=%C0%AF", b""),
    ("GET", "/api/v2/playground/videos?cursor=%00", b""),
    ("GET", "/api/v2/playground/videos?limit=%FF", b""),
    ("GET", "/api/v2/videos/%00/gif", b""),
    ("GET", "/api/v2/videos/%FF%FE/gif", b""),
    ("GET", "/api/v2/videos/segments/%C0%AF/thumbnail", b""),
    ("GET", "/api/v2/markers/%00", b""),
    ("GET", "/api/v2/previews/%00", b""),
    ("GET", "/api/v2/previews/%FF", b""),
    # Nested 1,000 deep: a RecursionError (500) before bodies were bounded at 64 levels.
    ("POST", "/api/v2/videos/batch", b'{"video_ids":' + b"[" * 1000 + b"]" * 1000 + b"}"),
    ("POST", "/api/v2/search/filter/playground",
     b'{"conditions":[' + b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"]}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "target", "body"), ODD, ids=[f"{m} {t} {b[:24]!r}" for m, t, b in ODD]
)
def test_odd_encodings_are_a_4xx_in_the_envelope(
    stack: LocalStack, method: str, target: str, body: bytes
) -> None:
    """Invalid UTF-8 bodies, lone surrogates, NUL and non-UTF-8 percent-encodings in paths
    and query strings: each is the client's error, answered in the envelope."""
    headers = {"X-API-Key": stack.api_key, "Content-Type": "application/json"}
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        response = client.request(method, target, content=body or None, headers=headers)
    assert 400 <= response.status_code < 500, response.text[:300]
    ErrorEnvelope.model_validate_json(response.content)
