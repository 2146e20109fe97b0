"""The demo user and its API key, for ``make dev``."""

from __future__ import annotations

from shared.bootstrap import Container
from shared.services.api_keys import create_api_key

DEMO_USER_ID = "demo-user"
DEMO_SCOPES = ("search", "read", "write")


def create_demo_user(container: Container) -> str:
    """A fresh key per start: the emulators hold no state between runs."""
    return create_api_key(container.api_keys, DEMO_USER_ID, DEMO_SCOPES)
