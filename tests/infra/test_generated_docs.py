"""The generated documents are current, complete, and point at things that exist:
``docs/openapi.json`` (from the routers' models) and ``docs/backend-parity-matrix.md`` (from the
route table). When one fails as stale, run ``make docs`` and commit the result."""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest
from pydantic import BaseModel
from videovector import VideoVector

from infra import openapi, parity
from infra.local.routes import load_table

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = ROOT / "docs" / "openapi.json"
MATRIX_FILE = ROOT / "docs" / "backend-parity-matrix.md"
STALE = "is stale: run `make docs` and commit the result"


def test_committed_openapi_is_current() -> None:
    assert OPENAPI_FILE.read_text() == openapi.render(), f"docs/openapi.json {STALE}"


def test_committed_parity_matrix_is_current() -> None:
    assert MATRIX_FILE.read_text() == parity.render(), f"docs/backend-parity-matrix.md {STALE}"


def test_every_endpoint_is_described_with_its_models() -> None:
    functions, endpoints = load_table()
    document = json.loads(OPENAPI_FILE.read_text())
    for endpoint in endpoints:
        op = document["paths"][endpoint.path][endpoint.method.lower()]
        assert op["summary"], f"{endpoint.method} {endpoint.path}: the handler needs a docstring"
        assert op["x-required-scope"] == endpoint.scope
        assert "4XX" in op["responses"]
        assert any(code.startswith("2") for code in op["responses"]), endpoint.path
        if functions[endpoint.function].kind != "http":
            continue
        route = next(
            r
            for r in openapi.function_routes(functions[endpoint.function])
            if (r.method, r.template) == (endpoint.method, endpoint.path)
        )
        if endpoint.method in {"POST", "PUT", "PATCH"}:
            assert route.body is not None, f"{endpoint.path}: declare body= on the route"
            assert "requestBody" in op
        if endpoint.method == "GET":
            assert route.response is not None, f"{endpoint.path}: declare response= on the route"
        if route.response is not None and not isinstance(route.response, str | tuple):
            assert _is_model(route.response), f"{endpoint.path}: response is not a model"


def _is_model(response: object) -> bool:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return True
    return any(_is_model(arg) for arg in getattr(response, "__args__", ()))


def test_every_reference_in_the_openapi_document_resolves() -> None:
    document = json.loads(OPENAPI_FILE.read_text())
    refs = set(re.findall(r'"\$ref": "#/([^"]+)"', OPENAPI_FILE.read_text()))
    assert refs
    for ref in refs:
        node = document
        for part in ref.split("/"):
            assert part in node, f"unresolved $ref #/{ref}"
            node = node[part]


def test_error_schema_is_the_envelope_the_code_sends() -> None:
    from shared.http.error_mapping import envelope

    body = envelope("validation_failed", "Invalid fields: note.", {"errors": []}, "req_1")
    openapi.ErrorEnvelope.model_validate(body, strict=True)


def _rows() -> dict[tuple[str, str], list[str]]:
    rows = {}
    for line in MATRIX_FILE.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
            rows[(cells[0], cells[1])] = cells
    return rows


def test_every_endpoint_has_a_row_with_an_existing_test() -> None:
    _, endpoints = load_table()
    rows = _rows()
    for endpoint in endpoints:
        assert (endpoint.method, endpoint.path) in rows, f"no row for {endpoint.path}"
        row = rows[(endpoint.method, endpoint.path)]
        test_id = row[6]
        assert test_id, f"{endpoint.method} {endpoint.path}: no end-to-end test named"
        assert _test_exists(test_id), f"{endpoint.method} {endpoint.path}: no test {test_id}"
        # Every route that takes credentials is driven with a bearer token too (decision 007).
        if endpoint.scope is not None:
            assert "bearer" in row[4] and _test_exists(row[7]), f"{endpoint.path}: {row[7]}"


@cache
def _test_names(path: Path) -> frozenset[str]:
    """``name`` and ``Class::name`` of every test function in a file."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(n for n in names if n.split("::")[-1].startswith("test"))


def _test_exists(test_id: str) -> bool:
    file, _, name = test_id.partition("::")
    path = ROOT / file
    if not name or not path.is_file() or not file.startswith("tests/"):
        return False
    return name.split("[")[0] in _test_names(path)


@pytest.mark.parametrize("test_id", ["tests/e2e/nope.py::test_x", "tests/infra/x", ""])
def test_a_missing_test_is_noticed(test_id: str) -> None:
    assert not _test_exists(test_id)


def test_every_sdk_method_named_exists() -> None:
    _, endpoints = load_table()
    client = VideoVector(api_key="sk_live_" + "0" * 48, base_url="http://127.0.0.1:9")
    for endpoint in endpoints:
        if endpoint.sdk == "not wrapped":
            continue
        target: object = client
        for part in endpoint.sdk.removeprefix("client.").split("."):
            assert hasattr(target, part), f"{endpoint.path}: no SDK method {endpoint.sdk}"
            target = getattr(target, part)
        assert callable(target), endpoint.sdk
