from __future__ import annotations

import threading
import time

import pytest

from shared.domain.rate_limits import Window, window_at
from shared.errors import RateLimited
from shared.services.rate_limiting import RateLimiter
from tests.fakes.memory_rate_limits import InMemoryRateLimitStore


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


class SlowStoreFor(InMemoryRateLimitStore):
    """A store whose writes for one key hang until released (a slow Firestore commit)."""

    def __init__(self, slow_key: str) -> None:
        super().__init__()
        self.slow_key = slow_key
        self.entered = threading.Event()
        self.release = threading.Event()

    def add(self, window: Window, amount: int) -> int:
        if window.key_id == self.slow_key:
            self.entered.set()
            assert self.release.wait(10)
        return super().add(window, amount)


def test_a_slow_store_write_for_one_key_does_not_block_another_key() -> None:
    store = SlowStoreFor("slow-key")
    limiter = RateLimiter(store, per_minute=1200)
    blocked = threading.Thread(target=limiter.spend, args=("slow-key",))
    blocked.start()
    try:
        assert store.entered.wait(5)
        started = time.monotonic()
        for _ in range(100):  # leases its own blocks from the store, several times over
            limiter.spend("other-key")
        assert time.monotonic() - started < 1.0
        assert blocked.is_alive()  # the slow write is still in progress meanwhile
    finally:
        store.release.set()
        blocked.join(10)
    assert not blocked.is_alive()


def test_requests_of_one_key_wait_for_one_lease_rather_than_each_leasing() -> None:
    store = SlowStoreFor("k")
    limiter = RateLimiter(store, per_minute=1200, lease_size=50)
    threads = [threading.Thread(target=limiter.spend, args=("k",)) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert store.entered.wait(5)
    store.release.set()
    for thread in threads:
        thread.join(10)
    assert store.add(window_at("k", time.time()), 0) == 50  # one block served all five


def test_render_starts_say_what_they_count() -> None:
    limiter = RateLimiter(InMemoryRateLimitStore(), per_minute=1, unit="render starts")
    limiter.spend("k")
    with pytest.raises(RateLimited, match="1 render starts per minute") as refused:
        limiter.spend("k")
    assert refused.value.details["budget"] == "render_starts_per_minute"
