"""The shared HTTP treatment for asynchronous (ASGI) services, such as the event relay.

The same pieces the Flask router applies, reused rather than copied: the request id, API-key or
bearer authentication and the route's scope, the per-key rate limit, query validation into strict
models, the error envelope and one access log line.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.bootstrap import Container, get_container
from shared.domain.principals import Principal, Scope
from shared.http.access_log import log_request
from shared.http.error_mapping import error_response_parts
from shared.http.request_ids import request_id_from
from shared.http.trace_context import trace_log_fields
from shared.http.validation import query_to_dict, validate
from shared.services.authentication import require_scope
from shared.structured_logging import configure_logging, request_id_var, trace_fields_var

M = TypeVar("M", bound=BaseModel)


@dataclass
class AsgiContext:
    request: Request
    principal: Principal
    request_id: str
    container: Container

    def query(self, model: type[M]) -> M:
        params = self.request.query_params
        multi = {key: params.getlist(key) for key in params}
        return validate(model, query_to_dict(model, multi))

    def header(self, name: str) -> str | None:
        value = self.request.headers.get(name)
        return value if value not in (None, "") else None


AsgiHandler = Callable[[AsgiContext], Awaitable[Response]]
# Another credential a route may accept instead of the API key (e.g. the stream token of an
# EventSource): a principal, or None to fall back to ``X-API-Key`` or a bearer token. Raises to
# refuse.
AltCredentials = Callable[[Request, Container], Principal | None]


def error_response(error: BaseException, request_id: str) -> Response:
    status, body, headers = error_response_parts(error, request_id)
    return JSONResponse(body, status_code=status, headers={**headers, "X-Request-ID": request_id})


def endpoint(
    handler: AsgiHandler,
    *,
    scope: Scope | None,
    container_provider: Callable[[], Container] = get_container,
    alt_credentials: AltCredentials | None = None,
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap ``handler`` as a Starlette endpoint. Errors raised before the response starts
    become the envelope; a streamed body handles its own errors in-band."""

    async def serve(request: Request) -> Response:
        started = time.perf_counter()
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        # Each request runs in its own task, so the id stays set for the streamed body too.
        request_id_var.set(request_id)
        trace: dict[str, object] = {}
        trace_fields_var.set(trace)
        try:
            container = container_provider()
            configure_logging(container.settings.log_level)
            trace = trace_log_fields(request.headers.get, container.settings.project_id)
            trace_fields_var.set(trace)
            principal = Principal(user_id="", scopes=frozenset(), key_id="")
            if scope is not None:
                alternative = alt_credentials(request, container) if alt_credentials else None
                # The key store and a token issuer's keys are synchronous: off the event loop.
                principal = (
                    alternative
                    if alternative is not None
                    else await asyncio.to_thread(
                        container.authenticator.authenticate,
                        request.headers.get("X-API-Key"),
                        request.headers.get("Authorization"),
                    )
                )
                require_scope(principal, scope)
                # Like every Flask route: opening a stream spends the key's request budget.
                limiter = container.rate_limiter
                if limiter is not None:
                    await asyncio.to_thread(limiter.spend, principal.key_id)
            response = await handler(AsgiContext(request, principal, request_id, container))
        except Exception as error:  # the one place errors become responses
            response = error_response(error, request_id)
        response.headers["X-Request-ID"] = request_id
        user_agent = request.headers.get("User-Agent", "")
        log_request(
            request.method,
            request.url.path,
            response.status_code,
            started,
            request_id,
            user_agent,
            **trace,
        )
        return response

    return serve
