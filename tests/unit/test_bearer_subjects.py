"""The in-memory subject store passes the same contract as Firestore's; the link use cases."""

from __future__ import annotations

import pytest

from shared.clock import utcnow
from shared.domain.bearer import SubjectLink
from shared.errors import ValidationFailed
from shared.services.bearer_subject_cache import CachedBearerSubjectStore
from shared.services.bearer_subjects import link_subject, unlink_subject
from shared.services.found_cache import FoundCache
from tests.contracts.bearer_subject_store import ISSUER, BearerSubjectStoreContract
from tests.fakes.memory_bearer_subjects import InMemoryBearerSubjectStore


class TestInMemoryBearerSubjectStore(BearerSubjectStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryBearerSubjectStore:
        return InMemoryBearerSubjectStore()


def test_link_and_unlink_validate_their_input() -> None:
    store = InMemoryBearerSubjectStore()
    link_subject(store, ISSUER, "user_01", "alice")
    got = store.get(ISSUER, "user_01")
    assert got is not None and got.user_id == "alice"
    for issuer, subject, user in [
        ("", "user_01", "alice"),
        (ISSUER, "", "alice"),
        (ISSUER, "x" * 257, "alice"),
        (ISSUER, "user_01", "al/ice"),
    ]:
        with pytest.raises(ValidationFailed):
            link_subject(store, issuer, subject, user)
    assert unlink_subject(store, ISSUER, "user_01") is True
    assert unlink_subject(store, ISSUER, "user_01") is False


class TestCachedBearerSubjectStore(BearerSubjectStoreContract):
    @pytest.fixture
    def store(self) -> CachedBearerSubjectStore:
        return CachedBearerSubjectStore(InMemoryBearerSubjectStore(), FoundCache(30))


def test_the_cache_trusts_a_found_link_for_its_ttl_only() -> None:
    now = [0.0]
    inner = InMemoryBearerSubjectStore()
    cached = CachedBearerSubjectStore(inner, FoundCache(30, clock=lambda: now[0]))
    assert cached.get(ISSUER, "user_01") is None
    link_subject(inner, ISSUER, "user_01", "alice")  # linked elsewhere: found at once
    assert (cached.get(ISSUER, "user_01") or SubjectLink("", "", "", utcnow())).user_id == "alice"
    inner.unlink(ISSUER, "user_01")  # unlinked elsewhere: trusted until the ttl runs out
    now[0] = 29
    assert cached.get(ISSUER, "user_01") is not None
    now[0] = 31
    assert cached.get(ISSUER, "user_01") is None
    link_subject(cached, ISSUER, "user_02", "bob")
    assert cached.get(ISSUER, "user_02") is not None
    cached.unlink(ISSUER, "user_02")  # through this instance: at once
    assert cached.get(ISSUER, "user_02") is None
