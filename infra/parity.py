"""Generate ``docs/backend-parity-matrix.md`` from the one route table.

    python -m infra.parity > docs/backend-parity-matrix.md      (or: make docs)

One row per endpoint: the function that serves it, the scope it needs, the public SDK method
that calls it (or "not wrapped") and the end-to-end test that covers it.
"""

from __future__ import annotations

import sys

from infra.local.routes import Endpoint, load_table

HEADER = (
    "# Backend parity matrix\n\n"
    "Generated from `infra/routes.json` by `python -m infra.parity` (`make docs`); do not edit "
    "by hand.\nA test fails when an endpoint has no row, a row names no end-to-end test or one "
    "that does not exist, or this file is stale.\n\n"
    "| method | path | function | scope | SDK method | end-to-end test |\n"
    "|---|---|---|---|---|---|\n"
)


def row(endpoint: Endpoint) -> str:
    cells = [
        endpoint.method,
        f"`{endpoint.path}`",
        endpoint.function,
        endpoint.scope or "none",
        endpoint.sdk if endpoint.sdk == "not wrapped" else f"`{endpoint.sdk}`",
        f"`{endpoint.e2e}`" if endpoint.e2e else "",
    ]
    return "| " + " | ".join(cells) + " |\n"


def render() -> str:
    _, endpoints = load_table()
    return HEADER + "".join(row(e) for e in endpoints)


if __name__ == "__main__":
    sys.stdout.write(render())
