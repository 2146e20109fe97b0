"""Settings for tests on in-memory ports.

``Settings()`` holds the production defaults: the rate limit, the per-key budgets and the key
cache are on, and each would reach Firestore (or hide a fake's state behind a cache). Tests
that serve functions on fakes turn them off here, by name.
"""

from __future__ import annotations

from typing import Any, ClassVar

from shared.config import Settings

OFF: dict[str, Any] = {
    "rate_limit_per_minute": 0,
    "streams_per_key": 0,
    "streams_per_user": 0,
    "renders_per_key": 0,
    "render_starts_per_minute": 0,
    "api_key_cache_seconds": 0,
}


class _DefaultsOnly(Settings):
    """The model's defaults and what the test names, never the process environment: a
    session stack exports its own settings (e.g. VV_BEARER_ISSUERS) into the test process,
    and a test on fakes must not depend on which tests ran before it."""

    reads_environment: ClassVar[bool] = False


def settings_for_fakes(**fields: Any) -> Settings:
    """Local development settings with every Firestore-backed budget and cache off."""
    return _DefaultsOnly(**{"environment": "local", **OFF, **fields})
