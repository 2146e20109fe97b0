"""The port of per-key budgets on concurrent work (open streams, running renders)."""

from __future__ import annotations

from abc import ABC, abstractmethod


class SlotLeases(ABC):
    """Numbered slots per subject (an API key, a stream token, a user), shared by every
    instance: at most ``limit`` holders at once. Each slot is a lease with an expiry, so the
    slots of an instance that crashed without giving them back return by themselves."""

    @abstractmethod
    def acquire(self, subject: str, holder: str, limit: int, ttl_seconds: float) -> str | None:
        """A free (or expired) slot of ``subject`` for ``holder``, for ``ttl_seconds``: the
        slot's id, or None when all ``limit`` slots are held."""

    @abstractmethod
    def release(self, slot: str, holder: str) -> None:
        """Give the slot back if ``holder`` still holds it (a late release of a slot taken
        over after its expiry leaves the new holder's lease alone)."""
