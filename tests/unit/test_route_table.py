"""The one route table and the functions' own routers agree, endpoint for endpoint."""

from __future__ import annotations

import importlib

from infra.local.routes import function_for_path, load_table


def test_every_function_serves_exactly_its_rows() -> None:
    functions, endpoints = load_table()
    for name, spec in functions.items():
        if spec.kind != "http":
            continue
        module = importlib.import_module(f"{name}_api.routes")
        served = {
            (r.method, r.template, r.scope.value if r.scope else None) for r in module.router.routes
        }
        listed = {(e.method, e.path, e.scope) for e in endpoints if e.function == name}
        assert served == listed, name


def test_every_row_names_a_known_function() -> None:
    functions, endpoints = load_table()
    assert endpoints and all(e.function in functions for e in endpoints)


def test_literal_paths_win_over_templates() -> None:
    assert function_for_path("/api/v2/markers/mk_1") == "markers"
    assert function_for_path("/api/v2/markers") == "markers"
    assert function_for_path("/api/v2/unknown") is None
