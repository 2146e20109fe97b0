"""A small router so one function serves several paths and methods.

Every route gets the same treatment, written once here: a request id, authentication and the
route's scope, body and query validation, the error envelope, and one access log line.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import flask
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from shared.bootstrap import Container, get_container
from shared.config import reload_settings
from shared.domain.principals import Principal, Scope
from shared.errors import (
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    VideoVectorError,
)
from shared.http.access_log import log_request
from shared.http.error_mapping import error_response_parts
from shared.http.request_ids import request_id_from
from shared.http.trace_context import trace_log_fields
from shared.http.validation import parse_json, query_to_dict, refuse_query_parameters, validate
from shared.secrets import SecretName, require_secrets
from shared.services.authentication import require_scope
from shared.structured_logging import configure_logging, request_id_var, trace_fields_var

M = TypeVar("M", bound=BaseModel)


JsonBody = BaseModel | Sequence[BaseModel]


@dataclass
class Reply:
    """What a handler returns: a response model (or a list of them) that the router
    serialises, raw bytes with their ``content_type``, or nothing; a status and headers."""

    body: JsonBody | bytes | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class RequestContext:
    request: flask.Request
    principal: Principal
    path_params: dict[str, str]
    request_id: str
    container: Container

    def body(self, model: type[M]) -> M:
        """Parse the JSON body into ``model`` (declare the same model on the route, for the
        OpenAPI description)."""
        limit = self.container.settings.max_body_bytes
        declared = self.request.content_length
        if declared is not None and declared > limit:
            raise PayloadTooLarge(
                f"The body is larger than {limit} bytes.", details={"max_bytes": limit}
            )
        # Read at most one byte past the limit: a chunked body never lands whole in memory.
        raw = self.request.stream.read(limit + 1)
        data = parse_json(raw, self.request.content_type, limit)
        return validate(model, data, json_body=raw)

    def query(self, model: type[M]) -> M:
        multi = {key: self.request.args.getlist(key) for key in self.request.args}
        return validate(model, query_to_dict(model, multi))

    def header(self, name: str) -> str | None:
        value = self.request.headers.get(name)
        return value if value not in (None, "") else None


Handler = Callable[[RequestContext], Reply | flask.Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    scope: Scope | None
    pattern: re.Pattern[str]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None  # a pydantic model (or list[Model]) describing the 2xx body
    summary: str = ""
    statuses: tuple[int, ...] = ()  # success statuses; () = 200, or 204 with no response
    request_headers: tuple[str, ...] = ()  # headers the handler reads (for the OpenAPI)
    response_headers: tuple[str, ...] = ()  # headers its successes carry (for the OpenAPI)


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{regex}/?$")


def _framework_error(error: HTTPException) -> flask.Response | HTTPException:
    """Requests Flask turns away before the router sees them (a path werkzeug cannot route,
    such as one holding an encoded newline) still get the error envelope."""
    if (error.code or 500) >= 500:
        return error
    request_id = request_id_from(flask.request.headers.get("X-Request-ID"))
    ours = _FRAMEWORK_ERRORS.get(error.code or 400, InvalidRequest)(
        error.description or "The request is malformed."
    )
    status, body, headers = error_response_parts(ours, request_id)
    response = _json_response(body, status, headers)
    response.headers["X-Request-ID"] = request_id
    return response


_FRAMEWORK_ERRORS: dict[int, type[VideoVectorError]] = {
    404: NotFound,
    405: NotFound,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


class Router:
    def __init__(
        self,
        container_provider: Callable[[], Container] = get_container,
        *,
        secrets: tuple[SecretName, ...] = (),
    ) -> None:
        """``secrets``: the ones this function's routes use; without them (outside local
        development) the function exits as it starts, naming the variables to set."""
        self._routes: list[Route] = []
        self._container_provider = container_provider
        self.secrets = secrets
        if flask.has_app_context():
            # functions-framework runs main.py (which builds the router) inside its app's
            # context: the one moment its error handlers can still be registered, and the
            # function's start (tools that only read the routes, such as infra.openapi, are
            # not serving and need no secret).
            # Every variable is validated here too: a bad one exits naming it.
            require_secrets(reload_settings(), secrets)
            flask.current_app.register_error_handler(HTTPException, _framework_error)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def route(
        self,
        method: str,
        template: str,
        *,
        scope: Scope | None,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        statuses: tuple[int, ...] = (),
        request_headers: tuple[str, ...] = (),
        response_headers: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        """Register a handler. ``body``, ``query`` and ``response`` describe it for the
        generated OpenAPI document; the handler parses with ``ctx.body(Model)``. ``response``
        is a model, ``list[Model]``, or a media type string (``"image/gif"``) for raw bytes;
        ``statuses`` lists the success statuses when not just 200 (204 without a response);
        ``request_headers`` / ``response_headers`` name the headers it reads and sends, as
        described in ``infra/openapi.py``."""

        def register(handler: Handler) -> Handler:
            summary = (handler.__doc__ or "").strip().splitlines()[0] if handler.__doc__ else ""
            self._routes.append(
                Route(
                    method,
                    template,
                    handler,
                    scope,
                    _compile(template),
                    body,
                    query,
                    response,
                    summary,
                    statuses,
                    request_headers,
                    response_headers,
                )
            )
            return handler

        return register

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed: list[str] = []
        for route in self._routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, found.groupdict()
            allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(f"{method} is not allowed here.", allowed=sorted(set(allowed)))
        raise NotFound("No such endpoint.", details={"path": path})

    def __call__(self, request: flask.Request) -> flask.Response:
        """The function entry point: ``functions_framework.http`` targets call this."""
        started = time.perf_counter()
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        token = request_id_var.set(request_id)
        trace_token = trace_fields_var.set(None)
        trace: dict[str, object] = {}
        try:
            container = self._container_provider()
            configure_logging(container.settings.log_level)
            trace = trace_log_fields(request.headers.get, container.settings.project_id)
            trace_fields_var.set(trace)
            response = self._dispatch(request, request_id, container)
        except Exception as error:  # the one place errors become responses
            status, body, headers = error_response_parts(error, request_id)
            response = _json_response(body, status, headers)
        finally:
            request_id_var.reset(token)
            trace_fields_var.reset(trace_token)
        response.headers["X-Request-ID"] = request_id
        user_agent = request.headers.get("User-Agent", "")
        log_request(
            request.method,
            request.path,
            response.status_code,
            started,
            request_id,
            user_agent,
            **trace,
        )
        return response

    def _dispatch(
        self, request: flask.Request, request_id: str, container: Container
    ) -> flask.Response:
        route, params = self._match(request.method, request.path)
        principal = Principal(user_id="", scopes=frozenset(), key_id="")
        if route.scope is not None:
            principal = container.authenticator.authenticate(
                request.headers.get("X-API-Key"), request.headers.get("Authorization")
            )
            require_scope(principal, route.scope)
            if container.rate_limiter is not None:
                container.rate_limiter.spend(principal.key_id)
        if route.query is None:
            refuse_query_parameters(request.args)
        ctx = RequestContext(request, principal, params, request_id, container)
        reply = route.handler(ctx)
        if isinstance(reply, flask.Response):
            return reply
        if reply.content_type == "application/json":
            return _json_response(_jsonable(reply.body), reply.status, reply.headers)
        if not isinstance(reply.body, bytes | None):
            raise TypeError(f"a {reply.content_type} reply carries bytes")
        response = flask.Response(reply.body, status=reply.status, content_type=reply.content_type)
        response.headers.update(reply.headers)
        return response


def _jsonable(body: JsonBody | bytes | None) -> Any:
    """A response model as JSON-ready data: the model decides every field sent."""
    if body is None:
        return None
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    if isinstance(body, Sequence) and not isinstance(body, bytes | str):
        return [item.model_dump(mode="json") for item in body]
    raise TypeError(f"a JSON reply must be a response model, not {type(body).__name__}")


def _json_response(body: Any, status: int, headers: dict[str, str]) -> flask.Response:
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    response = flask.Response(payload, status=status, content_type="application/json")
    if body is None:
        response.headers.pop("Content-Type", None)
    response.headers.update(headers)
    return response
