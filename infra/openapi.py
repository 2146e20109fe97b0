"""Generate the OpenAPI 3.1 description from the code, never by hand.

    python -m infra.openapi > docs/openapi.json      (or: make docs)

Every HTTP function's router carries, per route, its scope, summary and the pydantic models it
validates with (``body``, ``query``, ``response``); ``infra/routes.json`` says which function
serves which path. The events relay is an ASGI app, not a router: it is described from its own
query model (see ``infra/openapi_stream.py``). Errors share one envelope schema.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from infra.local.routes import Endpoint, FunctionSpec, load_table
from infra.openapi_security import SECURITY_SCHEMES, WWW_AUTHENTICATE, security_for
from infra.openapi_stream import stream_operations, stream_query_model
from shared.http.router import Route

ROOT = Path(__file__).resolve().parents[1]
REF = "#/components/schemas/{model}"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# status -> the shared error response: every error is the envelope; 429 and 503 also say when
# to come back.
ERROR_RESPONSES = {"4XX": "Error", "429": "RateLimited", "503": "Unavailable"}

# Headers the routes name (``request_headers`` / ``response_headers`` on ``Router.route``).
REQUEST_HEADERS: dict[str, dict[str, Any]] = {
    "If-Match": {
        "description": "Update only if the marker's current ETag is this one (else 412).",
        "schema": {"type": "string"},
    },
    "Idempotency-Key": {
        "description": "A retry with the same key and body answers the first result again "
        "(with Idempotent-Replayed: true); with another body, 409.",
        "schema": {"type": "string", "maxLength": 255},
    },
    "If-None-Match": {
        "description": "An ETag from an earlier answer: 304 with no body when it still holds.",
        "schema": {"type": "string"},
    },
}
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The representation's version (strong, quoted).",
        "required": True,
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "Present when the answer replays an earlier request's Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Cache-Control": {
        "description": "How long a cache may keep the answer (no-store for credentials).",
        "required": True,
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Allow": {
        "description": "On 405: the methods the path accepts.",
        "schema": {"type": "string"},
    },
    "WWW-Authenticate": WWW_AUTHENTICATE,
}


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str  # snake_case, e.g. validation_failed
    message: str
    details: dict[str, Any]
    request_id: str


class ErrorEnvelope(BaseModel):
    """Every 4xx and 5xx body: one envelope, with the id of the X-Request-ID header."""

    model_config = ConfigDict(extra="forbid")
    error: ErrorBody


def function_routes(spec: FunctionSpec) -> list[Route]:
    """The routes of an HTTP function, imported as functions-framework would import them."""
    folder = str(ROOT / spec.source)
    if folder not in sys.path:
        sys.path.append(folder)
    module = importlib.import_module(f"{spec.name}_api.routes")
    return list(module.router.routes)


def _models_of(response: Any) -> list[type[BaseModel]]:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return [response]
    return [m for arg in typing.get_args(response) for m in _models_of(arg)]


def _response_schema(response: Any, schemas: dict[Any, Any]) -> dict[str, Any]:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return dict(schemas[(response, "serialization")])
    if typing.get_origin(response) is list:
        item = typing.get_args(response)[0]
        return {"type": "array", "items": _response_schema(item, schemas)}
    raise TypeError(f"cannot describe response {response!r}: use a model or list[Model]")


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch pydantic adds."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [o for o in options if o.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k not in {"anyOf", "default"} or v is not None}
    rest.pop("anyOf")
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        prop.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def _success_responses(route: Route, schemas: dict[Any, Any]) -> dict[str, Any]:
    statuses = route.statuses or ((204,) if route.response is None else (200,))
    headers: dict[str, Any] = {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
    headers.update({name: _header_ref(name) for name in route.response_headers})
    if route.response is None:
        content = None
    elif isinstance(route.response, str | tuple):  # one or several binary media types
        types = (route.response,) if isinstance(route.response, str) else route.response
        content = {kind: {"schema": {"type": "string", "format": "binary"}} for kind in types}
    else:
        content = {"application/json": {"schema": _response_schema(route.response, schemas)}}
    responses: dict[str, Any] = {}
    for status in statuses:
        answer: dict[str, Any] = {"description": route.summary or "Success.", "headers": headers}
        if content is not None and status not in (204, 304):
            answer["content"] = content
        responses[str(status)] = answer
    return responses


def operation(endpoint: Endpoint, route: Route, schemas: dict[Any, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in PLACEHOLDER.findall(endpoint.path)
    ]
    if route.query is not None:
        params.extend(query_parameters(route.query))
    params.extend(
        {"name": name, "in": "header", "required": False, **REQUEST_HEADERS[name]}
        for name in route.request_headers
    )
    op: dict[str, Any] = {
        "operationId": route.handler.__name__,
        "summary": route.summary,
        "tags": [endpoint.function],
        "x-function": endpoint.function,
        "x-required-scope": endpoint.scope,
        "x-sdk-method": endpoint.sdk,
    }
    if params:
        op["parameters"] = params
    if route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas[(route.body, "validation")]}},
        }
    op["responses"] = {**_success_responses(route, schemas), **error_responses()}
    op["security"] = security_for(endpoint.scope)
    return op


def error_responses() -> dict[str, Any]:
    return {
        status: {"$ref": f"#/components/responses/{name}"}
        for status, name in ERROR_RESPONSES.items()
    }


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name.replace('-', '')}"}


def _error_response(description: str, error_schema: Any, *headers: str) -> dict[str, Any]:
    described: dict[str, Any] = {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
    described.update({name: _header_ref(name) for name in headers})
    return {
        "description": description,
        "headers": described,
        "content": {"application/json": {"schema": error_schema}},
    }


def _component_schemas(
    routes: list[Route], query_models: list[type[BaseModel]]
) -> tuple[dict[Any, Any], dict[str, Any]]:
    """Every schema a ``$ref`` can point at, from one pydantic pass (unique names)."""
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorEnvelope, "serialization")]
    wanted.extend((m, "validation") for m in query_models)
    for route in routes:
        if route.body is not None:
            wanted.append((route.body, "validation"))
        if route.query is not None:
            wanted.append((route.query, "validation"))
        wanted.extend((m, "serialization") for m in _models_of(route.response))
    unique = list(dict.fromkeys(wanted))
    mapping, definitions = models_json_schema(unique, ref_template=REF)
    return mapping, definitions.get("$defs", {})


def build_document() -> dict[str, Any]:
    functions, endpoints = load_table()
    served: dict[tuple[str, str], Route] = {}
    for spec in functions.values():
        if spec.kind == "http":
            served.update({(r.method, r.template): r for r in function_routes(spec)})
    streams = [stream_query_model(s)[0] for s in functions.values() if s.kind == "asgi"]
    schemas, components = _component_schemas(list(served.values()), streams)
    error_schema = schemas[(ErrorEnvelope, "serialization")]
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        spec = functions[endpoint.function]
        if spec.kind == "http":
            route = served.get((endpoint.method, endpoint.path))
            if route is None:
                raise LookupError(f"{endpoint.method} {endpoint.path}: no route serves this row")
            item = operation(endpoint, route, schemas)
        else:
            item = stream_operations(endpoint, spec, components)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "VideoVector Utilities API",
            "version": tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"],
            "description": "Generated by `python -m infra.openapi` from the routers' models "
            "and infra/routes.json. Do not edit by hand.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "responses": {
                "Error": _error_response(
                    "The error envelope (see README, Errors).",
                    error_schema,
                    "Allow",
                    "WWW-Authenticate",
                ),
                "RateLimited": _error_response(
                    "The key's budget is spent: the envelope, and when to retry.",
                    error_schema,
                    "Retry-After",
                ),
                "Unavailable": _error_response(
                    "A dependency is down; safe to retry: the envelope, and when.",
                    error_schema,
                    "Retry-After",
                ),
            },
            "headers": {
                "RequestId": {
                    "description": "The request id, also in every error body.",
                    "required": True,
                    "schema": {"type": "string"},
                },
                **{
                    name.replace("-", ""): header
                    for name, header in sorted(RESPONSE_HEADERS.items())
                },
            },
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
