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
