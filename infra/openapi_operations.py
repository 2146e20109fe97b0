"""One OpenAPI operation from one router route: its parameters (path, query, headers), its
request body and its success and error responses. ``infra/openapi.py`` assembles the document."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel

from infra.local.routes import Endpoint
from infra.openapi_security import security_for
from shared.http.router import Route

REF = "#/components/schemas/{model}"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# status -> the shared error response: every error is the envelope; 429 and 503 also say when
# to come back.
ERROR_RESPONSES = {"4XX": "Error", "429": "RateLimited", "503": "Unavailable"}

# Headers the routes name (``request_headers`` / ``response_headers`` on ``Router.route``).
REQUEST_HEADERS: dict[str, dict[str, Any]] = {
    "If-Match": {
        "description": "Change or delete the marker only if its current ETag is this one "
        "(`*`: any existing marker), else 412.",
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
    headers.update({name: header_ref(name) for name in route.response_headers})
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


def header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name.replace('-', '')}"}
