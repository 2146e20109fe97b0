"""The local stack of ``make dev``, started on free ports, driven over HTTP through the gateway
(its fixtures: ``tests/support/stack_fixtures.py``); every response checked against the OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from tests.support.response_conformance import ResponseConformance


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
def demo_library(stack: LocalStack, cloud: Container, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo media, processed by the stack's pipeline for a user of its own (once per run)."""
    from tests.e2e.demo_library import process_demo_media

    return process_demo_media(cloud, tmp_path_factory.mktemp("demo-media"))
