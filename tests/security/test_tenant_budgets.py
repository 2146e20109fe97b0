"""Hostile tenants: one key cannot take every shared slot (issue #13).

Against the local stack, with relays and a media function of their own started with small
budgets: a key over its stream cap gets a 429 envelope with Retry-After (counted across two
relay instances) while another key's streams and requests go on; a stream token and a user
have caps of their own; opening a stream spends the rate limit; renders beyond a key's
concurrency or its starts per minute are refused before ffmpeg while another key renders.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from shared.adapters.firestore_slot_leases import COLLECTION, slot_ids
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.principals import hash_api_key
from shared.domain.records import MediaType, VideoRecord, VideoStatus
from tests.media.samples import frame_coded_clip

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]

STREAM = "/api/v2/processing/events/stream"
STREAM_CAPS = {
    "VV_STREAMS_PER_KEY": "3",
    "VV_STREAMS_PER_USER": "5",
    "VV_STREAM_HEARTBEAT_SECONDS": "1",  # a closed stream is noticed at its next write
    "VV_RELAY_DOORBELL": "poll",
}


class Streams:
    """Streams held open by a test, all closed at its end."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self.client = stack.enter_context(httpx.Client(timeout=30))
        self._readers: list[Iterator[str]] = []

    def open(self, base_url: str, key: str | None = None, **params: str) -> httpx.Response:
        headers = {"X-API-Key": key} if key else {}
        url = base_url + STREAM
        response = self.client.send(
            self.client.build_request("GET", url, headers=headers, params=params), stream=True
        )
        self._stack.callback(response.close)
        if response.status_code == 200:
            # Read the opening frame (the stream is live) and keep the reader: a reader
            # dropped by the garbage collector closes its connection.
            lines = response.iter_lines()
            next(lines)
            self._readers.append(lines)
        else:
            response.read()
        return response


@pytest.fixture
def streams() -> Iterator[Streams]:
    with contextlib.ExitStack() as stack:
        yield Streams(stack)


