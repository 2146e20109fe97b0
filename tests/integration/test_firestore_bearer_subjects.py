"""The Firestore subject store, against the real emulator, passes the fake's contract."""

from __future__ import annotations

import pytest

from shared.bootstrap import Container
from shared.domain.bearer import BearerSubjectStore
from tests.contracts.bearer_subject_store import BearerSubjectStoreContract

pytestmark = pytest.mark.emulator


class TestFirestoreBearerSubjectStore(BearerSubjectStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> BearerSubjectStore:
        return cloud.bearer_subjects
