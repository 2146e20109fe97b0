"""The two ways a client authenticates (decision 007), as the OpenAPI document declares them."""

from __future__ import annotations

from typing import Any

SECURITY_SCHEMES: dict[str, Any] = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A WorkOS access token or Firebase ID token from an issuer the "
        "deployment trusts, whose subject is linked to a user; acts with the account's full "
        "user scope (`write`), never `admin`. Sent with `X-API-Key`, the bearer token wins.",
    },
}
WWW_AUTHENTICATE: dict[str, Any] = {
    "description": 'On a 401 answering a bearer token: `Bearer error="invalid_token"` (RFC 6750).',
    "schema": {"type": "string"},
}


def security_for(scope: str | None) -> list[dict[str, list[str]]]:
    """Either scheme opens a route that needs a scope; a route without one needs neither."""
    return [{"ApiKey": []}, {"BearerAuth": []}] if scope else []
