"""The running local stack and what tests drive it with, as fixtures registered once (by
``pytest_plugins`` in ``tests/conftest.py``) for every folder that needs them: e2e, security,
faults and stack tests. The stack starts on first use, once per run."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from google.cloud import pubsub_v1

from infra.local.emulators import Emulators
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.services.api_keys import create_api_key
from tests.log_hygiene import find_secrets, total_log_bytes
from tests.support.relays import Relay
from tests.support.token_issuer import LocalIssuer, local_issuer


@pytest.fixture(scope="session")
def token_issuer() -> Iterator[LocalIssuer]:
    """A bearer-token issuer of the tests' own (keys made here, JWKS on 127.0.0.1), trusted
    by every function and the relay of the stack."""
    with local_issuer() as issuer:
        yield issuer


@pytest.fixture(scope="session")
def stack(
    emulators: Emulators, tmp_path_factory: pytest.TempPathFactory, token_issuer: LocalIssuer
) -> Iterator[LocalStack]:
    running = LocalStack(
        state_dir=tmp_path_factory.mktemp("stack"),
        gateway_port=0,  # any free port, held from the start
        extra_env={
            "VV_STORE_TIMEOUT_SECONDS": "5",
            "VV_RATE_LIMIT_PER_MINUTE": "100000",
            "VV_BEARER_ISSUERS": json.dumps([token_issuer.config()]),
        },
    )
    running.start(emulators=emulators)
    try:
        yield running
    finally:
        running.stop(include_emulators=False)
    # Every request of the whole run went through these processes: none may have logged a
    # secret. (A failure here is reported as an error in the teardown of the last test.)
    logs = running.state_dir / "logs"
    assert total_log_bytes(logs) > 0, "the stack wrote no logs to scan"
    leaks = find_secrets(logs)
    assert not leaks, f"secrets in logs: {leaks}"


@pytest.fixture
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def new_key(cloud: Container, stack: LocalStack) -> Callable[..., str]:
    """Make a key for a user with the given scopes."""

    def make(user_id: str, scopes: str = "write") -> str:
        return create_api_key(cloud.api_keys, user_id, scopes.split(","))

    return make


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


@pytest.fixture
def relay_factory(
    stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Relay]]:
    """Relays of the test's own (so it can set their limits, kill and restart them)."""
    started: list[Relay] = []
    log_dir = tmp_path_factory.mktemp("relay-logs")

    def make(**env: str) -> Relay:
        relay = Relay(stack, log_dir, {"VV_LOG_LEVEL": "INFO", **env})
        started.append(relay.start())
        return relay

    yield make
    for relay in started:
        relay.stop()
