"""The local stack of ``make dev``, started on free ports, driven over HTTP through the gateway."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from google.cloud import pubsub_v1

from infra.local.emulators import Emulators
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.services.api_keys import create_api_key
from tests.e2e.event_fixtures import relay_factory  # noqa: F401 - the event tests' fixture
from tests.log_hygiene import find_secrets, total_log_bytes


@pytest.fixture(scope="session")
def stack(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = LocalStack(
        state_dir=tmp_path_factory.mktemp("stack"),
        gateway_port=0,  # any free port, held from the start
        extra_env={"VV_STORE_TIMEOUT_SECONDS": "5", "VV_RATE_LIMIT_PER_MINUTE": "100000"},
    )
    running.start(emulators=emulators)
    try:
        yield running
    finally:
        running.stop(include_emulators=False)
    # Every request of the whole run went through these processes: none may have logged a
    # secret. (A failure here is reported as an error in the teardown of the last e2e test.)
    logs = running.state_dir / "logs"
    assert total_log_bytes(logs) > 0, "the stack wrote no logs to scan"
    leaks = find_secrets(logs)
    assert not leaks, f"secrets in logs: {leaks}"


@pytest.fixture
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def new_key(cloud: Container, stack: LocalStack):  # type: ignore[no-untyped-def]
    """Make a key for a user with the given scopes."""

    def make(user_id: str, scopes: str = "write") -> str:
        return create_api_key(cloud.api_keys, user_id, scopes.split(","))

    return make


@pytest.fixture(scope="session")
def demo_library(stack: LocalStack, cloud: Container, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo media, processed by the stack's pipeline for a user of its own (once per run)."""
    from tests.e2e.demo_library import process_demo_media

    return process_demo_media(cloud, tmp_path_factory.mktemp("demo-media"))


@pytest.fixture
def event_subscription(stack: LocalStack, cloud: Container) -> Iterator[str]:
    """A pull subscription of the test's own on the processing-events topic."""
    settings = cloud.settings
    with pubsub_v1.SubscriberClient() as subscriber:
        name = subscriber.subscription_path(settings.project_id, f"test-{uuid.uuid4().hex[:8]}")
        topic = cloud.publisher.topic_path(settings.project_id, settings.events_topic)
        subscriber.create_subscription(request={"name": name, "topic": topic})
        yield name
        subscriber.delete_subscription(request={"subscription": name})
