"""The one route table (``infra/routes.json``), read by the local gateway, the tests and the
Terraform URL map, so local routing and production routing cannot drift apart."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ROUTES_FILE = Path(__file__).resolve().parents[1] / "routes.json"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    function: str
    scope: str | None
    sdk: str
    e2e: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return template_pattern(self.path)


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    kind: str  # "http", "cloudevent" or "asgi"
    source: str
    target: str
    extra: dict[str, Any]


def template_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", template) + "/?$")


@lru_cache(maxsize=1)
def load_table(path: Path = ROUTES_FILE) -> tuple[dict[str, FunctionSpec], tuple[Endpoint, ...]]:
    raw = json.loads(path.read_text())
    functions = {
        name: FunctionSpec(
            name,
            spec["kind"],
            spec["source"],
            spec["target"],
            {k: v for k, v in spec.items() if k not in {"kind", "source", "target"}},
        )
        for name, spec in raw["functions"].items()
    }
    endpoints = tuple(
        Endpoint(e["method"], e["path"], e["function"], e.get("scope"), e["sdk"], e["e2e"])
        for e in raw["endpoints"]
    )
    return functions, endpoints


def function_for_path(path: str) -> str | None:
    """Route by path alone, as the load balancer's URL map does; literal paths win over
    templates (``/videos/batch`` before ``/videos/{video_id}``)."""
    _, endpoints = load_table()
    matches = [e for e in endpoints if e.pattern.match(path)]
    if not matches:
        return None
    matches.sort(key=lambda e: e.path.count("{"))
    return matches[0].function
