"""Behaviour every RateLimitStore must have: run against the fake and against Firestore."""

from __future__ import annotations

import threading
import uuid

import pytest

from shared.domain.ports import RateLimitStore
from shared.domain.rate_limits import window_at


class RateLimitStoreContract:
    @pytest.fixture
    def store(self) -> RateLimitStore:
        raise NotImplementedError

    def test_add_returns_running_total_per_window(self, store: RateLimitStore) -> None:
        key = uuid.uuid4().hex[:16]
        first, later = window_at(key, 1_000_000.0), window_at(key, 1_000_060.0)
        assert store.add(first, 5) == 5
        assert store.add(first, 3) == 8
        assert store.add(later, 2) == 2

    def test_concurrent_adds_lose_nothing(self, store: RateLimitStore) -> None:
        window = window_at(uuid.uuid4().hex[:16], 2_000_000.0)
        threads = [
            threading.Thread(target=lambda: [store.add(window, 1) for _ in range(10)])
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.add(window, 0) == 40
