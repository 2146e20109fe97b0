"""Per-key budgets on concurrent work: all caps or none, given back however the work ends."""

from __future__ import annotations

import pytest

from shared.errors import RateLimited, ServiceUnavailable
from shared.services.budgets import Cap, ConcurrencyBudget, RenderBudget
from shared.services.rate_limiting import RateLimiter
from tests.fakes.memory_rate_limits import InMemoryRateLimitStore
from tests.fakes.memory_slot_leases import InMemorySlotLeases


def test_a_slot_under_every_cap_or_none_at_all() -> None:
    leases = InMemorySlotLeases()
    budget = ConcurrencyBudget(leases, ttl_seconds=60, retry_after=7)
    caps = [
        Cap("stream:k1", 5, "streams for this key", "streams_per_key"),
        Cap("stream-user:u", 1, "streams", "streams_per_user"),
    ]
    held = budget.acquire(caps)
    with pytest.raises(RateLimited) as refused:
        budget.acquire(caps)
    assert refused.value.retry_after == 7
    assert refused.value.details["budget"] == "streams_per_user"  # the cap that was full
    assert "At most 1 streams" in refused.value.message
    assert leases.held("stream:k1") == 1  # the refused one gave its key slot back
    budget.release(held)
    assert leases.held("stream:k1") == leases.held("stream-user:u") == 0


def test_a_cap_of_zero_is_no_cap() -> None:
    budget = ConcurrencyBudget(InMemorySlotLeases(), ttl_seconds=60, retry_after=1)
    for _ in range(50):
        budget.acquire([Cap("stream:k", 0, "streams", "streams_per_key")])


def test_render_budget_counts_running_renders_and_starts_per_minute() -> None:
    leases = InMemorySlotLeases()
    starts = RateLimiter(InMemoryRateLimitStore(), per_minute=3, unit="render starts")
    budget = RenderBudget(ConcurrencyBudget(leases, 120, retry_after=2), 1, starts)
    with budget.render("k"):
        with pytest.raises(RateLimited, match="At most 1 renders") as refused, budget.render("k"):
            pass
        assert refused.value.details["budget"] == "concurrent_renders"
        with budget.render("other-key"):
            pass
    with pytest.raises(RuntimeError), budget.render("k"):
        raise RuntimeError("ffmpeg failed")
    assert leases.held("render:k") == 0  # a failed render gives its slot back
    with budget.render("k"):  # the third start of the minute (the refused one spent none)
        pass
    refusal = pytest.raises(RateLimited, match="3 render starts per minute")
    with refusal as refused, budget.render("k"):
        pass
    assert refused.value.retry_after >= 1
    assert leases.held("render:k") == 0  # refused by the start budget: slot given back too


class UnavailableOnRelease(InMemorySlotLeases):
    def release(self, slot: str, holder: str) -> None:
        raise ServiceUnavailable("The budget store is unavailable.")


def test_a_slot_that_cannot_be_given_back_does_not_fail_the_work() -> None:
    leases = UnavailableOnRelease()
    budget = RenderBudget(ConcurrencyBudget(leases, 120, retry_after=2), 1, None)
    with budget.render("k"):
        rendered = b"gif"
    assert rendered == b"gif"
    assert leases.held("render:k") == 1  # it stays held until it expires
