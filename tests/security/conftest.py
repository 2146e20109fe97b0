"""Security tests reuse the end-to-end stack (and its emulators)."""

from tests.e2e.conftest import (  # noqa: F401 - fixtures re-exported
    event_subscription,
    http,
    new_key,
    stack,
)
