"""Per-key budgets on concurrent work: open event streams, running renders, render starts.

A budget is checked before any work starts; beyond it the caller gets ``RateLimited`` (a 429
with ``Retry-After``). Concurrent work holds slots shared by every instance (``SlotLeases``),
each a lease that outlives the longest piece of work it guards, so an instance that dies
holding slots gives them back when they expire (decision 005).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from shared.domain.budget_ports import SlotLeases
from shared.errors import RateLimited
from shared.services.rate_limiting import RateLimiter

logger = logging.getLogger("videovector.budgets")


@dataclass(frozen=True)
class Cap:
    """At most ``limit`` concurrent holders of ``subject``; 0 or less means no cap."""

    subject: str
    limit: int
    what: str  # for the message: "open event streams for this key"
    budget: str  # the limit's name in the 429 (details.budget) and its metric


@dataclass(frozen=True)
class Held:
    holder: str
    slots: tuple[str, ...]


class ConcurrencyBudget:
    def __init__(self, leases: SlotLeases, ttl_seconds: float, retry_after: int) -> None:
        self._leases = leases
        self._ttl = ttl_seconds
        self._retry_after = retry_after

    def acquire(self, caps: Sequence[Cap]) -> Held:
        """A slot under every cap, or none at all and ``RateLimited``."""
        holder = uuid.uuid4().hex
        slots: list[str] = []
        try:
            for cap in caps:
                if cap.limit <= 0:
                    continue
                slot = self._leases.acquire(cap.subject, holder, cap.limit, self._ttl)
                if slot is None:
                    raise RateLimited(
                        f"At most {cap.limit} {cap.what} at a time; retry when one ends.",
                        retry_after=self._retry_after,
                        budget=cap.budget,
                    )
                slots.append(slot)
        except BaseException:
            self.release(Held(holder, tuple(slots)))
            raise
        return Held(holder, tuple(slots))

    def release(self, held: Held) -> None:
        """Best effort: a slot that cannot be given back now (the store unavailable) expires
        by itself, so the work it guarded keeps its answer."""
        for slot in held.slots:
            try:
                self._leases.release(slot, held.holder)
            except Exception:
                logger.warning("a budget slot was not given back; it will expire", exc_info=True)


class RenderBudget:
    """Renders per key: how many at once, and how many may start per minute. Only real
    renders count (a cached preview never reaches this)."""

    def __init__(
        self,
        concurrent: ConcurrencyBudget,
        per_key: int,
        starts: RateLimiter | None,
    ) -> None:
        self._concurrent = concurrent
        self._per_key = per_key
        self._starts = starts

    def slot(self, key_id: str) -> Held:
        """One of the key's render slots (``RateLimited`` beyond them), not yet a start:
        taken alongside the render lease, so a lost lease spends no start."""
        return self._concurrent.acquire(
            [Cap(f"render:{key_id}", self._per_key, "renders for this key", "concurrent_renders")]
        )

    def give_back(self, held: Held) -> None:
        self._concurrent.release(held)

    @contextlib.contextmanager
    def render(self, key_id: str, held: Held | None = None) -> Iterator[None]:
        """A slot (``held``, or taken here) and a render start, given back when it ends."""
        held = held or self.slot(key_id)
        try:
            if self._starts is not None:
                self._starts.spend(f"render-{key_id}")
            yield
        finally:
            self._concurrent.release(held)


class SlotAskers:
    """This instance's requests, by key, that asked for a render slot beside the render lease
    and have not yet given back the slot of a lease they lost (decision 037). A request that
    won the lease but found the key's slots taken waits for them before its 429: the slots may
    be its own siblings', about to come back."""

    def __init__(self) -> None:
        self._asking: collections.Counter[str] = collections.Counter()
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def asking(self, key: str) -> Iterator[None]:
        with self._changed:
            self._asking[key] += 1
        try:
            yield
        finally:
            with self._changed:
                self._asking[key] -= 1
                if self._asking[key] <= 0:
                    del self._asking[key]
                self._changed.notify_all()

    def after_siblings(self, budget: RenderBudget, key: str, timeout: float) -> Held | None:
        """A slot asked once this request (itself asking) is the key's only one, or after
        ``timeout``; None if it is still refused."""
        with self._changed:
            self._changed.wait_for(lambda: self._asking[key] <= 1, timeout)
        return self.held_or_none(lambda: budget.slot(key))

    @staticmethod
    def held_or_none(ask: Callable[[], Held]) -> Held | None:
        """The slot ``ask`` takes, or None if the key's slots are all taken."""
        try:
            return ask()
        except RateLimited:
            return None
