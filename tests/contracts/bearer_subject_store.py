"""Behaviour every BearerSubjectStore must have: run against the fake and against Firestore."""

from __future__ import annotations

import uuid

import pytest

from shared.clock import utcnow
from shared.domain.bearer import BearerSubjectStore, SubjectLink

ISSUER = "https://api.workos.com/user_management/client_01"


class BearerSubjectStoreContract:
    @pytest.fixture
    def store(self) -> BearerSubjectStore:
        raise NotImplementedError

    def test_link_get_relink_unlink(self, store: BearerSubjectStore) -> None:
        subject = f"user_{uuid.uuid4().hex}"
        assert store.get(ISSUER, subject) is None
        store.link(SubjectLink(ISSUER, subject, "alice", utcnow()))
        got = store.get(ISSUER, subject)
        assert got is not None and (got.issuer, got.subject, got.user_id) == (
            ISSUER,
            subject,
            "alice",
        )
        store.link(SubjectLink(ISSUER, subject, "bob", utcnow()))
        relinked = store.get(ISSUER, subject)
        assert relinked is not None and relinked.user_id == "bob"
        assert store.unlink(ISSUER, subject) is True
        assert store.get(ISSUER, subject) is None
        assert store.unlink(ISSUER, subject) is False

    def test_the_same_subject_at_another_issuer_is_someone_else(
        self, store: BearerSubjectStore
    ) -> None:
        subject = f"user_{uuid.uuid4().hex}"
        store.link(SubjectLink(ISSUER, subject, "alice", utcnow()))
        assert store.get("https://securetoken.google.com/project", subject) is None
        assert store.get(ISSUER + "/", subject) is None

    def test_subjects_may_hold_any_character(self, store: BearerSubjectStore) -> None:
        for subject in ["a/b/../c", "auth0|123", "ü ñ 😀", "__name__", "x" * 256]:
            store.link(SubjectLink(ISSUER, subject, "carol", utcnow()))
            got = store.get(ISSUER, subject)
            assert got is not None and got.user_id == "carol"
