"""Behaviour every RenderLeases must have: run against the fake and against Firestore."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.domain.preview_ports import RenderLeases


class RenderLeasesContract:
    @pytest.fixture
    def leases(self) -> RenderLeases:
        raise NotImplementedError

    @pytest.fixture
    def key(self) -> str:
        return f"previews/u/{uuid.uuid4().hex}/g1/gif.gif"

    def test_one_holder_at_a_time(self, leases: RenderLeases, key: str) -> None:
        assert leases.acquire(key, "a", 60)
        assert not leases.acquire(key, "b", 60)
        leases.release(key, "b")  # not b's to release
        assert not leases.acquire(key, "b", 60)
        leases.release(key, "a")
        assert leases.acquire(key, "b", 60)

    def test_an_expired_lease_is_taken_over(self, leases: RenderLeases, key: str) -> None:
        assert leases.acquire(key, "a", 0.2)
        time.sleep(0.4)
        assert leases.acquire(key, "b", 60)
        leases.release(key, "a")  # a's late release leaves b's lease alone
        assert not leases.acquire(key, "c", 60)

    def test_concurrent_acquires_have_one_winner(self, leases: RenderLeases, key: str) -> None:
        with ThreadPoolExecutor(max_workers=6) as pool:
            won = list(pool.map(lambda i: leases.acquire(key, f"h{i}", 60), range(6)))
        assert sum(won) == 1
