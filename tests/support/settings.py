"""Settings for tests on in-memory ports.

``Settings()`` holds the production defaults: the rate limit, the per-key budgets and the key
cache are on, and each would reach Firestore (or hide a fake's state behind a cache). Tests
that serve functions on fakes turn them off here, by name.
"""

from __future__ import annotations

from typing import Any

from shared.config import Settings

OFF: dict[str, Any] = {
    "rate_limit_per_minute": 0,
    "streams_per_key": 0,
    "streams_per_user": 0,
    "renders_per_key": 0,
    "render_starts_per_minute": 0,
    "api_key_cache_seconds": 0,
}


def settings_for_fakes(**fields: Any) -> Settings:
    """Local development settings with every Firestore-backed budget and cache off."""
    return Settings(**{"environment": "local", **OFF, **fields})