def assert_budget_refusal(response: httpx.Response, retry_after: str, says: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["Retry-After"] == retry_after
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and says in error["message"], error
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_a_key_over_its_stream_cap_is_refused_and_nobody_else_notices(  # type: ignore[no-untyped-def]
    stack: LocalStack, http: httpx.Client, new_key, relay_factory, streams: Streams
) -> None:
    first, second = relay_factory(**STREAM_CAPS), relay_factory(**STREAM_CAPS)
    alice, bob = (f"user-{uuid.uuid4().hex[:10]}" for _ in range(2))
    alice_key, bob_key = new_key(alice, "read"), new_key(bob, "read")

    held = [streams.open(first.url, alice_key) for _ in range(2)]
    held.append(streams.open(second.url, alice_key))
    assert [r.status_code for r in held] == [200, 200, 200]
    # The cap holds across relay instances: the fourth is refused on either.
    for relay in (first, second):
        refused = streams.open(relay.url, alice_key)
        assert_budget_refusal(refused, "10", "3 open event streams for this key")

    # Another key's streams and every ordinary request go on as before.
    for relay in (first, second, first):
        assert streams.open(relay.url, bob_key).status_code == 200
    for key in (bob_key, alice_key):
        markers = http.get("/api/v2/markers", headers={"X-API-Key": key})
        assert markers.status_code == 200, markers.text

    # A stream that ends gives its slot back.
    held[0].close()
    deadline = time.monotonic() + 20
    while (reopened := streams.open(first.url, alice_key)).status_code == 429:
        assert time.monotonic() < deadline, "the closed stream's slot never came back"
        time.sleep(0.5)
    assert reopened.status_code == 200


def test_tokens_and_users_have_caps_of_their_own(  # type: ignore[no-untyped-def]
    http: httpx.Client, new_key, relay_factory, streams: Streams
) -> None:
    relay = relay_factory(**STREAM_CAPS)
    carol = f"user-{uuid.uuid4().hex[:10]}"
    keys = [new_key(carol, "read") for _ in range(2)]
    minted = http.post(
        "/api/v2/processing/events/stream-tokens",
        json={"run_id": "run-1"},
        headers={"X-API-Key": keys[0]},
    )
    assert minted.status_code in (200, 201), minted.text
    token = minted.json()["stream_token"]

    by_token = [streams.open(relay.url, stream_token=token, run_id="run-1") for _ in range(3)]
    assert [r.status_code for r in by_token] == [200, 200, 200]
    refused = streams.open(relay.url, stream_token=token, run_id="run-1")
    assert_budget_refusal(refused, "10", "3 open event streams for this stream token")

    # Carol's streams count together whatever the credential: 3 by token + 2 by a key = 5.
    assert [streams.open(relay.url, keys[1]).status_code for _ in range(2)] == [200, 200]
    assert_budget_refusal(streams.open(relay.url, keys[1]), "10", "5 open event streams")


def test_opening_a_stream_spends_the_rate_limit(  # type: ignore[no-untyped-def]
    new_key, relay_factory, streams: Streams
) -> None:
    relay = relay_factory(**STREAM_CAPS, VV_RATE_LIMIT_PER_MINUTE="2")
    wait_for_a_fresh_minute(needed_seconds=10)
    key = new_key(f"user-{uuid.uuid4().hex[:10]}", "read")
    assert [streams.open(relay.url, key).status_code for _ in range(2)] == [200, 200]
    refused = streams.open(relay.url, key)
    assert refused.status_code == 429
    assert "2 requests per minute" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def wait_for_a_fresh_minute(needed_seconds: float) -> None:
    """Per-minute budgets count in fixed windows: start with enough of one left."""
    left = 60 - time.time() % 60
    if left < needed_seconds:
        time.sleep(left + 0.2)


def put_clip(cloud: Container, user_id: str, folder: Path, seconds: int = 3) -> str:
    clip = frame_coded_clip(
        folder / f"{user_id}.mp4", width=640, height=360, fps=30, seconds=seconds,
        keyframe_seconds=1,
    )  # fmt: skip
    video_id = f"v-{uuid.uuid4().hex[:10]}"
    stored = cloud.media.upload(clip.path, f"uploads/{user_id}/{video_id}.mp4")
    now = utcnow()
    cloud.catalog.put_video(
        VideoRecord(
            video_id, user_id, "clip", stored.uri, MediaType.VIDEO, VideoStatus.PROCESSED,
            now, now, duration_seconds=float(seconds), fps=30.0, media_version=stored.generation,
        )
    )  # fmt: skip
    return video_id


def test_renders_beyond_a_keys_budget_are_refused_before_ffmpeg(  # type: ignore[no-untyped-def]
    cloud: Container, new_key, function_factory, tmp_path: Path
) -> None:
    media = function_factory("media", VV_RENDERS_PER_KEY="1", VV_RENDER_STARTS_PER_MINUTE="2")
    erin, frank = (f"user-{uuid.uuid4().hex[:10]}" for _ in range(2))
    erin_key, frank_key = new_key(erin, "read"), new_key(frank, "read")
    erin_video, frank_video = put_clip(cloud, erin, tmp_path, 8), put_clip(cloud, frank, tmp_path)
    client = httpx.Client(base_url=media, timeout=60)
    key_users = {erin_key: erin, frank_key: frank}

    def thumbnail(key: str, video: str, at: float) -> httpx.Response:
        segment = f"{video}-s{str(at).replace('.', '_')}"
        cloud.catalog.put_segments([_segment(segment, video, key_users[key], at)])
        return client.get(
            f"/api/v2/videos/segments/{segment}/thumbnail", headers={"X-API-Key": key}
        )

    erin_subject = f"render:{hash_api_key(erin_key)[:16]}"

    # Another instance is rendering for Erin's key: her render is refused at once...
    other = cloud.budget_slots.acquire(erin_subject, "another-instance", 1, 60)
    assert other is not None
    started = time.monotonic()
    assert_budget_refusal(thumbnail(erin_key, erin_video, 0.5), "2", "1 renders for this key")
    assert time.monotonic() - started < 5
    assert thumbnail(frank_key, frank_video, 0.5).status_code == 200  # ...Frank's goes on
    cloud.budget_slots.release(other, "another-instance")

    # A real long render holds her one slot: a second one is refused while it runs.
    wait_for_a_fresh_minute(needed_seconds=40)
    gif: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: gif.update(
            reply=client.get(
                f"/api/v2/videos/{erin_video}/gif",
                params={"duration": 8, "fps": 30, "width": 640},
                headers={"X-API-Key": erin_key},
            )
        )
    )
    slow.start()
    try:
        assert wait_for_slot(cloud, erin_subject), "the GIF render never took a slot"
        assert_budget_refusal(thumbnail(erin_key, erin_video, 1.0), "2", "1 renders")
    finally:
        slow.join(60)
    assert gif["reply"].status_code == 200, gif["reply"].text

    # Starts per minute: the GIF was the first; one more, then refused. A cached preview
    # is no render and costs nothing.
    assert thumbnail(erin_key, erin_video, 1.5).status_code == 200
    assert thumbnail(erin_key, erin_video, 1.5).status_code == 200  # cached
    refused = thumbnail(erin_key, erin_video, 2.5)
    assert refused.status_code == 429
    assert "2 render starts per minute" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert thumbnail(frank_key, frank_video, 1.5).status_code == 200
    client.close()


def _segment(segment_id: str, video_id: str, user_id: str, at: float):  # type: ignore[no-untyped-def]
    from shared.domain.records import SegmentRecord

    return SegmentRecord(segment_id, video_id, user_id, at - 0.25, at + 0.25, utcnow())


def wait_for_slot(cloud: Container, subject: str, timeout: float = 30) -> bool:
    (slot,) = slot_ids(subject, 1)
    ref = cloud.firestore.collection(COLLECTION).document(slot)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ref.get().exists:
            return True
        time.sleep(0.02)
    return False
