"""Helpers for the event-stream tests: relays started for real, and publishers that send
through the real ``processing-events`` topic (so the emulator pushes to the ingest function).
The ``relay_factory`` fixture is in ``tests/support/stack_fixtures.py``."""

from __future__ import annotations

import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.local.processes import ManagedProcess, free_port
from infra.local.stack import LocalStack
from shared.adapters.pubsub_events import event_message
from shared.bootstrap import Container
from shared.clients.event_stream import EventStreamClient, StreamEvent
from shared.domain.events import EventType, OutgoingEvent

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Relay:
    """A relay process of its own (so a test can set its limits, kill and restart it)."""

    stack: LocalStack
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: ManagedProcess | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Relay:
        self.starts += 1
        self.process = ManagedProcess(
            f"relay-{self.port}-{self.starts}",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--timeout-graceful-shutdown",  # as deployed (infra/bundle.py)
                "5",
            ],
            self.log_dir / f"relay-{self.port}-{self.starts}.log",
            f"{self.url}/",
            env={**self.stack.env, **self.env},
            cwd=ROOT / "functions" / "events_relay",
        ).start()
        self.process.wait_ready(timeout=60)
        return self

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        import os

        assert self.process is not None and self.process.popen is not None
        os.killpg(self.process.popen.pid, sig)
        self.process.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


class Follower:
    """A client following in a thread of its own, collecting what it receives."""

    def __init__(self, client: EventStreamClient) -> None:
        self.client = client
        self.received: list[StreamEvent] = []
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            for event in self.client.events():
                self.received.append(event)
        except BaseException as exc:
            self.failure = exc

    def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            assert self.failure is None, self.failure
            time.sleep(0.2)


def new_event(user_id: str, key: str | None = None, **fields: Any) -> OutgoingEvent:
    return OutgoingEvent(
        fields.pop("event_type", EventType.PROMPT_RUN_PROGRESS),
        user_id,
        key or uuid.uuid4().hex,
        datetime.now(UTC),
        **fields,
    )


def publish_all(cloud: Container, events: Sequence[OutgoingEvent | bytes]) -> None:
    """Publish through the topic and wait until Pub/Sub accepted every message. Bytes are
    sent as they are (for invalid messages)."""
    topic = cloud.publisher.topic_path(cloud.settings.project_id, cloud.settings.events_topic)
    futures = [
        cloud.publisher.publish(topic, e if isinstance(e, bytes) else event_message(e))
        for e in events
    ]
    for future in futures:
        future.result(timeout=60)


def follow(
    client: EventStreamClient, stop: Callable[[StreamEvent], bool], timeout: float = 120
) -> list[StreamEvent]:
    """Collect events until ``stop`` says so (the stopping event included)."""
    got: list[StreamEvent] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for event in client.events():
                got.append(event)
                if stop(event):
                    return
        except BaseException as exc:  # surfaced in the test thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), f"gave up after {timeout}s with {len(got)} events"
    return got


def payload_key(event: StreamEvent) -> Any:
    return event.data["payload"].get("key")
