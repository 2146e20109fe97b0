"""Stack tests reuse the end-to-end stack (and its emulators) where they need one running."""

from tests.e2e.conftest import new_key, stack, token_issuer  # noqa: F401 - re-exported
from tests.e2e.event_fixtures import relay_factory  # noqa: F401 - relays of their own
