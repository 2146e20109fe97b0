"""The markers contract, through functions-framework, on in-memory ports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.unit.conftest import Keys

URL = "/api/v2/markers"


def put(client: FlaskClient, key: str, body: Any, **headers: str):  # type: ignore[no-untyped-def]
    return client.put(URL, json=body, headers={"X-API-Key": key, **headers})


def assert_envelope(response, status: int, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"] and isinstance(error["details"], dict)
    assert error["request_id"] == response.headers["X-Request-ID"]
    return error


VIDEO = {"target_type": "video", "target_id": "vid-1", "color": "Red", "note": "check this"}


def test_upsert_creates_then_updates_with_etag(markers_client: FlaskClient, keys: Keys) -> None:
    created = put(markers_client, keys.alice, VIDEO)
    assert created.status_code == 201
    body = created.get_json()
    assert body["color"] == "red" and body["note"] == "check this"
    assert body["marker_id"].startswith("mk_") and body["updated_at"].endswith("Z")
    etag = created.headers["ETag"]

    updated = put(markers_client, keys.alice, {**VIDEO, "color": "#00ff00"}, **{"If-Match": etag})
    assert updated.status_code == 200
    assert updated.get_json()["marker_id"] == body["marker_id"]
    assert updated.headers["ETag"] != etag

    stale = put(markers_client, keys.alice, {**VIDEO, "note": "late"}, **{"If-Match": etag})
    assert_envelope(stale, 412, "precondition_failed")
    listed = markers_client.get(URL, headers={"X-API-Key": keys.alice}).get_json()
    assert [m["color"] for m in listed["data"]] == ["#00ff00"]


def test_if_match_on_missing_marker_fails(markers_client: FlaskClient, keys: Keys) -> None:
    response = put(markers_client, keys.alice, VIDEO, **{"If-Match": "*"})
    assert_envelope(response, 412, "precondition_failed")


def test_idempotency_key_replays_and_detects_mismatch(
    markers_client: FlaskClient, keys: Keys
) -> None:
    first = put(markers_client, keys.alice, VIDEO, **{"Idempotency-Key": "k-1"})
    put(markers_client, keys.alice, {**VIDEO, "note": "changed meanwhile"})
    replay = put(markers_client, keys.alice, VIDEO, **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 201
    assert replay.get_json() == first.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    mismatch = put(
        markers_client, keys.alice, {**VIDEO, "note": "other"}, **{"Idempotency-Key": "k-1"}
    )
    assert_envelope(mismatch, 409, "idempotency_request_mismatch")
    # the same key of another user is a different key
    assert put(markers_client, keys.bob, VIDEO, **{"Idempotency-Key": "k-1"}).status_code == 201


def test_list_filters_and_paginates(markers_client: FlaskClient, keys: Keys) -> None:
    for i in range(7):
        put(
            markers_client,
            keys.alice,
            {"target_type": "segment", "target_id": f"seg-{i}", "video_id": "v1", "color": "blue"},
        )
    put(markers_client, keys.alice, {"target_type": "run", "target_id": "run-1", "run_id": "run-1"})
    seen: list[str] = []
    cursor = None
    while True:
        query = {"target_type": "segment", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = markers_client.get(
            URL, query_string=query, headers={"X-API-Key": keys.alice}
        ).get_json()
        seen += [m["target_id"] for m in page["data"]]
        assert page["pagination"]["limit"] == 3
        if not page["pagination"]["has_more"]:
            assert page["pagination"]["next_cursor"] is None
            break
        cursor = page["pagination"]["next_cursor"]
    assert sorted(seen) == [f"seg-{i}" for i in range(7)] and len(seen) == 7
    runs = markers_client.get(
        URL, query_string={"run_id": "run-1"}, headers={"X-API-Key": keys.alice}
    )
    assert [m["target_id"] for m in runs.get_json()["data"]] == ["run-1"]


def test_extracted_field_marker_needs_a_field_path(markers_client: FlaskClient, keys: Keys) -> None:
    body = {"target_type": "extracted_field", "target_id": "seg-1", "color": "gold"}
    assert_envelope(put(markers_client, keys.alice, body), 422, "validation_failed")
    ok = put(markers_client, keys.alice, {**body, "field_path": "scene.people[].emotion"})
    assert ok.status_code == 201 and ok.get_json()["field_path"] == "scene.people[].emotion"


def test_delete(markers_client: FlaskClient, keys: Keys) -> None:
    marker_id = put(markers_client, keys.alice, VIDEO).get_json()["marker_id"]
    assert (
        markers_client.delete(f"{URL}/{marker_id}", headers={"X-API-Key": keys.alice}).status_code
        == 204
    )
    again = markers_client.delete(f"{URL}/{marker_id}", headers={"X-API-Key": keys.alice})
    assert_envelope(again, 404, "resource_not_found")


def test_delete_honours_if_match(markers_client: FlaskClient, keys: Keys) -> None:
    """RFC 9110 13.1.1: a stale ETag must not delete a marker someone changed meanwhile."""
    alice = {"X-API-Key": keys.alice}
    created = put(markers_client, keys.alice, VIDEO)
    marker_id, first_etag = created.get_json()["marker_id"], created.headers["ETag"]
    current_etag = put(markers_client, keys.alice, {**VIDEO, "note": "newer"}).headers["ETag"]
    for stale in (first_etag, '"stale"', f"W/{current_etag}"):
        refused = markers_client.delete(f"{URL}/{marker_id}", headers={**alice, "If-Match": stale})
        error = assert_envelope(refused, 412, "precondition_failed")
        assert error["details"] == {"marker_id": marker_id}
    assert markers_client.get(f"{URL}/{marker_id}", headers=alice).get_json()["note"] == "newer"
    listed = f'"other", {current_etag}'
    deleted = markers_client.delete(f"{URL}/{marker_id}", headers={**alice, "If-Match": listed})
    assert deleted.status_code == 204
    gone = markers_client.get(f"{URL}/{marker_id}", headers=alice)
    assert_envelope(gone, 404, "resource_not_found")


def test_delete_if_match_star_needs_an_existing_marker(
    markers_client: FlaskClient, keys: Keys
) -> None:
    alice = {"X-API-Key": keys.alice, "If-Match": "*"}
    marker_id = put(markers_client, keys.alice, VIDEO).get_json()["marker_id"]
    assert markers_client.delete(f"{URL}/{marker_id}", headers=alice).status_code == 204
    # without the marker the answer is the unconditional one (RFC 9110 13.2.1): 404, not 412
    again = markers_client.delete(f"{URL}/{marker_id}", headers=alice)
    assert_envelope(again, 404, "resource_not_found")


def test_delete_of_another_users_marker_is_404_whatever_if_match_says(
    markers_client: FlaskClient, keys: Keys
) -> None:
    created = put(markers_client, keys.alice, VIDEO)
    marker_id = created.get_json()["marker_id"]
    for if_match in ("*", created.headers["ETag"], '"stale"'):
        headers = {"X-API-Key": keys.bob, "If-Match": if_match}
        refused = markers_client.delete(f"{URL}/{marker_id}", headers=headers)
        assert_envelope(refused, 404, "resource_not_found")
    alice = {"X-API-Key": keys.alice}
    assert markers_client.get(f"{URL}/{marker_id}", headers=alice).status_code == 200


def test_other_tenant_cannot_see_change_or_delete(markers_client: FlaskClient, keys: Keys) -> None:
    created = put(markers_client, keys.alice, VIDEO)
    marker_id = created.get_json()["marker_id"]
    bob = {"X-API-Key": keys.bob}
    missing = markers_client.get(f"{URL}/mk_000000000000000000000000", headers=bob)
    foreign = markers_client.get(f"{URL}/{marker_id}", headers=bob)
    for response in (missing, foreign):
        assert_envelope(response, 404, "resource_not_found")
    assert foreign.get_json()["error"]["message"] == missing.get_json()["error"]["message"]
    assert_envelope(
        markers_client.delete(f"{URL}/{marker_id}", headers=bob), 404, "resource_not_found"
    )
    assert markers_client.get(URL, headers=bob).get_json()["data"] == []
    # Bob's PUT on the same target makes Bob's own marker; Alice's is untouched
    assert put(markers_client, keys.bob, {**VIDEO, "note": "bob"}).status_code == 201
    theirs = put(markers_client, keys.bob, VIDEO, **{"If-Match": created.headers["ETag"]})
    assert_envelope(theirs, 412, "precondition_failed")
    mine = markers_client.get(f"{URL}/{marker_id}", headers={"X-API-Key": keys.alice}).get_json()
    assert mine["note"] == "check this"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VIDEO, "color": "reddish"}, "color"),
        ({**VIDEO, "color": "#12345"}, "color"),
        ({**VIDEO, "note": "x" * 2001}, "note"),
        ({**VIDEO, "target_type": "album"}, "target_type"),
        ({**VIDEO, "target_id": "a/b"}, "target_id"),
        ({**VIDEO, "target_id": 12}, "target_id"),
        ({**VIDEO, "unknown": 1}, "unknown"),
        ({"color": "red"}, "target_type"),
        ([VIDEO], "body"),
    ],
)
def test_validation_names_the_field(
    markers_client: FlaskClient, keys: Keys, body: Any, field: str
) -> None:
    error = assert_envelope(put(markers_client, keys.alice, body), 422, "validation_failed")
    fields = [problem["field"] for problem in error["details"]["errors"]]
    assert any(f == field or f.startswith(field) for f in fields), fields


def test_note_limit_is_named(markers_client: FlaskClient, keys: Keys) -> None:
    error = assert_envelope(
        put(markers_client, keys.alice, {**VIDEO, "note": "x" * 2001}), 422, "validation_failed"
    )
    assert error["details"]["errors"][0]["limit"] == {"max_length": 2000}


def test_malformed_requests(markers_client: FlaskClient, keys: Keys) -> None:
    auth = {"X-API-Key": keys.alice}
    not_json = markers_client.put(
        URL, data="{oops", headers={**auth, "Content-Type": "application/json"}
    )
    assert_envelope(not_json, 400, "invalid_json")
    wrong_type = markers_client.put(URL, data="a=b", headers={**auth, "Content-Type": "text/plain"})
    assert_envelope(wrong_type, 415, "unsupported_media_type")
    too_big = markers_client.put(URL, json={**VIDEO, "note": "x" * 70_000}, headers=auth)
    assert_envelope(too_big, 413, "payload_too_large")
    for cursor in ("not-a-cursor", "eyJrIjoidmlkZW9zIn0", "%%%"):
        bad = markers_client.get(URL, query_string={"cursor": cursor}, headers=auth)
        assert_envelope(bad, 400, "invalid_cursor")
    for limit in ("0", "101", "ten"):
        assert_envelope(
            markers_client.get(URL, query_string={"limit": limit}, headers=auth),
            422,
            "validation_failed",
        )
    assert_envelope(
        markers_client.get(URL, query_string={"colour": "red"}, headers=auth),
        422,
        "validation_failed",
    )
    assert_envelope(markers_client.post(URL, json=VIDEO, headers=auth), 405, "method_not_allowed")
    assert_envelope(markers_client.get("/api/v2/nothing", headers=auth), 404, "resource_not_found")


def test_authentication_and_scopes(markers_client: FlaskClient, keys: Keys) -> None:
    for headers in (
        {},
        {"X-API-Key": "sk_live_nothex"},
        {"X-API-Key": "sk_live_" + "0" * 48},
        {"X-API-Key": keys.revoked},
    ):
        assert_envelope(
            markers_client.get(URL, headers=headers), 401, "authentication_invalid_api_key"
        )
    read_only = put(markers_client, keys.alice_read, VIDEO)
    assert_envelope(read_only, 403, "authorization_insufficient_scope")
    assert markers_client.get(URL, headers={"X-API-Key": keys.alice_read}).status_code == 200
    search_only = markers_client.get(URL, headers={"X-API-Key": keys.alice_search})
    assert_envelope(search_only, 403, "authorization_insufficient_scope")


def test_request_id_is_echoed_or_made(markers_client: FlaskClient, keys: Keys) -> None:
    given = markers_client.get(
        URL, headers={"X-API-Key": keys.alice, "X-Request-ID": "client-req-123"}
    )
    assert given.headers["X-Request-ID"] == "client-req-123"
    made = markers_client.get(URL, headers={"X-API-Key": keys.alice, "X-Request-ID": "bad id!"})
    assert made.headers["X-Request-ID"].startswith("req_")


def test_chunked_oversized_body_is_refused_without_reading_it_all(
    markers_client: FlaskClient, keys: Keys
) -> None:
    body = b'{"target_type": "video", "target_id": "v", "note": "' + b"x" * 1_000_000 + b'"}'
    response = markers_client.put(
        URL,
        input_stream=io.BytesIO(body),
        headers={
            "X-API-Key": keys.alice,
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_envelope(response, 413, "payload_too_large")


def test_json_types_are_not_coerced(markers_client: FlaskClient, keys: Keys) -> None:
    for body in ({**VIDEO, "note": 5}, {**VIDEO, "target_id": True}):
        assert_envelope(put(markers_client, keys.alice, body), 422, "validation_failed")
    query = {"limit": "true"}
    listed = markers_client.get(URL, query_string=query, headers={"X-API-Key": keys.alice})
    assert_envelope(listed, 422, "validation_failed")
