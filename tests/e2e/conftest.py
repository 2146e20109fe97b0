"""The local stack of ``make dev``, started on free ports, driven over HTTP through the gateway."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from google.cloud import pubsub_v1

from infra.local.emulators import Emulators
from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.services.api_keys import create_api_key
from tests.e2e.event_fixtures import relay_factory  # noqa: F401 - the event tests' fixture
from tests.log_hygiene import find_secrets, total_log_bytes
from tests.support.response_conformance import ResponseConformance
from tests.support.token_issuer import LocalIssuer, local_issuer


@pytest.fixture(scope="session")
def undescribed_responses() -> Iterator[list[str]]:
    """Every response any client in the e2e run receives (the public SDK, httpx in a test) is
    checked against docs/openapi.json; what it does not describe is collected here."""
    conformance = ResponseConformance.load()
    found: list[str] = []
    sync_send, async_send = httpx.Client.send, httpx.AsyncClient.send

    def check(response: httpx.Response, streamed: bool) -> None:
        found.extend(conformance.check(response, body_read=not streamed))

    def send(self: httpx.Client, request: httpx.Request, **kw: Any) -> httpx.Response:
        response = sync_send(self, request, **kw)
        check(response, bool(kw.get("stream")))
        return response

    async def asend(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> httpx.Response:
        response = await async_send(self, request, **kw)
        check(response, bool(kw.get("stream")))
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.Client, "send", send)
        patch.setattr(httpx.AsyncClient, "send", asend)
        yield found


@pytest.fixture(autouse=True)
def responses_conform(undescribed_responses: list[str]) -> Iterator[None]:
    """A test fails when a response it received carries what the OpenAPI does not describe."""
    before = len(undescribed_responses)
    yield
    new = undescribed_responses[before:]
    assert not new, "responses the OpenAPI document does not describe:\n" + "\n".join(new)


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
