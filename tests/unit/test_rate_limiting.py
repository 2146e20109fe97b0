from __future__ import annotations

import pytest

from shared.adapters.memory_rate_limits import InMemoryRateLimitStore
from shared.errors import RateLimited
from shared.services.rate_limiting import RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_instances_share_one_budget() -> None:
    store, clock = InMemoryRateLimitStore(), Clock(6_000.0)
    instances = [RateLimiter(store, per_minute=20, lease_size=3, clock=clock) for _ in range(3)]
    granted = 0
    for i in range(60):
        try:
            instances[i % 3].spend("key-a")
            granted += 1
        except RateLimited as exc:
            assert 1 <= exc.retry_after <= 60
    assert granted == 20
    instances[0].spend("key-b")  # other keys keep their own budget


def test_budget_returns_in_the_next_window() -> None:
    store, clock = InMemoryRateLimitStore(), Clock(6_000.0)
    limiter = RateLimiter(store, per_minute=2, clock=clock)
    limiter.spend("k")
    limiter.spend("k")
    with pytest.raises(RateLimited) as caught:
        limiter.spend("k")
    assert caught.value.retry_after == 60
    clock.now += 60
    limiter.spend("k")


def test_rate_limited_request_gets_429_with_retry_after(container, keys, markers_client) -> None:  # type: ignore[no-untyped-def]
    container.__dict__["rate_limiter"] = RateLimiter(InMemoryRateLimitStore(), per_minute=3)
    statuses = [
        markers_client.get("/api/v2/markers", headers={"X-API-Key": keys.alice}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    limited = markers_client.get("/api/v2/markers", headers={"X-API-Key": keys.alice})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert markers_client.get("/api/v2/markers", headers={"X-API-Key": keys.bob}).status_code == 200
