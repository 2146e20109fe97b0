"""Log lines carry the request's trace as Cloud Logging groups them (decision 054): read from
``traceparent`` or ``X-Cloud-Trace-Context``, in the Flask router and the ASGI relay alike,
checked on the lines actually written. A malformed header is ignored, never a 5xx."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import flask
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from shared.bootstrap import Container
from shared.config import Settings
from shared.http.asgi import AsgiContext, endpoint
from shared.http.router import Reply, RequestContext, Router
from shared.http.trace_context import TraceContext, trace_context_from
from shared.structured_logging import CloudLoggingFormatter

PROJECT = "videovector-test"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
TRACE_KEY = "logging.googleapis.com/trace"
SPAN_KEY = "logging.googleapis.com/spanId"
SAMPLED_KEY = "logging.googleapis.com/trace_sampled"

MALFORMED = [
    {"traceparent": "garbage"},
    {"traceparent": f"00-{TRACE.upper()}-{SPAN}-01"},  # W3C ids are lowercase
    {"traceparent": f"ff-{TRACE}-{SPAN}-01"},  # version ff is forbidden
    {"traceparent": f"00-{'0' * 32}-{SPAN}-01"},
    {"traceparent": f"00-{TRACE}-{'0' * 16}-01"},
    {"traceparent": f"00-{TRACE}-{SPAN}-01-extra"},  # version 00 has four fields
    {"traceparent": f"00-{TRACE}-{SPAN}-01" + "0" * 600},
    {"X-Cloud-Trace-Context": "not-a-trace/1;o=1"},
    {"X-Cloud-Trace-Context": f"{'0' * 32}/1;o=1"},
    {"X-Cloud-Trace-Context": f"{TRACE}/abc;o=1"},
    {"X-Cloud-Trace-Context": f"{TRACE}/1;o=1;extra"},
]


def parse(headers: dict[str, str]) -> TraceContext | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    return trace_context_from(lambda name: lowered.get(name.lower()))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"traceparent": f"00-{TRACE}-{SPAN}-01"}, TraceContext(TRACE, SPAN, True)),
        ({"traceparent": f"00-{TRACE}-{SPAN}-00"}, TraceContext(TRACE, SPAN, False)),
        ({"traceparent": f"01-{TRACE}-{SPAN}-03-future"}, TraceContext(TRACE, SPAN, True)),
        ({"X-Cloud-Trace-Context": f"{TRACE}/1;o=1"}, TraceContext(TRACE, "0" * 15 + "1", True)),
        (
            {"X-Cloud-Trace-Context": f"{TRACE.upper()}/18446744073709551615;o=0"},
            TraceContext(TRACE, "f" * 16, False),
        ),
        ({"X-Cloud-Trace-Context": TRACE}, TraceContext(TRACE, None, None)),
        ({"X-Cloud-Trace-Context": f"{TRACE}/0"}, TraceContext(TRACE, None, None)),
        (
            {
                "traceparent": f"00-{TRACE}-{SPAN}-01",
                "X-Cloud-Trace-Context": f"{'1' * 32}/5;o=0",
            },
            TraceContext(TRACE, SPAN, True),
        ),
        (
            {"traceparent": "garbage", "X-Cloud-Trace-Context": f"{TRACE}/1;o=1"},
            TraceContext(TRACE, "0" * 15 + "1", True),
        ),
    ],
)
def test_headers_parse_into_the_trace(headers: dict[str, str], expected: TraceContext) -> None:
    assert parse(headers) == expected


@pytest.mark.parametrize("headers", MALFORMED)
def test_malformed_headers_are_ignored(headers: dict[str, str]) -> None:
    assert parse(headers) is None


Lines = Callable[[], list[dict[str, object]]]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """What the process has written under ``videovector.*`` so far, as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(CloudLoggingFormatter())
    logger = logging.getLogger("videovector")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def _container() -> Container:
    return Container(Settings(project_id=PROJECT))


def _flask_app() -> flask.Flask:
    router = Router(container_provider=_container)

    @router.route("GET", "/traced", scope=None)
    def traced(ctx: RequestContext) -> Reply:
        logging.getLogger("videovector.handler").info("inside the handler")
        return Reply()

    app = flask.Flask("trace-test")
    app.add_url_rule("/<path:path>", view_func=lambda path: router(flask.request))
    return app


def _asgi_app() -> Starlette:
    async def traced(ctx: AsgiContext) -> Response:
        logging.getLogger("videovector.handler").info("inside the handler")
        return JSONResponse({})

    async def serve(request: Request) -> Response:
        return await endpoint(traced, scope=None, container_provider=_container)(request)

    return Starlette(routes=[Route("/traced", serve)])


def _get(kind: str, headers: dict[str, str]) -> int:
    if kind == "flask":
        return _flask_app().test_client().get("/traced", headers=headers).status_code
    with TestClient(_asgi_app()) as client:
        return client.get("/traced", headers=headers).status_code


@pytest.mark.parametrize("kind", ["flask", "asgi"])
@pytest.mark.parametrize(
    ("headers", "sampled"),
    [
        ({"traceparent": f"00-{TRACE}-{SPAN}-01"}, True),
        ({"X-Cloud-Trace-Context": f"{TRACE}/{int(SPAN, 16)};o=0"}, False),
    ],
)
def test_every_line_of_a_request_carries_its_trace(
    kind: str, headers: dict[str, str], sampled: bool, log_lines: Lines
) -> None:
    assert _get(kind, headers) == 200
    lines = log_lines()
    handler_line = next(line for line in lines if line["message"] == "inside the handler")
    access_line = next(line for line in lines if line["logger"] == "videovector.access")
    for line in (handler_line, access_line):
        assert line[TRACE_KEY] == f"projects/{PROJECT}/traces/{TRACE}"
        assert line[SPAN_KEY] == SPAN
        assert line[SAMPLED_KEY] is sampled
        assert line["request_id"]


@pytest.mark.parametrize("kind", ["flask", "asgi"])
@pytest.mark.parametrize("headers", [{}, *MALFORMED])
def test_without_a_valid_trace_lines_carry_none_and_the_request_succeeds(
    kind: str, headers: dict[str, str], log_lines: Lines
) -> None:
    assert _get(kind, headers) == 200
    lines = log_lines()
    assert len(lines) == 2 and all(TRACE_KEY not in line for line in lines)


def test_the_trace_does_not_leak_into_the_next_request(log_lines: Lines) -> None:
    client = _flask_app().test_client()
    client.get("/traced", headers={"traceparent": f"00-{TRACE}-{SPAN}-01"})
    client.get("/traced")
    logging.getLogger("videovector.after").info("outside any request")
    assert [TRACE_KEY in line for line in log_lines()] == [True, True, False, False, False]
