"""The Terraform in ``infra/`` as python-hcl2 reads it: what it declares and what it references."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

INFRA = Path(__file__).resolve().parents[2] / "infra"
# Names Terraform itself provides inside expressions.
BUILTIN_ROOTS = {"each", "count", "path", "self", "terraform"}
REFERENCE = re.compile(
    r"(?<![\w.\"-])(var|local|data|module|google_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?"
)


def unquote(name: str) -> str:
    return name.strip('"')


@dataclass
class TerraformConfig:
    files: dict[str, dict[str, Any]]
    variables: set[str] = field(default_factory=set)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: set[str] = field(default_factory=set)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # "type.name" -> body
    data: set[str] = field(default_factory=set)  # "type.name"

    def references(self) -> Iterator[tuple[str, str]]:
        """(file, reference) for every var./local./data./resource reference in an expression."""
        for name, parsed in self.files.items():
            for text in strings(parsed):
                for match in REFERENCE.finditer(text):
                    yield name, match.group(0)


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "__comments__":
                yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


@cache
def load() -> TerraformConfig:
    files = {}
    for path in sorted(INFRA.glob("*.tf")):
        with path.open() as handle:
            files[path.name] = hcl2.load(handle)
    config = TerraformConfig(files)
    for parsed in files.values():
        for block in parsed.get("variable", []):
            config.variables.update(unquote(k) for k in block if not k.startswith("__"))
        for block in parsed.get("output", []):
            config.outputs.update(unquote(k) for k in block if not k.startswith("__"))
        for block in parsed.get("locals", []):
            config.locals.update({k: v for k, v in block.items() if not k.startswith("__")})
        for block in parsed.get("resource", []):
            for rtype, named in block.items():
                for name, body in named.items():
                    config.resources[f"{unquote(rtype)}.{unquote(name)}"] = body
        for block in parsed.get("data", []):
            for dtype, named in block.items():
                config.data.update(f"{unquote(dtype)}.{unquote(n)}" for n in named)
    return config


def is_declared(config: TerraformConfig, reference: str) -> bool:
    root, _, rest = reference.partition(".")
    first = rest.split(".")[0]
    if root == "var":
        return first in config.variables
    if root == "local":
        return first in config.locals
    if root == "data":
        return ".".join(rest.split(".")[:2]) in config.data
    if root == "module":
        return False  # this configuration declares no modules
    return f"{root}.{first}" in config.resources


def literal(expression: Any) -> Any:
    """A quoted HCL string as python-hcl2 gives it, without its quotes."""
    if isinstance(expression, str) and expression.startswith('"') and expression.endswith('"'):
        return expression[1:-1]
    return expression
