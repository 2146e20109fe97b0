"""The demo user and its API key, for ``make dev``."""

from __future__ import annotations

import time

from shared.bootstrap import Container
from shared.errors import ServiceUnavailable
from shared.services.api_keys import create_api_key

DEMO_USER_ID = "demo-user"
DEMO_SCOPES = ("search", "read", "write")
WARM_UP_ATTEMPTS = 5


def create_demo_user(container: Container) -> str:
    """A fresh key per start: the emulators hold no state between runs. The first writes to a
    freshly started Firestore emulator can outlast a short store timeout on a busy machine,
    so this retries a few times before giving up."""
    for attempt in range(WARM_UP_ATTEMPTS):
        try:
            return create_api_key(container.api_keys, DEMO_USER_ID, DEMO_SCOPES)
        except ServiceUnavailable:
            if attempt == WARM_UP_ATTEMPTS - 1:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")
