"""The OpenAPI description of ASGI services (the SSE relay), which have no Flask router.

A small static description per service, built from the query model it validates with, so its
parameters cannot drift from the code.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from infra.local.routes import Endpoint, FunctionSpec
from infra.openapi_operations import error_responses, query_parameters
from infra.openapi_security import security_for

ROOT = Path(__file__).resolve().parents[1]

# function name -> (module, query model, summary)
STREAM_QUERY_MODELS: dict[str, tuple[str, str, str]] = {
    "events_relay": (
        "events_relay_api.routes",
        "StreamQuery",
        "Follow the caller's processing events, from a cursor or from now.",
    ),
}


def stream_query_model(spec: FunctionSpec) -> tuple[type[BaseModel], str]:
    if spec.name not in STREAM_QUERY_MODELS:
        raise LookupError(f"{spec.name}: add its query model to infra/openapi_stream.py")
    module_name, model_name, summary = STREAM_QUERY_MODELS[spec.name]
    folder = str(ROOT / spec.source)
    if folder not in sys.path:
        sys.path.append(folder)
    model = getattr(importlib.import_module(module_name), model_name)
    return model, summary


def stream_operations(
    endpoint: Endpoint, spec: FunctionSpec, components: dict[str, Any]
) -> dict[str, Any]:
    model, summary = stream_query_model(spec)
    parameters = query_parameters(model)
    parameters.append(
        {
            "name": "Last-Event-ID",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Resume after this event id (or the last_event_id query parameter).",
        }
    )
    return {
        "operationId": f"{spec.name}_stream",
        "summary": summary,
        "tags": [endpoint.function],
        "x-function": endpoint.function,
        "x-required-scope": endpoint.scope,
        "x-sdk-method": endpoint.sdk,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "A Server-Sent Events stream: `id`, `event`, `data` frames, "
                "heartbeat comments, and a final `processing.stream_error` event.",
                "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            **error_responses(),
        },
        "security": security_for(endpoint.scope),
    }
