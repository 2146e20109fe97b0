"""Fault tests reuse the end-to-end stack (and its emulators), then leave them healthy."""

from tests.e2e.conftest import http, new_key, stack  # noqa: F401 - fixtures re-exported
