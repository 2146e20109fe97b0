"""The developer console's server side, through the gateway: the page is served at /console,
and stream tokens open the event stream, for their own filters only, and nothing else."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from infra.local.stack import LocalStack
from shared.clients.sse import parse_frames
from shared.config import LOCAL_ENVIRONMENT, Settings
from shared.domain.events import EventType, OutgoingEvent
from shared.secrets import secret_bytes
from shared.services.stream_tokens import StreamFilters, StreamTokens

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

TOKENS = "/api/v2/processing/events/stream-tokens"
STREAM = "/api/v2/processing/events/stream"


def issue(http: httpx.Client, key: str, **filters: object) -> str:
    response = http.post(TOKENS, json=filters, headers={"X-API-Key": key})
    assert response.status_code == 201, response.text
    token = response.json()["stream_token"]
    assert isinstance(token, str) and token.startswith("st_")
    return token


def stream_status(stack: LocalStack, params: dict[str, str], **headers: str) -> int:
    timeout = httpx.Timeout(10, read=10)
    with (
        httpx.Client(base_url=stack.base_url, timeout=timeout) as client,
        client.stream("GET", STREAM, params=params, headers=headers) as response,
    ):
        if response.status_code != 200:
            body = json.loads(response.read())
            assert body["error"]["code"] in (
                "authentication_invalid_api_key",  # no credential at all
                "authentication_invalid_token",  # a stream token refused
                "validation_failed",
            ), body
        else:
            assert response.headers["content-type"].startswith("text/event-stream")
        return response.status_code


def test_the_console_is_served_at_console(http: httpx.Client) -> None:
    root = http.get("/console")
    assert root.status_code == 308 and root.headers["location"] == "/console/"
    page = http.get("/console/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="api-key"' in page.text and "app.js" in page.text
    script = http.get("/console/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert http.get("/console/missing.js").status_code == 404


def test_stream_token_over_http(stack: LocalStack, http: httpx.Client, cloud, new_key) -> None:  # type: ignore[no-untyped-def]
    user = f"user-{uuid.uuid4().hex[:10]}"
    key = new_key(user, "read")
    token = issue(http, key, run_id="run-console", event_types=["prompt_run.progress"])
    params = {"run_id": "run-console", "event_types": "prompt_run.progress", "stream_token": token}

    # The token opens the stream with its own filters, and the stream carries the user's events.
    timeout = httpx.Timeout(10, read=30)
    with (
        httpx.Client(base_url=stack.base_url, timeout=timeout) as client,
        client.stream("GET", STREAM, params=params) as response,
    ):
        assert response.status_code == 200
        event = OutgoingEvent(
            EventType.PROMPT_RUN_PROGRESS,
            user,
            f"console-{uuid.uuid4().hex}",
            datetime.now(UTC),
            run_id="run-console",
            payload={"done": 1},
        )
        timer = threading.Timer(1.0, cloud.events.publish, args=(event,))
        timer.start()
        try:
            frame = next(f for f in parse_frames(response.iter_lines()) if f.data)
        finally:
            timer.join()
    assert frame.event == "prompt_run.progress"
    data = json.loads(frame.data)
    assert data["user_id"] == user and data["payload"] == {"done": 1}


def test_stream_token_is_bound_to_its_filters(
    stack: LocalStack, http: httpx.Client, new_key
) -> None:  # type: ignore[no-untyped-def]
    key = new_key(f"user-{uuid.uuid4().hex[:10]}", "read")
    token = issue(http, key, run_id="run-a", video_ids=["v1", "v2"])
    same = {"run_id": "run-a", "video_ids": "v2,v1", "stream_token": token}
    assert stream_status(stack, same) == 200
    for other in (
        {"run_id": "run-b", "video_ids": "v1,v2"},
        {"run_id": "run-a", "video_ids": "v1"},
        {"run_id": "run-a", "video_ids": "v1,v2", "event_types": "media.created"},
        {"video_ids": "v1,v2"},
        {},
    ):
        assert stream_status(stack, {**other, "stream_token": token}) == 401, other


def test_expired_and_forged_stream_tokens_are_refused(stack: LocalStack) -> None:
    secret = secret_bytes(Settings(environment=LOCAL_ENVIRONMENT), "stream_token_secret")
    past = datetime.now(UTC) - timedelta(minutes=10)
    expired = StreamTokens(secret, ttl_seconds=300, clock=lambda: past).issue("u", StreamFilters())
    forged = StreamTokens(b"not the stack's secret at all").issue("u", StreamFilters())
    for token in (expired.token, forged.token, "st_" + "A" * 60):
        assert stream_status(stack, {"stream_token": token}) == 401


def test_stream_token_is_refused_everywhere_else(
    stack: LocalStack, http: httpx.Client, new_key
) -> None:  # type: ignore[no-untyped-def]
    key = new_key(f"user-{uuid.uuid4().hex[:10]}", "write")
    token = issue(http, key)
    as_key = {"X-API-Key": token}
    refused = [
        http.get("/api/v2/markers", headers=as_key),
        http.get("/api/v2/markers", params={"stream_token": token}),
        http.put(
            "/api/v2/markers", headers=as_key, json={"target_type": "video", "target_id": "v"}
        ),
        http.post(TOKENS, headers=as_key, json={}),
        http.post(TOKENS, params={"stream_token": token}, json={}),
    ]
    for response in refused:
        assert response.status_code == 401, response.request.url.path
        assert response.json()["error"]["code"] == "authentication_invalid_api_key"
    # Nor is it a bearer token (decision 007).
    as_bearer = http.get("/api/v2/markers", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401
    assert as_bearer.json()["error"]["code"] == "authentication_invalid_token"
    # On the stream itself the token is a query parameter, never a key.
    assert stream_status(stack, {}, **as_key) == 401
    assert stream_status(stack, {"stream_token": token}) == 200
