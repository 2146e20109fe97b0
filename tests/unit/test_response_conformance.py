"""The checker the e2e suite runs on every response: it fails on what docs/openapi.json does
not describe (a field, a status, a content type, a missing required header)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.response_conformance import ResponseConformance

MARKER: dict[str, Any] = {
    "marker_id": "m1",
    "target_type": "video",
    "target_id": "v1",
    "field_path": None,
    "color": "red",
    "note": None,
    "video_id": None,
    "run_id": None,
    "created_at": "2026-01-01T00:00:00.000000Z",
    "updated_at": "2026-01-01T00:00:00.000000Z",
}
ERROR = {"error": {"code": "rate_limited", "message": "m", "details": {}, "request_id": "r"}}


@pytest.fixture(scope="module")
def conformance() -> ResponseConformance:
    return ResponseConformance.load()


def answer(method: str, path: str, status: int, body: Any, **headers: str) -> httpx.Response:
    request = httpx.Request(method, f"http://gateway{path}")
    return httpx.Response(
        status, json=body, headers={"X-Request-ID": "r", **headers}, request=request
    )


def test_a_described_answer_conforms(conformance: ResponseConformance) -> None:
    ok = answer("GET", "/api/v2/markers/m1", 200, MARKER, ETag='"1"')
    assert conformance.check(ok) == []
    limited = answer("POST", "/api/v2/videos/batch", 429, ERROR, **{"Retry-After": "3"})
    assert conformance.check(limited) == []


def test_a_field_the_document_does_not_describe_fails(conformance: ResponseConformance) -> None:
    extra = answer("GET", "/api/v2/markers/m1", 200, {**MARKER, "owner": "x"}, ETag='"1"')
    (problem,) = conformance.check(extra)
    assert "'owner' was unexpected" in problem
    nested = {
        "data": [{**MARKER, "secret": 1}],
        "pagination": {"limit": 1, "has_more": False, "next_cursor": None},
    }
    assert conformance.check(answer("GET", "/api/v2/markers", 200, nested))
    envelope = {"error": {**ERROR["error"], "trace": "..."}}
    assert conformance.check(answer("GET", "/api/v2/markers", 404, envelope))


def test_a_missing_field_a_wrong_type_or_status_fails(conformance: ResponseConformance) -> None:
    missing = {k: v for k, v in MARKER.items() if k != "note"}
    assert conformance.check(answer("GET", "/api/v2/markers/m1", 200, missing, ETag='"1"'))
    wrong = {**MARKER, "color": 7}
    assert conformance.check(answer("GET", "/api/v2/markers/m1", 200, wrong, ETag='"1"'))
    assert conformance.check(answer("GET", "/api/v2/markers/m1", 500, ERROR))


def test_required_headers_are_checked(conformance: ResponseConformance) -> None:
    (no_etag,) = conformance.check(answer("GET", "/api/v2/markers/m1", 200, MARKER))
    assert "ETag missing" in no_etag
    (no_retry,) = conformance.check(answer("POST", "/api/v2/videos/batch", 429, ERROR))
    assert "Retry-After missing" in no_retry
    replayed = answer(
        "PUT", "/api/v2/markers", 200, MARKER, ETag='"1"', **{"Idempotent-Replayed": "yes"}
    )
    assert conformance.check(replayed)  # only "true" is described


def test_undescribed_paths_are_left_alone(conformance: ResponseConformance) -> None:
    assert conformance.check(answer("GET", "/api/v2/openapi.json", 200, {"x": 1})) == []
