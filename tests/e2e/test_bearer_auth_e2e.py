"""Bearer tokens through the gateway: the public ``videovector`` SDK, unchanged, in its
``bearer_token`` and ``oauth_token_provider`` modes through every method it wraps; the other
endpoints (markers, media, stream tokens, the relay's stream) over raw HTTP; refusals as 401s
in the envelope. Tokens come from the test's own issuer (tests/support/token_issuer.py)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from videovector import AuthenticationError, BatchVideoSegmentsTarget, VideoVector

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clients.sse import parse_frames
from shared.clock import utcnow
from shared.domain.bearer import SubjectLink
from shared.domain.events import EventType, OutgoingEvent
from tests.e2e.demo_library import DemoLibrary
from tests.e2e.sdk_support import sdk_bearer_client, sdk_client
from tests.support.token_issuer import LocalIssuer

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
CLIP, TONES, POSTER = "red-blue-green.mp4", "tones.mp3", "poster.png"
STREAM = "/api/v2/processing/events/stream"
CHALLENGE = 'Bearer error="invalid_token"'


def linked_subject(cloud: Container, issuer: LocalIssuer, user_id: str) -> str:
    subject = f"user_{uuid.uuid4().hex[:20].upper()}"  # WorkOS-shaped
    cloud.bearer_subjects.link(SubjectLink(issuer.issuer, subject, user_id, utcnow()))
    return subject


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    error = json.loads(response.read())["error"]
    assert error["code"] == "authentication_invalid_token"
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert response.headers["WWW-Authenticate"] == CHALLENGE


def test_every_sdk_method_in_bearer_mode(
    stack: LocalStack,
    cloud: Container,
    token_issuer: LocalIssuer,
    new_key,  # type: ignore[no-untyped-def]
    demo_library: DemoLibrary,
) -> None:
    lib = demo_library
    subject = linked_subject(cloud, token_issuer, lib.user_id)
    clip, tones, poster = lib.videos[CLIP], lib.videos[TONES], lib.videos[POSTER]
    ids = [poster.video_id, clip.video_id, tones.video_id]
    run_id = lib.segment(CLIP).from_run_id
    loud = {"field": "audio_label", "operator": "equals", "value": "loud audio", "type": "string"}

    def answers(client: VideoVector) -> dict[str, object]:
        """What each wrapped method answers, reduced to what does not change between calls."""
        page = client.videos.list_playground(limit=2)
        return {
            "batch_retrieve": [(v.video_id, v.status) for v in client.videos.batch_retrieve(ids)],
            "batch_status": [(s.video_id, s.status) for s in client.videos.batch_status(ids)],
            "batch_segments": [
                (g.video_id, [s.segment_id for s in g.segments])
                for g in client.videos.batch_segments(ids)
            ],
            "batch_segments_for_targets": [
                (g.video_id, g.run_id, [s.segment_id for s in g.segments])
                for g in client.videos.batch_segments_for_targets(
                    [BatchVideoSegmentsTarget(video_id=clip.video_id, run_id=run_id)]
                )
            ],
            "get_signed_url": httpx.get(
                client.videos.get_signed_url(clip.video_uri).signed_url, timeout=60
            ).content[4:8],
            "list_playground": [v.video_id for v in page.auto_paging_iter()],
            "search.playground": [
                r.segment_id for r in client.search.playground(query="red scene", top_k=3)
            ],
            "search.filter_playground": sorted(
                r.segment_id for r in client.search.filter_playground(conditions=[loud]).results
            ),
        }

    with sdk_bearer_client(stack.base_url, token_issuer.mint(subject)) as client:
        by_token = answers(client)
    with sdk_client(stack.base_url, new_key(lib.user_id, "write")) as client:
        by_key = answers(client)
    # The token acts for the account: the same answers as the account's own API key, not empty.
    assert by_token == by_key
    assert by_token["get_signed_url"] == b"ftyp"
    assert by_token["search.playground"][0] == lib.segment(CLIP, 0).segment_id  # type: ignore[index]
    assert len(by_token["list_playground"]) >= len(lib.videos)  # type: ignore[arg-type]
    assert by_token["batch_segments_for_targets"] == [
        (clip.video_id, run_id, [s.segment_id for s in lib.segments[CLIP]])
    ]

    # The token-provider mode, with an ES256 key: a fresh token per attempt.
    minted: list[str] = []

    def current_token() -> str:
        minted.append(token_issuer.mint(subject, kid="ec-1"))
        return minted[-1]

    with VideoVector(
        oauth_token_provider=current_token, base_url=f"{stack.base_url}/api/v2", max_retries=0
    ) as client:
        assert [v.video_id for v in client.videos.batch_retrieve(ids)] == [
            v
            for v, _ in by_key["batch_retrieve"]  # type: ignore[attr-defined]
        ]
    assert len(minted) >= 1


def test_the_other_endpoints_accept_bearer_tokens(
    stack: LocalStack,
    http: httpx.Client,
    cloud: Container,
    token_issuer: LocalIssuer,
    demo_library: DemoLibrary,
) -> None:
    lib = demo_library
    auth = bearer(token_issuer.mint(linked_subject(cloud, token_issuer, lib.user_id)))
    clip = lib.videos[CLIP]

    marker = {"target_type": "video", "target_id": clip.video_id, "note": "via bearer"}
    put = http.put("/api/v2/markers", json=marker, headers=auth)
    assert put.status_code in (200, 201), put.text
    marker_id = put.json()["marker_id"]
    listed = http.get(
        "/api/v2/markers",
        params={"target_type": "video", "target_id": clip.video_id},
        headers=auth,
    )
    assert marker_id in [m["marker_id"] for m in listed.json()["data"]]
    assert http.get(f"/api/v2/markers/{marker_id}", headers=auth).status_code == 200
    assert http.delete(f"/api/v2/markers/{marker_id}", headers=auth).status_code == 204

    segment = lib.segment(CLIP)
    thumbnail = http.get(f"/api/v2/videos/segments/{segment.segment_id}/thumbnail", headers=auth)
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"].startswith("image/")
    gif = http.get(f"/api/v2/videos/{clip.video_id}/gif", params={"width": 160}, headers=auth)
    assert gif.status_code == 200 and gif.headers["content-type"] == "image/gif"

    issued = http.post("/api/v2/processing/events/stream-tokens", json={}, headers=auth)
    assert issued.status_code == 201 and issued.json()["stream_token"].startswith("st_")

    # The relay (ASGI, its own service) verifies the token too, and streams the user's events.
    event = OutgoingEvent(
        EventType.PROMPT_RUN_PROGRESS,
        lib.user_id,
        f"bearer-{uuid.uuid4().hex}",
        datetime.now(UTC),
        run_id="run-bearer",
        payload={"done": 1},
    )
    timeout = httpx.Timeout(10, read=30)
    with (
        httpx.Client(base_url=stack.base_url, timeout=timeout) as client,
        client.stream("GET", STREAM, params={"run_id": "run-bearer"}, headers=auth) as stream,
    ):
        assert stream.status_code == 200
        timer = threading.Timer(1.0, cloud.events.publish, args=(event,))
        timer.start()
        try:
            frame = next(f for f in parse_frames(stream.iter_lines()) if f.data)
        finally:
            timer.join()
    assert json.loads(frame.data)["payload"] == {"done": 1}


def test_bad_tokens_are_refused_everywhere(
    stack: LocalStack,
    http: httpx.Client,
    cloud: Container,
    token_issuer: LocalIssuer,
    new_key,  # type: ignore[no-untyped-def]
    user_id: str,
) -> None:
    subject = linked_subject(cloud, token_issuer, user_id)
    now = int(time.time())
    unsigned = jwt.encode(
        token_issuer.claims(subject), None, algorithm="none", headers={"kid": "rsa-1"}
    )
    token_issuer.add_key(f"unpublished-{uuid.uuid4().hex[:6]}", "RS256", publish=False)
    unpublished = next(k for k in token_issuer.private_keys if k not in token_issuer.published)
    bad = {
        "expired": token_issuer.mint(subject, exp=now - 600, iat=now - 900),
        "wrong audience": token_issuer.mint(subject, aud="another-api"),
        "wrong issuer": token_issuer.mint(subject, iss="https://api.workos.com"),
        "unknown key id": token_issuer.mint(subject, kid=unpublished),
        "alg none": unsigned,
        "HS256 with the public key": token_issuer.forged_hs256(subject),
        "tampered payload": token_issuer.tampered("user_NOBODY", as_subject=subject),
        "not yet valid": token_issuer.mint(subject, nbf=now + 600),
        "no subject": token_issuer.mint(None),
        "unlinked subject": token_issuer.mint("user_NOBODY"),
    }
    for reason, token in bad.items():
        with (
            sdk_bearer_client(stack.base_url, token) as client,
            pytest.raises(AuthenticationError) as caught,
        ):
            client.videos.batch_status(["v1"])
        assert caught.value.error_code == "authentication_invalid_token", reason
        assert_refused(http.get("/api/v2/markers", headers=bearer(token)))
    with (
        httpx.Client(base_url=stack.base_url, timeout=10) as client,
        client.stream("GET", STREAM, headers=bearer(bad["expired"])) as stream,
    ):
        assert_refused(stream)

    # Both headers: the bearer token is the credential judged, as the SDK would send it.
    key = new_key(user_id, "read")
    assert_refused(
        http.get("/api/v2/markers", headers={**bearer(bad["expired"]), "X-API-Key": key})
    )
    good = token_issuer.mint(subject)
    both = http.get("/api/v2/markers", headers={**bearer(good), "X-API-Key": "sk_live_wrong"})
    assert both.status_code == 200
    # And API keys work exactly as before, with no challenge on their refusals.
    assert http.get("/api/v2/markers", headers={"X-API-Key": key}).status_code == 200
    refused = http.get("/api/v2/markers", headers={"X-API-Key": "sk_live_wrong"})
    assert refused.status_code == 401 and "WWW-Authenticate" not in refused.headers
    assert refused.json()["error"]["code"] == "authentication_invalid_api_key"
