"""Markers over HTTP through the gateway, as a client sees them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.records import SegmentRecord

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
ROOT = Path(__file__).resolve().parents[2]


def test_demo_key_works_through_the_gateway(stack: LocalStack, http: httpx.Client) -> None:
    response = http.get("/api/v2/markers", headers={"X-API-Key": stack.api_key})
    assert response.status_code == 200
    assert response.json()["pagination"]["limit"] == 50


def test_marker_lifecycle_over_http(http: httpx.Client, new_key, user_id: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"X-API-Key": new_key(user_id)}
    body = {
        "target_type": "segment",
        "target_id": "seg-42",
        "video_id": "vid-1",
        "color": "#ff8800",
        "note": "goal!",
    }
    created = http.put("/api/v2/markers", json=body, headers=auth)
    assert created.status_code == 201, created.text
    marker = created.json()
    assert created.headers["X-Request-ID"]

    fetched = http.get(f"/api/v2/markers/{marker['marker_id']}", headers=auth)
    assert fetched.json() == marker and fetched.headers["ETag"] == created.headers["ETag"]

    updated = http.put(
        "/api/v2/markers",
        json={**body, "note": "own goal"},
        headers={**auth, "If-Match": created.headers["ETag"]},
    )
    assert updated.status_code == 200 and updated.json()["note"] == "own goal"
    stale = http.put(
        "/api/v2/markers", json=body, headers={**auth, "If-Match": created.headers["ETag"]}
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"

    listed = http.get("/api/v2/markers", params={"video_id": "vid-1"}, headers=auth).json()
    assert [m["note"] for m in listed["data"]] == ["own goal"]

    url = f"/api/v2/markers/{marker['marker_id']}"
    stale_delete = http.delete(url, headers={**auth, "If-Match": created.headers["ETag"]})
    assert stale_delete.status_code == 412, stale_delete.text
    assert stale_delete.json()["error"]["code"] == "precondition_failed"
    assert http.get(url, headers=auth).json()["note"] == "own goal"
    current = {**auth, "If-Match": updated.headers["ETag"]}
    assert http.delete(url, headers=current).status_code == 204
    gone = http.delete(url, headers=auth)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "resource_not_found"


def test_idempotent_put_over_http(http: httpx.Client, new_key, user_id: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"X-API-Key": new_key(user_id), "Idempotency-Key": "retry-me"}
    body = {"target_type": "video", "target_id": "vid-9", "color": "teal"}
    first = http.put("/api/v2/markers", json=body, headers=auth)
    second = http.put("/api/v2/markers", json=body, headers=auth)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json() and second.headers["Idempotent-Replayed"] == "true"
    other = http.put("/api/v2/markers", json={**body, "color": "navy"}, headers=auth)
    assert (
        other.status_code == 409 and other.json()["error"]["code"] == "idempotency_request_mismatch"
    )


def test_video_id_is_the_video_the_target_belongs_to(  # type: ignore[no-untyped-def]
    http: httpx.Client, cloud: Container, new_key, user_id: str
) -> None:
    """The fresh-user repro: a video's own marker was missing from ``?video_id=`` and any
    ``video_id`` a client sent was stored."""
    auth = {"X-API-Key": new_key(user_id)}
    video, segment, other = f"vid-{user_id}", f"vid-{user_id}-s0000", f"vid-{user_id}-other"
    now = utcnow()
    cloud.catalog.put_segments(
        [
            SegmentRecord(segment, video, user_id, 0.0, 5.0, now),
            SegmentRecord(f"{segment}-bob", other, user_id + "-bob", 0.0, 5.0, now),
        ]
    )

    def put(body: dict[str, str]) -> httpx.Response:
        return http.put("/api/v2/markers", json=body, headers=auth)

    def refused_field(response: httpx.Response) -> list[str]:
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "validation_failed"
        return [p["field"] for p in response.json()["error"]["details"]["errors"]]

    own = put({"target_type": "video", "target_id": video, "color": "red"})
    assert own.status_code == 201 and own.json()["video_id"] == video
    assert refused_field(put({"target_type": "video", "target_id": video, "video_id": other})) == [
        "video_id"
    ]
    on_segment = put({"target_type": "segment", "target_id": segment})
    assert on_segment.status_code == 201 and on_segment.json()["video_id"] == video
    field = {"target_type": "extracted_field", "target_id": segment, "field_path": "scene.mood"}
    assert refused_field(put({**field, "video_id": other})) == ["video_id"]
    assert put(field).json()["video_id"] == video
    # Bob's segment reads as unknown to this user: the client's value stands
    foreign = put({"target_type": "segment", "target_id": f"{segment}-bob", "video_id": "vid-x"})
    assert foreign.status_code == 201 and foreign.json()["video_id"] == "vid-x"

    listed = http.get("/api/v2/markers", params={"video_id": video}, headers=auth).json()
    kinds = sorted(m["target_type"] for m in listed["data"])
    assert kinds == ["extracted_field", "segment", "video"]
    assert (
        http.get("/api/v2/markers", params={"video_id": other}, headers=auth).json()["data"] == []
    )


def test_second_tenant_is_walled_off(http: httpx.Client, new_key, user_id: str) -> None:  # type: ignore[no-untyped-def]
    alice = {"X-API-Key": new_key(user_id)}
    bob = {"X-API-Key": new_key(user_id + "-bob")}
    created = http.put(
        "/api/v2/markers",
        json={"target_type": "video", "target_id": "v", "note": "a"},
        headers=alice,
    ).json()
    foreign = http.get(f"/api/v2/markers/{created['marker_id']}", headers=bob)
    unknown = http.get("/api/v2/markers/mk_ffffffffffffffffffffffff", headers=bob)
    assert foreign.status_code == unknown.status_code == 404

    def strip(r: httpx.Response) -> dict[str, str]:
        return {k: v for k, v in r.json()["error"].items() if k not in {"request_id", "details"}}

    assert strip(foreign) == strip(unknown)
    for if_match in (None, "*"):
        headers = {**bob, "If-Match": if_match} if if_match else bob
        refused = http.delete(f"/api/v2/markers/{created['marker_id']}", headers=headers)
        assert refused.status_code == 404, refused.text
    assert http.get("/api/v2/markers", headers=bob).json()["data"] == []
    still = http.get(f"/api/v2/markers/{created['marker_id']}", headers=alice)
    assert still.status_code == 200 and still.json()["note"] == "a"


def test_gateway_answers_unknown_paths_with_the_envelope(http: httpx.Client) -> None:
    response = http.get("/api/v2/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_not_found"


def test_admin_command_prints_only_a_working_key(
    stack: LocalStack, http: httpx.Client, user_id: str
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shared.cli.api_keys",
            "create",
            "--user",
            user_id,
            "--scopes",
            "read",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **stack.env},
        check=True,
    )
    key = result.stdout.strip()
    assert result.stdout.count("\n") == 1 and key.startswith("sk_live_") and len(key) == 56
    assert http.get("/api/v2/markers", headers={"X-API-Key": key}).status_code == 200
    denied = http.put(
        "/api/v2/markers",
        json={"target_type": "video", "target_id": "v"},
        headers={"X-API-Key": key},
    )
    assert denied.status_code == 403
    markers_log = next(p.log_path for p in stack.processes if p.name == "markers").read_text()
    access = [json.loads(line) for line in markers_log.splitlines() if line.startswith("{")]
    assert any(entry.get("httpRequest", {}).get("status") == 403 for entry in access)
    assert all(entry["severity"] and entry["request_id"] for entry in access)
    assert key not in markers_log


def test_header_values_outside_ascii_pass_the_gateway(
    stack: LocalStack, http: httpx.Client
) -> None:
    """Found by Schemathesis: an If-None-Match of Latin-1 octets made the gateway answer a
    bare 500 before any function saw the request."""
    headers = [(b"X-API-Key", stack.api_key.encode()), (b"If-None-Match", "yÕf9".encode("latin-1"))]
    response = http.get("/api/v2/markers/missing-marker", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_not_found"


def test_a_header_with_trailing_whitespace_is_judged_not_dropped(stack: LocalStack) -> None:
    """Found by Schemathesis once uvicorn parsed with httptools: `Authorization: Bearer `
    (trailing space kept) made the gateway answer 503 as if the function were down. Sent on a
    raw socket: httpx itself refuses to send such a value."""
    url = httpx.URL(stack.base_url)
    request = (
        f"GET /api/v2/markers HTTP/1.1\r\nHost: {url.host}\r\nX-API-Key: {stack.api_key}\r\n"
        "Authorization: Bearer \r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((url.host, url.port), timeout=30) as conn:
        conn.sendall(request.encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"401", answer[:300]
    assert b"authentication_invalid_token" in rest
