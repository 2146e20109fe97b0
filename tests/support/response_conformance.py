"""Check an API response against ``docs/openapi.json``: its status is described, its content
type is one described, its JSON body validates against the described schema (response models
forbid extra fields, so a field the document does not describe fails), and every header the
document marks required is present and matches its schema.

The e2e suite runs this on every response it receives from the API (``tests/e2e/conftest.py``),
whether the public SDK or a test made the request. JSON Schema validation is jsonschema-rs,
which Schemathesis brings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from jsonschema_rs import Draft202012Validator

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class ResponseConformance:
    document: dict[str, Any]
    _paths: list[tuple[re.Pattern[str], str]] = field(init=False)
    _validators: dict[str, Draft202012Validator] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._paths = [
            (re.compile("^" + PLACEHOLDER.sub(r"[^/]+", template) + "/?$"), template)
            for template in self.document["paths"]
        ]

    @classmethod
    def load(cls) -> ResponseConformance:
        return cls(json.loads(DOCUMENT.read_text()))

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        for pattern, template in self._paths:
            if pattern.match(path):
                found = self.document["paths"][template].get(method.lower())
                return found if isinstance(found, dict) else None
        return None

    def check(self, response: httpx.Response, *, body_read: bool = True) -> list[str]:
        """What in ``response`` the document does not describe (empty: it conforms).
        Requests to paths or methods the document does not have are not checked."""
        request = response.request
        op = self.operation(request.method, request.url.path)
        if op is None:
            return []
        where = f"{request.method} {request.url.path} -> {response.status_code}"
        described = self._response_for(op, response.status_code)
        if described is None:
            return [f"{where}: status not described"]
        problems = [f"{where}: {p}" for p in self._header_problems(described, response)]
        content = described.get("content", {})
        body = response.content if body_read else b""
        if not body:
            return problems
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        declared = next((m for m in content if _media_matches(m, media_type)), None)
        if declared is None:
            return [*problems, f"{where}: content type {media_type!r} not described"]
        if media_type != "application/json":
            return problems
        validator = self._validator(content[declared]["schema"])
        for error in validator.iter_errors(response.json()):
            at = "/".join(str(p) for p in error.instance_path) or "(body)"
            problems.append(f"{where}: {at}: {error.message[:300]}")
        return problems

    def _response_for(self, op: dict[str, Any], status: int) -> dict[str, Any] | None:
        responses = op["responses"]
        found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        found = found or responses.get("default")
        return self._resolve(found) if found is not None else None

    def _header_problems(self, described: dict[str, Any], response: httpx.Response) -> list[str]:
        problems = []
        for name, header in described.get("headers", {}).items():
            header = self._resolve(header)
            value = response.headers.get(name)
            if value is None:
                if header.get("required"):
                    problems.append(f"header {name} missing")
                continue
            for error in self._validator(header.get("schema", {})).iter_errors(value):
                problems.append(f"header {name}: {error.message[:200]}")
        return problems

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            # The schema's $refs point into the document's components: validate from a root
            # that carries them.
            root = {**schema, "components": self.document["components"]}
            self._validators[key] = Draft202012Validator(root)
        return self._validators[key]


def _media_matches(declared: str, actual: str) -> bool:
    if declared.endswith("/*"):
        return actual.startswith(declared[:-1])
    return declared == actual
