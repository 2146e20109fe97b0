"""Fault tests reuse the end-to-end stack (and its emulators), then leave them healthy."""

from tests.e2e.conftest import (  # noqa: F401 - fixtures re-exported
    event_subscription,
    http,
    new_key,
    stack,
    token_issuer,
)
from tests.e2e.event_fixtures import relay_factory  # noqa: F401 - relays of their own
