"""The in-memory subject store passes the same contract as Firestore's; the link use cases."""

from __future__ import annotations

import pytest

from shared.adapters.memory_bearer_subjects import InMemoryBearerSubjectStore
from shared.errors import ValidationFailed
from shared.services.bearer_subjects import link_subject, unlink_subject
from tests.contracts.bearer_subject_store import ISSUER, BearerSubjectStoreContract


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
