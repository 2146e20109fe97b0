"""The Firestore adapters, against the real emulator, pass the same contracts as the fakes."""

from __future__ import annotations

import pytest

from shared.bootstrap import Container
from shared.domain.ports import ApiKeyStore, MarkerRepository
from tests.contracts.api_key_store import ApiKeyStoreContract
from tests.contracts.marker_repository import MarkerRepositoryContract

pytestmark = pytest.mark.emulator


class TestFirestoreMarkerRepository(MarkerRepositoryContract):
    @pytest.fixture
    def repo(self, cloud: Container) -> MarkerRepository:
        return cloud.markers


class TestFirestoreApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> ApiKeyStore:
        return cloud.api_keys
