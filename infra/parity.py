"""Generate ``docs/backend-parity-matrix.md`` from the one route table.

    python -m infra.parity > docs/backend-parity-matrix.md      (or: make docs)

One row per endpoint: the function that serves it, the scope it needs, the credentials it
accepts, the public SDK method that calls it (or "not wrapped"), the end-to-end test that covers
it, and the one that drives it with a bearer token.
"""

from __future__ import annotations

import sys

from infra.local.routes import Endpoint, load_table

HEADER = (
    "# Backend parity matrix\n\n"
    "Generated from `infra/routes.json` by `python -m infra.parity` (`make docs`); do not edit "
    "by hand.\nA test fails when an endpoint has no row, a row names no end-to-end test or one "
    "that does not exist, or this file is stale.\n\n"
    "Every route that needs a scope takes an `X-API-Key` or an `Authorization: Bearer` JWT "
    "(decision 007; the bearer token wins when both are sent, and acts with the full user "
    "scope, `write`).\n\n"
    "| method | path | function | scope | auth modes | SDK method | end-to-end test "
    "| bearer end-to-end test |\n"
    "|---|---|---|---|---|---|---|---|\n"
)
BEARER_E2E = "tests/e2e/test_bearer_auth_e2e.py"
# Credentials a route takes besides the two every scoped route takes.
OTHER_CREDENTIALS = {
    ("GET", "/api/v2/processing/events/stream"): "`stream_token` query (decision 060)",
}


def auth_modes(endpoint: Endpoint) -> str:
    if endpoint.scope is None:
        return "none: the signed token in the path (decision 030)"
    modes = ["API key", "bearer"]
    other = OTHER_CREDENTIALS.get((endpoint.method, endpoint.path))
    return ", ".join(modes + ([other] if other else []))


def bearer_test(endpoint: Endpoint) -> str:
    if endpoint.scope is None:
        return ""
    if endpoint.sdk != "not wrapped":
        return f"{BEARER_E2E}::test_every_sdk_method_in_bearer_mode"
    return f"{BEARER_E2E}::test_the_other_endpoints_accept_bearer_tokens"


def row(endpoint: Endpoint) -> str:
    cells = [
        endpoint.method,
        f"`{endpoint.path}`",
        endpoint.function,
        endpoint.scope or "none",
        auth_modes(endpoint),
        endpoint.sdk if endpoint.sdk == "not wrapped" else f"`{endpoint.sdk}`",
        f"`{endpoint.e2e}`" if endpoint.e2e else "",
        f"`{bearer_test(endpoint)}`" if bearer_test(endpoint) else "",
    ]
    return "| " + " | ".join(cells) + " |\n"


def render() -> str:
    _, endpoints = load_table()
    return HEADER + "".join(row(e) for e in endpoints)


if __name__ == "__main__":
    sys.stdout.write(render())
