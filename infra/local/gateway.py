"""The local stand-in for the production load balancer: one port, routed by path.

Requests are streamed both ways, so the SSE relay behind it streams to the client as it
writes. Upstream addresses come from ``VV_GATEWAY_UPSTREAMS`` (function name → base URL).

An open event stream holds its upstream connection for minutes: streams get a connection
pool of their own (``VV_GATEWAY_MAX_STREAMS``), so however many are open, every other request
still finds a connection (with one shared pool of 100, the 101st stream hung and every other
endpoint answered 503 until streams closed).
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from infra.local.routes import function_for_path, load_table
from shared.http.error_mapping import envelope

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "date",
    "server",
}

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# The developer console: static files, served here as the bucket behind the load balancer
# serves them in production (same origin as the API, so no CORS).
CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console"

_upstreams: dict[str, str] = json.loads(os.environ.get("VV_GATEWAY_UPSTREAMS", "{}"))
MAX_STREAMS = int(os.environ.get("VV_GATEWAY_MAX_STREAMS", "4096"))
# The functions whose responses are long-lived streams (the relay, served as ASGI).
STREAMING = {name for name, spec in load_table()[0].items() if spec.kind == "asgi"}
_TIMEOUT = httpx.Timeout(connect=5, read=None, write=30, pool=5)
_client = httpx.AsyncClient(timeout=_TIMEOUT, limits=httpx.Limits(max_connections=100))
_stream_client = httpx.AsyncClient(
    timeout=_TIMEOUT,
    limits=httpx.Limits(max_connections=MAX_STREAMS, max_keepalive_connections=100),
)


def _error(status: int, code: str, message: str) -> Response:
    request_id = "req_" + uuid.uuid4().hex
    body = envelope(code, message, {}, request_id)
    headers = {"X-Request-ID": request_id}
    if status == 503:
        headers["Retry-After"] = "1"  # as every 503 of the API (docs/openapi.json)
    return JSONResponse(body, status_code=status, headers=headers)


async def not_routable(_: Request, __: Exception) -> Response:
    """A path Starlette cannot match at all (an encoded newline) is still an enveloped 404."""
    return _error(404, "resource_not_found", "No such endpoint.")


async def openapi(_: Request) -> Response:
    """The generated description (``make docs``); production serves no such path."""
    return Response(OPENAPI_FILE.read_bytes(), media_type="application/json")


async def proxy(request: Request) -> Response:
    function = function_for_path(request.url.path)
    upstream = _upstreams.get(function or "")
    if upstream is None:
        return _error(404, "resource_not_found", "No such endpoint.")
    # Raw bytes: a header value outside ASCII (legal in HTTP as opaque octets) would make
    # httpx's str encoding raise, a 500 the function behind never saw. Values without their
    # surrounding whitespace (not part of a field value, RFC 9110 5.5), which uvicorn's
    # httptools parser keeps and h11 refuses to send.
    headers = [
        (k, v.strip(b" \t"))
        for k, v in request.headers.raw
        if k.decode("latin-1").lower() not in HOP_BY_HOP
    ]
    client = _stream_client if function in STREAMING else _client
    outbound = client.build_request(
        request.method,
        # The path as the client sent it, still percent-encoded: decoded, a control character
        # in an id would make an invalid upstream URL.
        upstream + request.scope.get("raw_path", b"").decode("latin-1"),
        params=request.url.query,
        headers=headers,
        content=request.stream(),
    )
    try:
        reply = await client.send(outbound, stream=True)
    except httpx.LocalProtocolError:
        # What the client sent cannot be forwarded as HTTP (a control character in a value):
        # the client's fault, answered as the load balancer would, never as an outage.
        return _error(400, "invalid_request", "A request header is not valid HTTP.")
    except httpx.TransportError:
        return _error(503, "service_unavailable", "The function behind this path is not answering.")
    out_headers = {k: v for k, v in reply.headers.items() if k.lower() not in HOP_BY_HOP}
    return StreamingResponse(
        reply.aiter_raw(),
        status_code=reply.status_code,
        headers=out_headers,
        background=BackgroundTask(reply.aclose),
    )


async def console_root(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=308)


app = Starlette(
    exception_handlers={404: not_routable},
    routes=[
        Route("/api/v2/openapi.json", openapi, methods=["GET"]),
        Route("/console", console_root, methods=["GET", "HEAD"]),
        Mount("/console", StaticFiles(directory=CONSOLE_DIR, html=True), name="console"),
        Route(
            "/{path:path}",
            proxy,
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        ),
    ],
)


def serve_on_fd(fd: int) -> None:
    """Serve ``app`` on the listening TCP socket ``fd`` (held by the stack since it started).

    Not ``uvicorn --fd``: uvicorn opens any descriptor as a Unix socket, so asyncio never set
    TCP_NODELAY on the gateway's connections and small answers waited ~40 ms for delayed
    ACKs (marker p50 29 -> 70-95 ms under ``make load``). The socket itself knows its family.
    """
    import uvicorn

    sock = socket.socket(fileno=fd)
    config = uvicorn.Config(app, access_log=False, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="The local gateway on an inherited socket.")
    parser.add_argument("--fd", type=int, required=True)
    serve_on_fd(parser.parse_args().fd)
