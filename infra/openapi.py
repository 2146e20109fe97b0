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
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from infra.local.routes import FunctionSpec, load_table
from infra.openapi_operations import REF, header_ref, operation
from infra.openapi_security import SECURITY_SCHEMES, WWW_AUTHENTICATE
from infra.openapi_stream import stream_operations, stream_query_model
from shared.http.router import Route

ROOT = Path(__file__).resolve().parents[1]
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


def _error_response(description: str, error_schema: Any, *headers: str) -> dict[str, Any]:
    described: dict[str, Any] = {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
    described.update({name: header_ref(name) for name in headers})
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
