"""Behaviour every SlotLeases must have: run against the fake and against Firestore."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.domain.budget_ports import SlotLeases


class SlotLeasesContract:
    @pytest.fixture
    def leases(self) -> SlotLeases:
        raise NotImplementedError

    @pytest.fixture
    def subject(self) -> str:
        return f"key:{uuid.uuid4().hex[:16]}"

    def test_at_most_limit_holders(self, leases: SlotLeases, subject: str) -> None:
        slots = [leases.acquire(subject, f"h{i}", 3, 60) for i in range(3)]
        assert None not in slots and len(set(slots)) == 3
        assert leases.acquire(subject, "h3", 3, 60) is None
        first = slots[0]
        assert first is not None
        leases.release(first, "someone-else")  # not theirs to give back
        assert leases.acquire(subject, "h3", 3, 60) is None
        leases.release(first, "h0")
        assert leases.acquire(subject, "h3", 3, 60) is not None

    def test_subjects_are_independent(self, leases: SlotLeases, subject: str) -> None:
        assert leases.acquire(subject, "a", 1, 60) is not None
        assert leases.acquire(subject, "b", 1, 60) is None
        assert leases.acquire(subject + "-other", "b", 1, 60) is not None

    def test_an_expired_slot_comes_back(self, leases: SlotLeases, subject: str) -> None:
        crashed = leases.acquire(subject, "crashed", 1, 0.2)
        assert crashed is not None
        time.sleep(0.4)
        assert leases.acquire(subject, "next", 1, 60) is not None
        leases.release(crashed, "crashed")  # a late release leaves the new lease alone
        assert leases.acquire(subject, "third", 1, 60) is None

    def test_concurrent_acquires_never_exceed_the_limit(
        self, leases: SlotLeases, subject: str
    ) -> None:
        with ThreadPoolExecutor(max_workers=6) as pool:
            won = list(pool.map(lambda i: leases.acquire(subject, f"h{i}", 2, 60), range(6)))
        taken = [slot for slot in won if slot is not None]
        assert len(taken) == 2 and len(set(taken)) == 2
