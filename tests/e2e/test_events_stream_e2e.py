"""The processing event stream end to end: the ``processing-events`` topic → push → the ingest
function → Firestore → the relay (started for real) → a following client."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from infra.local.provision import DEAD_LETTER_HOLD_SUBSCRIPTION
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clients.event_stream import EventStreamClient, StreamEnded
from shared.clients.sse import parse_frames
from shared.domain.event_log import Position
from shared.domain.events import EventType
from tests.support.relays import (
    Relay,
    follow,
    new_event,
    payload_key,
    publish_all,
)

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]
STREAM = "/api/v2/processing/events/stream"


def start_position(base_url: str, key: str) -> str:
    """Open a stream and read the position it starts from (its first id), then leave."""
    with (
        httpx.Client(base_url=base_url, timeout=30) as http,
        http.stream("GET", STREAM, headers={"X-API-Key": key}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-request-id"]
        for frame in parse_frames(response.iter_lines()):
            assert frame.retry_ms is not None and frame.id is not None
            return frame.id
    raise AssertionError("no opening frame")


def test_stream_through_the_gateway(stack: LocalStack, cloud: Container, new_key) -> None:  # type: ignore[no-untyped-def]
    user = f"user-{uuid.uuid4().hex[:10]}"
    client = EventStreamClient(stack.base_url, new_key(user, "read"), read_timeout=30)
    sent = [new_event(user, run_id="run-e2e", payload={"key": i}) for i in range(5)]
    threading.Timer(1.0, publish_all, (cloud, sent)).start()
    got = follow(client, until_keys(5))
    assert sorted(payload_key(e) for e in got) == [0, 1, 2, 3, 4]
    ids = [e.event_id for e in got]
    assert ids == sorted(ids) and len(set(ids)) == 5
    first = got[0].data
    assert first["user_id"] == user and first["run_id"] == "run-e2e"
    assert set(first) == {
        "event_id", "event_type", "user_id", "run_id", "video_id", "segment_id", "index_id",
        "created_at", "payload",
    }  # fmt: skip
    assert first["event_id"] == got[0].event_id and first["created_at"].endswith("Z")


def until_keys(count: int) -> Callable[[Any], bool]:
    """A stop condition: true once ``count`` distinct payload keys have arrived."""
    keys: set[Any] = set()

    def stop(event: Any) -> bool:
        keys.add(payload_key(event))
        return len(keys) >= count

    return stop


ROWS: list[tuple[str, dict[str, Any]]] = [
    ("a", {"run_id": "run-1", "index_id": "idx-1", "video_id": "v1"}),
    ("b", {"run_id": "run-2", "index_id": "idx-2", "video_id": "v2"}),
    ("c", {"run_id": "run-1", "index_id": "idx-2", "video_id": "v3"}),
    ("d", {"event_type": EventType.MEDIA_CREATED, "index_id": "idx-1", "video_id": "v2"}),
    ("e", {"event_type": EventType.MEDIA_PREVIEW_READY, "run_id": "run-1", "video_id": "v4"}),
]
SENTINEL = {
    "run_id": "run-1",
    "index_id": "idx-1",
    "video_id": "v1",
    "event_type": EventType.MEDIA_CREATED,
}


@pytest.mark.parametrize(
    ("query", "expected", "end"),
    [
        ("", {"a", "b", "c", "d", "e"}, {}),
        ("run_id=run-1", {"a", "c", "e"}, {}),
        ("index_id=idx-2", {"b", "c"}, {"index_id": "idx-2"}),
        ("video_ids=v1,v2", {"a", "b", "d"}, {}),
        ("video_ids=v3&video_ids=v4", {"c", "e"}, {"video_id": "v3"}),
        ("event_types=media.created,media.preview.ready", {"d", "e"}, {}),
        (
            "event_types=media.created&event_types=prompt_run.progress&run_id=run-2",
            {"b"},
            {"run_id": "run-2"},
        ),
        ("batch_size=1&video_ids=v2", {"b", "d"}, {"video_id": "v2"}),
        ("batch_size=500&index_id=idx-1", {"a", "d"}, {}),
    ],
)
def test_each_filter(  # type: ignore[no-untyped-def]
    stack: LocalStack,
    cloud: Container,
    new_key,
    query: str,
    expected: set[str],
    end: dict[str, str],
) -> None:
    """The last event matches the filter; everything before it is what the filter let by."""
    user = f"user-{uuid.uuid4().hex[:10]}"
    key = new_key(user, "read")
    cursor = start_position(stack.base_url, key)
    events = [new_event(user, payload={"key": k}, **fields) for k, fields in ROWS]
    events.append(new_event(f"other-{user}", payload={"key": "foreign"}, **SENTINEL))
    publish_all(cloud, events)
    time.sleep(0.5)  # publish order is not arrival order: the sentinel goes last
    publish_all(cloud, [new_event(user, payload={"key": "end"}, **{**SENTINEL, **end})])
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        headers = {"X-API-Key": key, "Last-Event-ID": cursor}
        got = []
        with http.stream("GET", f"{STREAM}?{query}", headers=headers) as response:
            assert response.status_code == 200
            for frame in parse_frames(response.iter_lines()):
                if frame.data:
                    assert frame.event != "processing.stream_error", frame.data
                    got.append(json.loads(frame.data))
                    if got[-1]["payload"]["key"] == "end":
                        break
    assert {g["payload"]["key"] for g in got[:-1]} == expected
    assert len(got) - 1 == len(expected)
    assert all(g["user_id"] == user for g in got)


@pytest.mark.parametrize(
    ("query", "headers", "status", "code"),
    [
        ("video_ids=" + ",".join(f"v{i}" for i in range(101)), {}, 422, "validation_failed"),
        ("video_ids=a/b", {}, 422, "validation_failed"),
        ("event_types=media.exploded", {}, 422, "validation_failed"),
        ("batch_size=0", {}, 422, "validation_failed"),
        ("batch_size=501", {}, 422, "validation_failed"),
        ("run_id=a&run_id=b", {}, 422, "validation_failed"),
        ("colour=red", {}, 422, "validation_failed"),
        ("", {"Last-Event-ID": "not-a-cursor"}, 400, "invalid_cursor"),
        ("last_event_id=123-abc", {}, 400, "invalid_cursor"),
    ],
)
def test_bad_filters_and_malformed_cursors_are_refused_before_streaming(  # type: ignore[no-untyped-def]
    stack: LocalStack, new_key, query: str, headers: dict[str, str], status: int, code: str
) -> None:
    key = new_key(f"user-{uuid.uuid4().hex[:10]}", "read")
    response = httpx.get(
        f"{stack.base_url}{STREAM}?{query}", headers={"X-API-Key": key, **headers}, timeout=30
    )
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]


def test_keys_and_scopes(stack: LocalStack, new_key) -> None:  # type: ignore[no-untyped-def]
    url = f"{stack.base_url}{STREAM}"
    assert httpx.get(url, timeout=30).json()["error"]["code"] == "authentication_invalid_api_key"
    weak = new_key(f"user-{uuid.uuid4().hex[:10]}", "search")
    refused = httpx.get(url, headers={"X-API-Key": weak}, timeout=30)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "authorization_insufficient_scope"
    assert httpx.post(url, headers={"X-API-Key": weak}, timeout=30).status_code == 405


def in_band_error(base_url: str, key: str, cursor: str) -> dict[str, Any]:
    headers = {"X-API-Key": key, "Last-Event-ID": cursor}
    with (
        httpx.Client(base_url=base_url, timeout=30) as http,
        http.stream("GET", STREAM, headers=headers) as r,
    ):
        assert r.status_code == 200
        frames = list(parse_frames(r.iter_lines()))
    assert frames[0].retry_ms is not None
    (error,) = [json.loads(f.data) for f in frames if f.event == "processing.stream_error"]
    return error


def test_expired_and_unknown_cursors_are_told_in_band(  # type: ignore[no-untyped-def]
    stack: LocalStack, cloud: Container, new_key
) -> None:
    alice, bob = (f"user-{uuid.uuid4().hex[:10]}" for _ in range(2))
    alice_key = new_key(alice, "read")
    eight_days_ago = (
        Position.at(Position.parse(start_position(stack.base_url, alice_key)).moment).micros
        - 8 * 86_400 * 1_000_000
    )
    expired = in_band_error(stack.base_url, alice_key, Position(eight_days_ago).event_id)
    assert expired["code"] == "cursor_expired" and expired["retryable"] is False
    assert expired["last_event_id"] is None

    bob_key = new_key(bob, "read")
    bob_client = EventStreamClient(stack.base_url, bob_key, read_timeout=30)
    threading.Timer(1.0, publish_all, (cloud, [new_event(bob, payload={"key": 1})])).start()
    (bobs,) = follow(bob_client, lambda e: True)
    unknown = in_band_error(stack.base_url, alice_key, bobs.event_id)  # another user's id
    missing = in_band_error(stack.base_url, alice_key, bobs.event_id[:18] + "0" * 32)
    assert unknown == missing  # another user's event reads exactly like a missing one
    assert unknown["code"] == "cursor_unknown" and unknown["retryable"] is False

    with pytest.raises(StreamEnded) as ended:
        follow(EventStreamClient(stack.base_url, alice_key, last_event_id=bobs.event_id), bool)
    assert ended.value.code == "cursor_unknown"


def test_heartbeats(stack: LocalStack, new_key, relay_factory: Callable[..., Relay]) -> None:  # type: ignore[no-untyped-def]
    relay = relay_factory(VV_STREAM_HEARTBEAT_SECONDS="0.3")
    key = new_key(f"user-{uuid.uuid4().hex[:10]}", "read")
    comments = 0
    with (
        httpx.Client(base_url=relay.url, timeout=30) as http,
        http.stream("GET", STREAM, headers={"X-API-Key": key}) as response,
    ):
        for line in response.iter_lines():
            comments += line.startswith(":")
            if comments == 3:
                break
    assert comments == 3


def test_stream_error_at_the_duration_limit_and_resume(  # type: ignore[no-untyped-def]
    stack: LocalStack, cloud: Container, new_key, relay_factory: Callable[..., Relay]
) -> None:
    relay = relay_factory(VV_STREAM_MAX_SECONDS="1.5")
    user = f"user-{uuid.uuid4().hex[:10]}"
    client = EventStreamClient(relay.url, new_key(user, "read"), read_timeout=30)
    events = [new_event(user, payload={"key": i}) for i in range(6)]

    def publish_slowly() -> None:
        for i in range(0, 6, 2):
            time.sleep(1.0)
            publish_all(cloud, events[i : i + 2])

    threading.Thread(target=publish_slowly, daemon=True).start()
    got = follow(client, until_keys(6))
    assert sorted(payload_key(e) for e in got) == list(range(6))
    assert [e.event_id for e in got] == sorted(e.event_id for e in got)
    codes = {(e["code"], e["retryable"]) for e in client.stream_errors}
    assert ("stream_duration_limit", True) in codes
    assert all(e["last_event_id"] for e in client.stream_errors)


def test_a_dead_lettered_message_does_not_block_later_good_ones(  # type: ignore[no-untyped-def]
    stack: LocalStack, cloud: Container, new_key
) -> None:
    user = f"user-{uuid.uuid4().hex[:10]}"
    client = EventStreamClient(stack.base_url, new_key(user, "read"), read_timeout=30)
    marker = uuid.uuid4().hex
    bad_json = f'{{"user_id": "{user}", "marker": "{marker}"'.encode()
    bad_type = json.dumps(
        {"event_type": "media.exploded", "user_id": user, "event_key": marker,
         "created_at": "2026-01-01T00:00:00Z"}
    ).encode()  # fmt: skip
    batch = [
        new_event(user, payload={"key": 0}),
        bad_json,
        bad_type,
        new_event(user, payload={"key": 1}),
        new_event(user, payload={"key": 2}),
    ]
    threading.Timer(1.0, publish_all, (cloud, batch)).start()
    got = follow(client, until_keys(3))
    assert sorted(payload_key(e) for e in got) == [0, 1, 2]

    from google.cloud import pubsub_v1

    reasons: dict[bytes, str] = {}
    with pubsub_v1.SubscriberClient() as subscriber:
        path = subscriber.subscription_path(
            cloud.settings.project_id, DEAD_LETTER_HOLD_SUBSCRIPTION
        )
        deadline = time.monotonic() + 60
        while len(reasons) < 2 and time.monotonic() < deadline:
            pulled = subscriber.pull(subscription=path, max_messages=100, timeout=10)
            for received in pulled.received_messages:
                data = received.message.data
                if marker.encode() in data:
                    reasons[data] = received.message.attributes["dead_letter_reason"]
            if pulled.received_messages:
                subscriber.acknowledge(
                    subscription=path, ack_ids=[r.ack_id for r in pulled.received_messages]
                )
    assert reasons == {bad_json: "invalid_json", bad_type: "validation_failed"}
