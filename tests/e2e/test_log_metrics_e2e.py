"""Every log-based metric of infra/monitoring_metrics.tf counts lines the code really writes.

The stack (and a relay of the test's own) serve real traffic: events stored, a duplicate and
an invalid message pushed through the processing-events topic, a stream that receives events
and then reaches its duration limit, previews rendered, served from memory, answered 304 and
failing. What no stack run provokes cheaply (a 429, a store that is down) runs in this
process through the same code, formatted by the same formatter. Then each metric's filter
and extractors (tests/infra/log_query.py) must select lines and find values in them.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import functions_framework
import httpx
import pytest
from cloudevents.http import CloudEvent
from events_ingest_api import handler

from infra.local.stack import LocalStack
from shared import bootstrap
from shared.bootstrap import Container
from shared.clients.sse import parse_frames
from shared.clock import utcnow
from shared.domain.events import OutgoingEvent
from shared.domain.ports import EventLog
from shared.domain.records import MediaType, SegmentRecord, VideoRecord, VideoStatus
from shared.errors import ServiceUnavailable
from shared.services.api_keys import create_api_key
from shared.services.rate_limiting import RateLimiter
from shared.structured_logging import CloudLoggingFormatter, configure_logging
from tests.fakes.memory_api_keys import InMemoryApiKeyStore
from tests.fakes.memory_event_signals import InMemoryDeadLetters, InMemoryDoorbell
from tests.fakes.memory_markers import InMemoryMarkerRepository
from tests.fakes.memory_rate_limits import InMemoryRateLimitStore
from tests.infra.log_query import Entry, compile_extractor, compile_filter, entries_in, log_entry
from tests.infra.monitoring_config import log_metrics
from tests.media.samples import frame_coded_clip
from tests.support.relays import Relay, new_event, publish_all
from tests.support.settings import settings_for_fakes

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]
STREAM = "/api/v2/processing/events/stream"
# Label values the alerts and the dashboard select on, which these runs must produce.
EXPECTED = {
    "events_ingested": {"outcome": {"stored", "duplicate", "dead_lettered"}},
    "streams_ended": {"reason": {"stream_duration_limit"}},
    "previews_served": {"tier": {"made", "memory", "not_modified"}, "kind": {"gif", "thumbnail"}},
    "renders": {"outcome": {"ok"}},
    "rate_limited": {"budget": {"requests_per_minute"}},
    "dependency_errors": {
        "component": {"events_ingest", "http"},
        "dependency": {"event store", "media bucket"},
    },
}


def test_every_log_metric_counts_lines_the_code_writes(  # type: ignore[no-untyped-def]
    stack: LocalStack,
    cloud: Container,
    new_key,
    relay_factory: Callable[..., Relay],
    tmp_path: Path,
) -> None:
    # Long enough for the events to arrive first on a loaded machine; then the limit ends it.
    relay = relay_factory(VV_STREAM_MAX_SECONDS="10")
    user = f"user-{uuid.uuid4().hex[:10]}"
    stream_through_a_limit(relay, new_key(user, "read"), cloud, user)
    serve_previews(stack, cloud, new_key, tmp_path)
    with captured() as in_process:
        refuse_a_request_for_its_rate()
        fail_to_store_an_event()

    entries = entries_in((stack.state_dir / "logs").glob("*.log"))
    entries += entries_in(relay.log_dir.glob("*.log"))
    entries += [log_entry(json.loads(line)) for line in in_process.getvalue().splitlines()]
    problems = []
    for metric in log_metrics().values():
        problems += check_metric(metric.name, metric.filter, metric.labels, metric.value, entries)
    assert not problems, "\n".join(problems)


def check_metric(
    name: str, query: str, labels: dict[str, str], value: str, entries: list[Entry]
) -> list[str]:
    matched = [e for e in entries if compile_filter(query)(e)]
    if not matched:
        return [f"{name}: its filter selects no line ({query})"]
    problems = []
    for label, extractor in labels.items():
        seen = {compile_extractor(extractor)(e) for e in matched} - {None, ""}
        if not seen:
            problems.append(f"{name}: label {label} extracts nothing ({extractor})")
        missing = EXPECTED.get(name, {}).get(label, set()) - seen
        if missing:
            problems.append(f"{name}: label {label} never was {sorted(missing)}; saw {seen}")
    if value:
        values = [compile_extractor(value)(e) for e in matched]
        if any(v is None or float(v) < 0 for v in values):
            problems.append(f"{name}: {value} is not a number on every line: {values[:5]}")
    return problems


def stream_through_a_limit(relay: Relay, key: str, cloud: Container, user: str) -> None:
    """Events stored (one twice, so a duplicate) and an invalid message, followed live by a
    stream that then reaches its duration limit."""
    first = new_event(user, payload={"key": 0})
    batch: list[OutgoingEvent | bytes] = [first, first, new_event(user, payload={"key": 1})]
    batch.append(b'{"user_id": "' + user.encode() + b'"')
    threading.Timer(1.0, publish_all, (cloud, batch)).start()
    frames = []
    with (
        httpx.Client(base_url=relay.url, timeout=30) as http,
        http.stream("GET", STREAM, headers={"X-API-Key": key}) as response,
    ):
        assert response.status_code == 200
        for frame in parse_frames(response.iter_lines()):
            frames.append(frame)
            if frame.event == "processing.stream_error":
                break
    assert sum(f.event == "prompt_run.progress" for f in frames) == 2, frames
    assert json.loads(frames[-1].data)["code"] == "stream_duration_limit"


def serve_previews(stack: LocalStack, cloud: Container, new_key, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = f"user-{uuid.uuid4().hex[:10]}"
    clip = frame_coded_clip(
        tmp_path / "clip.mp4", width=320, height=180, fps=30, seconds=2, keyframe_seconds=1
    )
    video_id = f"v-{uuid.uuid4().hex[:10]}"
    stored = cloud.media.upload(clip.path, f"uploads/{user}/{video_id}.mp4")
    broken_id = f"v-{uuid.uuid4().hex[:10]}"
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"not a video at all" * 100)
    broken = cloud.media.upload(garbage, f"uploads/{user}/{broken_id}.mp4")
    now = utcnow()
    for vid, obj in ((video_id, stored), (broken_id, broken)):
        cloud.catalog.put_video(
            VideoRecord(
                vid, user, "clip", obj.uri, MediaType.VIDEO, VideoStatus.PROCESSED,
                now, now, duration_seconds=2.0, fps=30.0, media_version=obj.generation,
            )
        )  # fmt: skip
    segment_id = f"{video_id}-s1"
    cloud.catalog.put_segments([SegmentRecord(segment_id, video_id, user, 0.5, 1.5, now)])
    auth = {"X-API-Key": new_key(user, "read")}
    with httpx.Client(base_url=stack.base_url, timeout=120) as http:
        gif = http.get(f"/api/v2/videos/{video_id}/gif", params={"width": 96}, headers=auth)
        assert gif.status_code == 200
        etag = {**auth, "If-None-Match": gif.headers["etag"]}
        assert http.get(f"/api/v2/videos/{video_id}/gif", params={"width": 96}, headers=etag)
        thumbnail = f"/api/v2/videos/segments/{segment_id}/thumbnail"
        assert [http.get(thumbnail, headers=auth).status_code for _ in range(2)] == [200, 200]
        failed = http.get(f"/api/v2/videos/{broken_id}/gif", params={"width": 96}, headers=auth)
        assert failed.status_code in (422, 503), failed.text


@contextmanager
def captured() -> Iterator[io.StringIO]:
    """The JSON lines this process logs meanwhile, as the functions' formatter writes them."""
    configure_logging()  # now, so the functions' own call later does not drop the sink
    buffer = io.StringIO()
    sink = logging.StreamHandler(buffer)
    sink.setFormatter(CloudLoggingFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(sink)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(sink)
        root.setLevel(level)


def refuse_a_request_for_its_rate() -> None:
    container = Container(
        settings_for_fakes(), api_keys=InMemoryApiKeyStore(), markers=InMemoryMarkerRepository()
    )
    container.__dict__["rate_limiter"] = RateLimiter(InMemoryRateLimitStore(), per_minute=1)
    key = create_api_key(container.api_keys, "alice", ["read"])
    bootstrap.override(container)
    try:
        app = functions_framework.create_app(
            target="markers", source=str(ROOT / "functions" / "markers" / "main.py")
        )
        client = app.test_client()
        statuses = [client.get("/api/v2/markers", headers={"X-API-Key": key}).status_code]
        statuses.append(client.get("/api/v2/markers", headers={"X-API-Key": key}).status_code)
    finally:
        bootstrap.override(None)
    assert statuses == [200, 429]


class BrokenLog(EventLog):
    def append(self, event: OutgoingEvent, expires_at: datetime) -> Any:
        raise ServiceUnavailable("The event store is temporarily unavailable; retry shortly.")


def fail_to_store_an_event() -> None:
    """The ingest with its store down (it raises, so Pub/Sub redelivers), and the HTTP error
    mapping answering the same error with a 503."""
    from shared.http.error_mapping import error_response_parts

    container = Container(
        settings_for_fakes(),
        event_log=BrokenLog(),
        doorbell=InMemoryDoorbell(),
        dead_letters=InMemoryDeadLetters(),
    )
    data = json.dumps(
        {"event_type": "prompt_run.progress", "user_id": "alice", "event_key": "k",
         "created_at": "2026-01-02T03:04:05Z", "payload": {}}
    ).encode()  # fmt: skip
    envelope = {"message": {"data": base64.b64encode(data).decode(), "messageId": "m-1"}}
    attributes = {"type": "google.cloud.pubsub.topic.v1.messagePublished", "id": "m-1"}
    with pytest.raises(ServiceUnavailable):
        handler.handle_pushed_event(
            CloudEvent({**attributes, "source": "//t"}, envelope), container
        )
    status, _, _ = error_response_parts(
        ServiceUnavailable("The media bucket is not answering."), "r"
    )
    assert status == 503
